import { CreateChannelCommand, ListStreamKeysCommand } from "@aws-sdk/client-ivs";
import { beforeEach, describe, expect, it } from "vitest";
import { type GatewayHarness, useGateway } from "./harness.ts";

const RESULT = `__typename
  ... on Error { message retriable }
  ... on ValidationError { field }
  ... on NotFoundError { missingArn: arn }`;

const CREATE = `mutation ($input: CreateStreamKeyInput!) {
  createStreamKey(input: $input) { ${RESULT} ... on StreamKey { id arn value channelArn tags { key value } } }
}`;

const DELETE = `mutation ($arn: String!) {
  deleteStreamKey(input: { arn: $arn }) { ${RESULT} ... on DeleteStreamKeyPayload { deletedId arn } }
}`;

const GET = `query ($arn: String!) {
  streamKey(arn: $arn) { id arn value channelArn tags { key value } channel { arn name } }
}`;

const MISSING_KEY = "arn:aws:ivs:us-west-2:123456789012:stream-key/missing00000";
const MISSING_CHANNEL = "arn:aws:ivs:us-west-2:123456789012:channel/missing00000";

type Result = Record<string, unknown> & { __typename: string };

async function newChannel(h: GatewayHarness, name: string) {
  const out = await h.ivs.send(new CreateChannelCommand({ name }));
  return { channelArn: out.channel?.arn as string, key: out.streamKey as { arn: string; value: string } };
}

describe("stream keys", () => {
  const h = useGateway();
  beforeEach(() => h.resetCounts());

  it("looks a key up by ARN, with its secret value and its channel", async () => {
    const { channelArn, key } = await newChannel(h, "keyed");
    const res = await h.gql<{ streamKey: Result }>(GET, { arn: key.arn });
    expect(res.data?.streamKey).toMatchObject({
      arn: key.arn,
      value: key.value,
      channelArn,
      tags: [],
      channel: { arn: channelArn, name: "keyed" },
    });
    expect(h.count("BatchGetStreamKey")).toBe(1);
    expect(h.count("GetStreamKey")).toBe(0);
  });

  it("answers null for a missing or malformed ARN", async () => {
    const res = await h.gql(
      `{ a: streamKey(arn: "${MISSING_KEY}") { arn } b: streamKey(arn: "nope") { arn } }`,
    );
    expect(res).toEqual({ data: { a: null, b: null } });
    expect(h.count("BatchGetStreamKey")).toBe(1);
  });

  it("lists a channel's keys and their values from the mirror, with no IVS call", async () => {
    const { channelArn, key } = await newChannel(h, "listed");
    // What the mirror does on the channel's CloudTrail event (confirming it with IVS) is not counted.
    await h.resetCounts();
    const arnsOnly = await h.gql(
      `query ($arn: String!) { channel(arn: $arn) { streamKeys { arn channelArn } } }`,
      {
        arn: channelArn,
      },
    );
    expect(arnsOnly.data).toEqual({ channel: { streamKeys: [{ arn: key.arn, channelArn }] } });
    const withValue = await h.gql(`query ($arn: String!) { channel(arn: $arn) { streamKeys { value } } }`, {
      arn: channelArn,
    });
    expect(withValue.data).toEqual({ channel: { streamKeys: [{ value: key.value }] } });
    expect(h.count("ListStreamKeys")).toBe(0);
    expect(h.count("BatchGetStreamKey")).toBe(0);
  });

  it("refuses a second key with QuotaExceededError, and rotates: delete then create", async () => {
    const { channelArn, key } = await newChannel(h, "rotate");
    const second = await h.gql<{ createStreamKey: Result }>(CREATE, { input: { channelArn } });
    expect(second.data?.createStreamKey).toMatchObject({
      __typename: "QuotaExceededError",
      retriable: false,
    });

    const deleted = await h.gql<{ deleteStreamKey: Result }>(DELETE, { arn: key.arn });
    expect(deleted.data?.deleteStreamKey).toEqual({
      __typename: "DeleteStreamKeyPayload",
      deletedId: Buffer.from(`StreamKey:${key.arn}`).toString("base64"),
      arn: key.arn,
    });

    const created = await h.gql<{ createStreamKey: Result }>(CREATE, {
      input: { channelArn, tags: [{ key: "rotation", value: "2" }] },
    });
    const fresh = created.data?.createStreamKey as Result;
    expect(fresh).toMatchObject({
      __typename: "StreamKey",
      channelArn,
      value: expect.stringMatching(/^sk_/),
      tags: [{ key: "rotation", value: "2" }],
    });
    expect(fresh.value).not.toBe(key.value);
    const listed = await h.ivs.send(new ListStreamKeysCommand({ channelArn }));
    expect(listed.streamKeys?.map((k) => k.arn)).toEqual([fresh.arn]);
  });

  it("lists a channel's keys afresh after a key changes within one request", async () => {
    const { channelArn, key } = await newChannel(h, "one-request");
    const res = await h.gql<Record<string, Result>>(
      `mutation ($channelArn: String!, $keyArn: String!) {
        before: updateChannel(input: { arn: $channelArn }) { ... on Channel { streamKeys { arn } } }
        del: deleteStreamKey(input: { arn: $keyArn }) { __typename }
        add: createStreamKey(input: { channelArn: $channelArn }) {
          ... on StreamKey { arn channel { streamKeys { arn } } } } }`,
      { channelArn, keyArn: key.arn },
    );
    const added = res.data?.add as unknown as { arn: string; channel: { streamKeys: { arn: string }[] } };
    expect(res.data?.before).toEqual({ streamKeys: [{ arn: key.arn }] });
    expect(added.channel.streamKeys).toEqual([{ arn: added.arn }]);
  });

  it("reports a missing channel or key as NotFoundError", async () => {
    const create = await h.gql<{ createStreamKey: Result }>(CREATE, {
      input: { channelArn: MISSING_CHANNEL },
    });
    expect(create.data?.createStreamKey).toMatchObject({
      __typename: "NotFoundError",
      missingArn: MISSING_CHANNEL,
    });
    const del = await h.gql<{ deleteStreamKey: Result }>(DELETE, { arn: MISSING_KEY });
    expect(del.data?.deleteStreamKey).toMatchObject({ __typename: "NotFoundError", missingArn: MISSING_KEY });
  });

  it("refuses bad input before calling IVS, naming the field", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [CREATE, { input: { channelArn: MISSING_KEY } }, "input.channelArn"],
      [CREATE, { input: { channelArn: MISSING_CHANNEL, tags: [{ key: "", value: "x" }] } }, "input.tags.key"],
      [DELETE, { arn: MISSING_CHANNEL }, "input.arn"],
    ];
    for (const [query, variables, field] of cases) {
      const res = await h.gql<Record<string, Result>>(query, variables);
      expect(Object.values(res.data ?? {})[0], field).toMatchObject({ __typename: "ValidationError", field });
    }
    expect(h.count("CreateStreamKey") + h.count("DeleteStreamKey")).toBe(0);
  });

  it("answers null for the key of a deleted channel", async () => {
    const { channelArn, key } = await newChannel(h, "gone");
    await h.gql(`mutation ($arn: String!) { deleteChannel(input: { arn: $arn }) { __typename } }`, {
      arn: channelArn,
    });
    const res = await h.gql(GET, { arn: key.arn });
    expect(res.data).toEqual({ streamKey: null });
  });
});
