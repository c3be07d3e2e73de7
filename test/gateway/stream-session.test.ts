import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  ListStreamSessionsCommand,
  UpdateChannelCommand,
} from "@aws-sdk/client-ivs";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { SESSIONS_KEPT } from "../../src/mirror/sessions.ts";
import { type GraphQLResult, useGateway } from "./harness.ts";

type Session = Record<string, unknown> & { streamId: string };
type Page = {
  edges: { cursor: string; node: Session }[];
  pageInfo: { hasNextPage: boolean; endCursor: string };
};

const SESSIONS = `query ($arn: String!, $first: Int, $after: String) { channel(arn: $arn) {
  sessions(first: $first, after: $after) {
    edges { cursor node { streamId startTime endTime hasErrorEvent } } pageInfo { hasNextPage endCursor } } } }`;

const FULL = `channelArn streamId startTime endTime hasErrorEvent
  channel { arn name }
  ingestConfiguration { video { codec videoWidth } audio { codec } }
  ingestConfigurations { videoConfigurations { codec videoWidth videoHeight track } audioConfigurations { codec channels } }
  recordingConfiguration { arn name }
  truncatedEvents { name type eventTime code }`;

describe("stream sessions", () => {
  const h = useGateway();
  let channelArn = "";
  let rcArn = "";
  const ids: string[] = [];

  beforeAll(async () => {
    const rc = await h.ivs.send(
      new CreateRecordingConfigurationCommand({
        destinationConfiguration: { s3: { bucketName: "sessions" } },
      }),
    );
    rcArn = rc.recordingConfiguration?.arn as string;
    const out = await h.ivs.send(
      new CreateChannelCommand({ name: "first-name", recordingConfigurationArn: rcArn }),
    );
    channelArn = out.channel?.arn as string;
    // Three sessions: one that failed, one that ended normally, one still live (newest). A second apart, as
    // sessions of one channel are: events carry second-precision times, so sessions started within one second
    // of each other could not be put in order from them (in IVS a channel's next session cannot start so soon).
    const aSecondLater = () => new Promise((r) => setTimeout(r, 1100));
    ids.push(h.emulator.broadcasts.start(channelArn).streamId);
    h.emulator.broadcasts.fail(channelArn);
    await aSecondLater();
    ids.push(h.emulator.broadcasts.start(channelArn).streamId);
    h.emulator.broadcasts.end(channelArn);
    // The snapshot in older sessions keeps the name they went live with.
    await h.ivs.send(new UpdateChannelCommand({ arn: channelArn, name: "second-name" }));
    await aSecondLater();
    ids.push(h.emulator.broadcasts.start(channelArn).streamId);
    // The events reach the mirror asynchronously (later under load); a reconciliation settles the live one.
    await vi.waitFor(
      async () => {
        await h.live.hub.reconcile(true);
        const res = await h.gql<{ channel: { sessions: Page } }>(SESSIONS, { arn: channelArn });
        expect(res.data?.channel.sessions.edges.map((e) => e.node.streamId)).toEqual([...ids].reverse());
      },
      { timeout: 10_000, interval: 200 },
    );
  });
  beforeEach(() => h.resetCounts());

  it("lists sessions newest first from the mirror, with no IVS call", async () => {
    const res = await h.gql<{ channel: { sessions: Page } }>(SESSIONS, { arn: channelArn });
    const nodes = res.data?.channel.sessions.edges.map((e) => e.node);
    expect(nodes?.map((n) => n.streamId)).toEqual([...ids].reverse());
    expect(nodes?.map((n) => n.endTime === null)).toEqual([true, false, false]);
    expect(nodes?.map((n) => n.hasErrorEvent)).toEqual([false, false, true]);
    expect(h.count("ListStreamSessions")).toBe(0);
    expect(h.count("GetStreamSession")).toBe(0);
  });

  it("pages through sessions one at a time", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const res = await h.gql<{ channel: { sessions: Page } }>(SESSIONS, {
        arn: channelArn,
        first: 1,
        after,
      });
      const page = res.data?.channel.sessions as Page;
      expect(page.edges).toHaveLength(1);
      seen.push(...page.edges.map((e) => e.node.streamId));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual([...ids].reverse());
  });

  it("upgrades listed sessions with at most one GetStreamSession each, then keeps the details", async () => {
    const query = `query ($arn: String!) { channel(arn: $arn) {
        sessions { edges { node { streamId truncatedEvents { name type } } } } } }`;
    const res = await h.gql<{ channel: { sessions: { edges: { node: Session }[] } } }>(query, {
      arn: channelArn,
    });
    const nodes = res.data?.channel.sessions.edges.map((e) => e.node) ?? [];
    const oldest = nodes[2]?.truncatedEvents as { name: string; type: string }[];
    // Newest first: the failure ended the oldest session. Recording events interleave as the recorder runs.
    expect(oldest.filter((e) => e.type === "IVS Stream State Change").map((e) => e.name)).toEqual([
      "Stream End",
      "Session Ended",
      "Stream Failure",
      "Stream Start",
      "Session Created",
    ]);
    expect(oldest.map((e) => e.name)).toContain("Recording Start");
    // Ended sessions' details were read when they ended; only the live one's is read now.
    expect(h.count("GetStreamSession")).toBe(1);
    await h.resetCounts();
    expect(await h.gql(query, { arn: channelArn })).toEqual(res);
    expect(h.count("GetStreamSession")).toBe(0);
  });

  it("returns a whole session: snapshot channel, ingest, recording configuration and events", async () => {
    const res = await h.gql<{ channel: { session: Session } }>(
      `query ($arn: String!, $id: String) { channel(arn: $arn) { session(streamId: $id) { ${FULL} } } }`,
      { arn: channelArn, id: ids[1] },
    );
    const s = res.data?.channel.session as Session;
    expect(s).toMatchObject({
      channelArn,
      streamId: ids[1],
      endTime: expect.any(String),
      // From the mirror's session list: GetStreamSession itself does not say.
      hasErrorEvent: false,
      channel: { arn: channelArn, name: "first-name" },
      recordingConfiguration: { arn: rcArn },
      ingestConfiguration: { video: { codec: expect.any(String) }, audio: { codec: expect.any(String) } },
    });
    const video = (s.ingestConfigurations as { videoConfigurations: Record<string, unknown>[] })
      .videoConfigurations;
    expect(video[0]).toMatchObject({ track: "Track0", videoWidth: expect.any(Number) });
    const events = s.truncatedEvents as { name: string; type: string; eventTime: string }[];
    expect(events.at(-1)).toMatchObject({ name: "Session Created", type: "IVS Stream State Change" });
    const times = events.map((e) => Date.parse(e.eventTime));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("answers session() without a stream id with the most recent session, which is live", async () => {
    const res = await h.gql(
      `query ($arn: String!) { channel(arn: $arn) { name session { streamId endTime channel { name } } } }`,
      { arn: channelArn },
    );
    expect(res.data).toEqual({
      channel: {
        name: "second-name",
        session: { streamId: ids[2], endTime: null, channel: { name: "second-name" } },
      },
    });
  });

  it("answers Stream.session and Channel.session of one stream from details read once and kept", async () => {
    const res = await h.gql(
      `query ($arn: String!, $id: String!) { channel(arn: $arn) {
        stream { session { streamId truncatedEvents { name } } } session(streamId: $id) { streamId } } }`,
      { arn: channelArn, id: ids[2] },
    );
    expect(res.data).toMatchObject({
      channel: { stream: { session: { streamId: ids[2] } }, session: { streamId: ids[2] } },
    });
    // An earlier test read the live session's details; no event about it came since.
    expect(h.count("GetStreamSession")).toBe(0);
  });

  it("answers null for a missing session or channel; malformed ids cost no request", async () => {
    const missing = "st-0000000000000000000000a";
    const res = await h.gql(
      `query ($arn: String!, $missing: String!) {
        a: streamSession(channelArn: $arn, streamId: $missing) { streamId }
        b: streamSession(channelArn: "arn:aws:ivs:us-west-2:123456789012:channel/missing00000") { streamId }
        c: streamSession(channelArn: $arn, streamId: "st-short") { streamId }
        d: streamSession(channelArn: "nope") { streamId }
        e: streamSession(channelArn: $arn, streamId: "${ids[0]}") { streamId } }`,
      { arn: channelArn, missing },
    );
    expect(res).toEqual({ data: { a: null, b: null, c: null, d: null, e: { streamId: ids[0] } } });
    // The missing session was asked for; the missing channel once (BatchGetChannel, then remembered);
    // the ended session's details were read when it ended.
    expect(h.count("GetStreamSession")).toBe(1);
    expect(h.count("BatchGetChannel")).toBe(1);
  });
});

describe("a channel with more sessions than the mirror keeps", () => {
  const h = useGateway({ quotas: { enabled: false } });
  let channelArn = "";
  const TOTAL = SESSIONS_KEPT + 5;

  beforeAll(async () => {
    const out = await h.ivs.send(new CreateChannelCommand({ name: "long-history" }));
    channelArn = out.channel?.arn as string;
    for (let i = 0; i < TOTAL; i++) {
      h.emulator.broadcasts.start(channelArn);
      h.emulator.broadcasts.end(channelArn);
    }
  });

  it("pages past the newest it keeps by reading IVS's older pages, without gaps or repeats", async () => {
    const truth: string[] = [];
    let token: string | undefined;
    do {
      const page = await h.ivs.send(new ListStreamSessionsCommand({ channelArn, nextToken: token }));
      truth.push(...(page.streamSessions ?? []).map((s) => s.streamId as string));
      token = page.nextToken;
    } while (token);
    expect(truth).toHaveLength(TOTAL);
    await h.resetCounts();
    const seen: { streamId: string; startTime: string }[] = [];
    const pages: number[] = [];
    let after: string | null = null;
    do {
      const res: GraphQLResult<{ channel: { sessions: Page } }> = await h.gql(
        `query ($arn: String!, $after: String) { channel(arn: $arn) {
          sessions(first: 50, after: $after) { edges { node { streamId startTime } } pageInfo { hasNextPage endCursor } } } }`,
        { arn: channelArn, after },
      );
      const conn = res.data?.channel.sessions as Page;
      seen.push(...conn.edges.map((e) => e.node as { streamId: string; startTime: string }));
      pages.push(h.count("ListStreamSessions"));
      after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(seen.map((s) => s.streamId))).toEqual(new Set(truth));
    expect(seen).toHaveLength(TOTAL);
    const times = seen.map((s) => Date.parse(s.startTime));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The first two pages are the mirror's newest 100; only the last one asked IVS.
    expect(pages.slice(0, 2)).toEqual([0, 0]);
    expect(pages[2]).toBeGreaterThan(0);
  });
});
