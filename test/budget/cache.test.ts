import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  UpdateChannelCommand,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { type OperationCount, useGateway } from "./harness.ts";

const DASHBOARD = `query ($arn: String!) {
  channel(arn: $arn) { arn name playbackUrl streamKeys { arn value } recordingConfiguration { arn name } }
}`;
const NAME = `query ($arn: String!) { channel(arn: $arn) { name } }`;
const LISTED = `{ channels(first: 100) { edges { node { arn name } } } }`;
const KEYS = `query ($arn: String!) { channel(arn: $arn) { streamKeys { arn } } }`;

const total = (counts: Record<string, OperationCount>) =>
  Object.values(counts).reduce((sum, c) => sum + c.total, 0);

type Channel = { arn: string; name: string; streamKeys: { arn: string }[] };
const listedName = (data: unknown, arn: string) =>
  (data as { channels: { edges: { node: Channel }[] } }).channels.edges.find((e) => e.node.arn === arn)?.node
    .name;

describe("the cache of configuration-like IVS data", () => {
  // A TTL far beyond the test: whatever changes below is the work of invalidation.
  const h = useGateway({ CACHE_TTL_MS: "60000" });

  async function newChannel(name: string) {
    return h.arrange(async () => {
      const rc = await h.direct.send(
        new CreateRecordingConfigurationCommand({
          destinationConfiguration: { s3: { bucketName: "bucket" } },
        }),
      );
      const out = await h.direct.send(
        new CreateChannelCommand({ name, recordingConfigurationArn: rc.recordingConfiguration?.arn }),
      );
      return { arn: out.channel?.arn as string, keyArn: out.streamKey?.arn as string };
    });
  }

  it("answers a repeated query without any IVS call within the TTL", async () => {
    const { arn } = await newChannel("cached");
    await h.resetCounts();
    const first = await h.gql(DASHBOARD, { arn });
    expect(first.errors).toBeUndefined();
    expect(total(await h.counts())).toBe(4); // BatchGetChannel, ListStreamKeys, BatchGetStreamKey, GetRecordingConfiguration
    await h.resetCounts();
    expect(await h.gql(DASHBOARD, { arn })).toEqual(first);
    expect(total(await h.counts())).toBe(0);
  });

  it("shows the gateway's own updateChannel at once, where a change made behind its back waits for the TTL", async () => {
    const { arn } = await newChannel("before");
    expect((await h.gql(NAME, { arn })).data).toEqual({ channel: { name: "before" } });
    expect(listedName((await h.gql(LISTED)).data, arn)).toBe("before");

    await h.arrange(() => h.direct.send(new UpdateChannelCommand({ arn, name: "behind-its-back" })));
    expect((await h.gql(NAME, { arn })).data).toEqual({ channel: { name: "before" } });

    const updated = await h.gql(
      `mutation ($arn: String!) { updateChannel(input: { arn: $arn, name: "after" }) { ... on Channel { name } } }`,
      { arn },
    );
    expect(updated.data).toEqual({ updateChannel: { name: "after" } });
    await h.resetCounts();
    expect((await h.gql(NAME, { arn })).data).toEqual({ channel: { name: "after" } });
    // The mutation's answer was cached; only the list page, now out of date, is asked for again.
    expect(listedName((await h.gql(LISTED)).data, arn)).toBe("after");
    expect((await h.counts()).BatchGetChannel).toBeUndefined();
    expect((await h.counts()).ListChannels?.total).toBe(1);
  });

  it("lists a channel's new key after a rotation through the gateway", async () => {
    const { arn, keyArn } = await newChannel("rotated");
    expect((await h.gql(KEYS, { arn })).data).toEqual({ channel: { streamKeys: [{ arn: keyArn }] } });
    await h.gql(`mutation ($arn: String!) { deleteStreamKey(input: { arn: $arn }) { __typename } }`, {
      arn: keyArn,
    });
    expect((await h.gql(KEYS, { arn })).data).toEqual({ channel: { streamKeys: [] } });
    const created = await h.gql<{ createStreamKey: { arn: string } }>(
      `mutation ($arn: String!) { createStreamKey(input: { channelArn: $arn }) { ... on StreamKey { arn } } }`,
      { arn },
    );
    const fresh = created.data?.createStreamKey.arn as string;
    expect(fresh).not.toBe(keyArn);
    expect((await h.gql(KEYS, { arn })).data).toEqual({ channel: { streamKeys: [{ arn: fresh }] } });
  });

  it("forgets a deleted channel", async () => {
    const { arn } = await newChannel("deleted");
    expect((await h.gql(NAME, { arn })).data).toEqual({ channel: { name: "deleted" } });
    const res = await h.gql(
      `mutation ($arn: String!) { deleteChannel(input: { arn: $arn }) { __typename } }`,
      { arn },
    );
    expect(res.errors).toBeUndefined();
    expect((await h.gql(NAME, { arn })).data).toEqual({ channel: null });
  });
});

describe("stale values", () => {
  const h = useGateway({ CACHE_TTL_MS: "200", CACHE_STALE_MS: "60000" });

  it("are served at once past the TTL and refreshed in the background", async () => {
    const arn = await h.arrange(async () => {
      const out = await h.direct.send(new CreateChannelCommand({ name: "v1" }));
      return out.channel?.arn as string;
    });
    expect((await h.gql(NAME, { arn })).data).toEqual({ channel: { name: "v1" } });
    await h.arrange(() => h.direct.send(new UpdateChannelCommand({ arn, name: "v2" })));
    await new Promise((r) => setTimeout(r, 300));
    await h.resetCounts();
    // Past the TTL: the stale copy answers, and one background BatchGetChannel refreshes it.
    expect((await h.gql(NAME, { arn })).data).toEqual({ channel: { name: "v1" } });
    await expect.poll(async () => (await h.gql(NAME, { arn })).data).toEqual({ channel: { name: "v2" } });
    expect((await h.counts()).BatchGetChannel?.total).toBe(1);
  });
});
