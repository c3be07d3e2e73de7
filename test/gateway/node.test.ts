import { CreateChannelCommand } from "@aws-sdk/client-ivs";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useGateway } from "./harness.ts";

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");
const decode = (id: string) => Buffer.from(id, "base64").toString("utf8");

const NODE = `query ($id: ID!) { node(id: $id) {
  __typename id
  ... on Channel { arn name }
  ... on StreamKey { arn channelArn value }
  ... on StreamSession { channelArn streamId endTime }
} }`;

describe("Relay nodes", () => {
  const h = useGateway();
  let channelArn = "";
  let keyArn = "";
  let streamId = "";

  beforeAll(async () => {
    const out = await h.ivs.send(new CreateChannelCommand({ name: "noded" }));
    channelArn = out.channel?.arn as string;
    keyArn = out.streamKey?.arn as string;
    streamId = h.emulator.broadcasts.start(channelArn).streamId;
    h.emulator.broadcasts.end(channelArn);
  });
  beforeEach(() => h.resetCounts());

  it("gives every object a global id of its type and ARN, and node(id) finds it again", async () => {
    const res = await h.gql<{ channel: { id: string; streamKeys: { id: string }[] } }>(
      `query ($arn: String!) { channel(arn: $arn) { id streamKeys { id } } }`,
      { arn: channelArn },
    );
    const channel = res.data?.channel;
    expect(decode(channel?.id as string)).toBe(`Channel:${channelArn}`);
    expect(decode(channel?.streamKeys[0]?.id as string)).toBe(`StreamKey:${keyArn}`);

    const byChannelId = await h.gql(NODE, { id: channel?.id });
    expect(byChannelId.data).toEqual({
      node: { __typename: "Channel", id: channel?.id, arn: channelArn, name: "noded" },
    });
    const byKeyId = await h.gql(NODE, { id: channel?.streamKeys[0]?.id });
    expect(byKeyId.data).toEqual({
      node: {
        __typename: "StreamKey",
        id: channel?.streamKeys[0]?.id,
        arn: keyArn,
        channelArn,
        value: expect.stringMatching(/^sk_/),
      },
    });
    // All of it from the mirror, which learnt of the channel and its key from their CloudTrail event.
    expect(h.count("BatchGetChannel")).toBe(0);
    expect(h.count("BatchGetStreamKey")).toBe(0);
  });

  it("identifies a stream session by its channel and stream id", async () => {
    const res = await h.gql<{ channel: { sessions: { edges: { node: { id: string } }[] } } }>(
      `query ($arn: String!) { channel(arn: $arn) { sessions { edges { node { id } } } } }`,
      { arn: channelArn },
    );
    const id = res.data?.channel.sessions.edges[0]?.node.id as string;
    expect(decode(id)).toBe(`StreamSession:${channelArn}/${streamId}`);
    const node = await h.gql(NODE, { id });
    expect(node.data).toEqual({
      node: { __typename: "StreamSession", id, channelArn, streamId, endTime: expect.any(String) },
    });
    // Its details were read when it ended, and no event about it came since.
    expect(h.count("GetStreamSession")).toBe(0);
  });

  it("answers null for ids of missing or malformed resources", async () => {
    const ids = [
      globalId("Channel", "arn:aws:ivs:us-west-2:123456789012:channel/missing00000"),
      globalId("Channel", "garbage"),
      globalId("StreamKey", "arn:aws:ivs:us-west-2:123456789012:stream-key/missing00000"),
      globalId("StreamSession", `${channelArn}/st-0000000000000000000000a`),
      globalId("StreamSession", "no-separator"),
    ];
    const res = await h.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    expect(res).toEqual({ data: { nodes: [null, null, null, null, null] } });
    // Only the well-formed ids cost a request.
    expect(h.count("BatchGetChannel") + h.count("BatchGetStreamKey") + h.count("GetStreamSession")).toBe(3);
  });

  it("loads mixed nodes in one request from the mirror", async () => {
    const ids = [
      globalId("Channel", channelArn),
      globalId("StreamKey", keyArn),
      globalId("StreamSession", `${channelArn}/${streamId}`),
      globalId("Channel", channelArn),
    ];
    const res = await h.gql<{ nodes: { __typename: string; id: string }[] }>(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`,
      { ids },
    );
    expect(res.data?.nodes).toEqual([
      { __typename: "Channel", id: ids[0] },
      { __typename: "StreamKey", id: ids[1] },
      { __typename: "StreamSession", id: ids[2] },
      { __typename: "Channel", id: ids[3] },
    ]);
    expect(h.count("BatchGetChannel")).toBe(0);
    expect(h.count("BatchGetStreamKey")).toBe(0);
  });

  it("answers a malformed global id with an error on its own field, siblings kept", async () => {
    for (const query of [
      `{ a: __typename node(id: "garbage") { id } }`,
      `query ($id: ID!) { a: __typename node(id: $id) { id } }`,
    ]) {
      const res = await h.gql(query, { id: "garbage" });
      expect(res.data, JSON.stringify(res)).toEqual({ a: "Query", node: null });
      expect(res.errors?.[0]?.path).toEqual(["node"]);
      expect(res.errors?.[0]?.message).toMatch(/Invalid global ID: garbage/);
    }
  });
});
