import { CreateChannelCommand, GetStreamCommand } from "@aws-sdk/client-ivs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GatewayHarness, type GraphQLResult, useGateway } from "./harness.ts";

const RESULT = `__typename
  ... on Error { message retriable }
  ... on ValidationError { field }
  ... on NotFoundError { missingArn: arn }
  ... on ChannelNotBroadcastingError { channelArn }`;

const STOP = `mutation ($channelArn: String!) {
  stopStream(input: { channelArn: $channelArn }) { ${RESULT} ... on Channel { arn isLive stream { streamId } } }
}`;

const PUT = `mutation ($channelArn: String!, $metadata: String!) {
  putMetadata(input: { channelArn: $channelArn, metadata: $metadata }) { ${RESULT} ... on Channel { arn } }
}`;

const STREAMS = `query ($first: Int, $after: String, $filter: StreamFilter) {
  streams(first: $first, after: $after, filter: $filter) {
    edges { node { channelArn streamId health playbackUrl } } pageInfo { hasNextPage endCursor } } }`;

const MISSING = "arn:aws:ivs:us-west-2:123456789012:channel/missing00000";

type Result = Record<string, unknown> & { __typename: string };
type StreamPage = { edges: { node: Result }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

async function liveChannel(h: GatewayHarness, name = "live") {
  const out = await h.ivs.send(new CreateChannelCommand({ name }));
  const arn = out.channel?.arn as string;
  const info = h.emulator.broadcasts.start(arn);
  return { arn, playbackUrl: out.channel?.playbackUrl as string, streamId: info.streamId };
}

describe("streams", () => {
  const h = useGateway();
  beforeEach(() => h.resetCounts());
  afterEach(() => h.emulator.setFaults({ throttleRate: 0, operations: undefined }));

  it("shows an offline channel with no stream, and a live one with its stream", async () => {
    const out = await h.ivs.send(new CreateChannelCommand({ name: "offline" }));
    const offline = await h.gql(
      `query ($arn: String!) { channel(arn: $arn) { isLive stream { streamId } } }`,
      {
        arn: out.channel?.arn,
      },
    );
    expect(offline.data).toEqual({ channel: { isLive: false, stream: null } });

    const live = await liveChannel(h);
    h.emulator.broadcasts.setViewers(live.arn, 42);
    // Status comes with events; viewer counts only with reconciliation (IVS sends no event for them).
    await h.live.hub.reconcile(true);
    await h.resetCounts();
    const res = await h.gql(
      `query ($arn: String!) { channel(arn: $arn) { isLive stream {
        channelArn streamId playbackUrl state health viewerCount startTime channel { arn } session { streamId endTime } } } }`,
      { arn: live.arn },
    );
    expect(res.data).toEqual({
      channel: {
        isLive: true,
        stream: {
          channelArn: live.arn,
          streamId: live.streamId,
          playbackUrl: live.playbackUrl,
          state: "LIVE",
          health: "HEALTHY",
          viewerCount: 42,
          startTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          channel: { arn: live.arn },
          session: { streamId: live.streamId, endTime: null },
        },
      },
    });
    // isLive and stream come from the hub's live state: no GetStream, no ListStreams.
    expect(h.count("GetStream")).toBe(0);
    expect(h.count("ListStreams")).toBe(0);
  });

  it("looks a stream up by channel: null when offline, missing or malformed", async () => {
    const live = await liveChannel(h);
    const res = await h.gql(
      `query ($arn: String!, $missing: String!) { live: stream(channelArn: $arn) { streamId }
        missing: stream(channelArn: $missing) { streamId } malformed: stream(channelArn: "nope") { streamId } }`,
      { arn: live.arn, missing: MISSING },
    );
    expect(res).toEqual({ data: { live: { streamId: live.streamId }, missing: null, malformed: null } });
    expect(h.count("GetStream")).toBe(0);
  });

  it("lists live streams in pages, by health, from live state and the mirror (no IVS call)", async () => {
    // Only this test's streams are live while it runs.
    for (const b of h.emulator.broadcasts.live()) h.emulator.broadcasts.end(b.channelArn);
    const lives = [];
    for (let i = 0; i < 5; i++) lives.push(await liveChannel(h, `list-${i}`));
    for (const l of lives.slice(0, 2)) h.emulator.broadcasts.starve(l.arn);
    await h.resetCounts();

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const res: GraphQLResult<{ streams: StreamPage }> = await h.gql(STREAMS, { first: 2, after });
      const page: StreamPage | undefined = res.data?.streams;
      for (const { node } of page?.edges ?? []) {
        seen.push(node.streamId as string);
        expect(node.playbackUrl).toBe(lives.find((l) => l.arn === node.channelArn)?.playbackUrl);
      }
      after = page?.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen.sort()).toEqual(lives.map((l) => l.streamId).sort());
    expect(h.count("BatchGetChannel")).toBe(0);
    expect(h.count("ListStreams")).toBe(0);
    expect(h.count("GetStream")).toBe(0);

    const starving = await h.gql<{ streams: { edges: { node: Result }[] } }>(STREAMS, {
      filter: { health: "STARVING" },
    });
    expect(starving.data?.streams.edges.map((e) => e.node.channelArn).sort()).toEqual(
      lives
        .slice(0, 2)
        .map((l) => l.arn)
        .sort(),
    );
    for (const e of starving.data?.streams.edges ?? []) expect(e.node.health).toBe("STARVING");
  });

  it("stops a stream and returns the channel offline; a second stop is ChannelNotBroadcastingError", async () => {
    const live = await liveChannel(h);
    const stopped = await h.gql<{ stopStream: Result }>(STOP, { channelArn: live.arn });
    expect(stopped.data?.stopStream).toEqual({
      __typename: "Channel",
      arn: live.arn,
      isLive: false,
      stream: null,
    });
    await expect(h.ivs.send(new GetStreamCommand({ channelArn: live.arn }))).rejects.toThrow();
    const again = await h.gql<{ stopStream: Result }>(STOP, { channelArn: live.arn });
    expect(again.data?.stopStream).toMatchObject({
      __typename: "ChannelNotBroadcastingError",
      channelArn: live.arn,
      retriable: false,
    });
  });

  it("reports stopStream on a missing or malformed channel as typed results", async () => {
    const missing = await h.gql<{ stopStream: Result }>(STOP, { channelArn: MISSING });
    expect(missing.data?.stopStream).toMatchObject({ __typename: "NotFoundError", missingArn: MISSING });
    const bad = await h.gql<{ stopStream: Result }>(STOP, { channelArn: "nope" });
    expect(bad.data?.stopStream).toMatchObject({ __typename: "ValidationError", field: "input.channelArn" });
    expect(h.count("StopStream")).toBe(1);
  });

  it("puts metadata into a live stream and returns the channel", async () => {
    const live = await liveChannel(h);
    const res = await h.gql<{ putMetadata: Result }>(PUT, { channelArn: live.arn, metadata: '{"q":1}' });
    expect(res.data?.putMetadata).toEqual({ __typename: "Channel", arn: live.arn });
    expect(h.count("PutMetadata")).toBe(1);
  });

  it("reports putMetadata failures as typed results", async () => {
    const out = await h.ivs.send(new CreateChannelCommand({ name: "quiet" }));
    const offline = await h.gql<{ putMetadata: Result }>(PUT, {
      channelArn: out.channel?.arn,
      metadata: "x",
    });
    expect(offline.data?.putMetadata).toMatchObject({
      __typename: "ChannelNotBroadcastingError",
      channelArn: out.channel?.arn,
    });
    await h.resetCounts();
    for (const [metadata, field] of [
      ["", "input.metadata"],
      ["é".repeat(513), "input.metadata"],
    ]) {
      const res = await h.gql<{ putMetadata: Result }>(PUT, { channelArn: out.channel?.arn, metadata });
      expect(res.data?.putMetadata).toMatchObject({ __typename: "ValidationError", field });
    }
    expect(h.count("PutMetadata")).toBe(0);

    const live = await liveChannel(h);
    h.emulator.setFaults({ throttleRate: 1, operations: ["PutMetadata"] });
    const throttled = await h.gql<{ putMetadata: Result }>(PUT, { channelArn: live.arn, metadata: "x" });
    expect(throttled.data?.putMetadata).toMatchObject({ __typename: "ThrottledError", retriable: true });
  });

  it("refuses to update or delete a live channel with ConflictError", async () => {
    const live = await liveChannel(h);
    const res = await h.gql<Record<string, Result>>(
      `mutation ($arn: String!) {
        update: updateChannel(input: { arn: $arn, name: "renamed" }) { __typename ... on Error { message } }
        delete: deleteChannel(input: { arn: $arn }) { __typename ... on Error { message } } }`,
      { arn: live.arn },
    );
    expect(res.data?.update).toMatchObject({
      __typename: "ConflictError",
      message: expect.stringContaining("live"),
    });
    expect(res.data?.delete).toMatchObject({
      __typename: "ConflictError",
      message: expect.stringContaining("live"),
    });
  });
});
