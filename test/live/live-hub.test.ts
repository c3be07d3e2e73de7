import { describe, expect, it } from "vitest";
import { memoryDeduper } from "../../src/live/dedupe.ts";
import { memoryEventLog } from "../../src/live/event-log.ts";
import { EventIngestor } from "../../src/live/ingest.ts";
import { LiveHub, type LiveUpdate, type RelayedEntry } from "../../src/live/live-hub.ts";
import type { SnapshotStream } from "../../src/live/live-state.ts";

const A = "arn:aws:ivs:us-west-2:123456789012:channel/AAAAAAAAAAAA";
const B = "arn:aws:ivs:us-west-2:123456789012:channel/BBBBBBBBBBBB";
let n = 0;
function envelope(
  channelArn: string,
  detailType: string,
  detail: Record<string, unknown>,
  time = "2026-11-24T10:00:00Z",
) {
  n += 1;
  return {
    version: "0",
    id: `00000000-0000-0000-0000-${String(n).padStart(12, "0")}`,
    "detail-type": detailType,
    source: "aws.ivs",
    account: "123456789012",
    time,
    region: "us-west-2",
    resources: [channelArn],
    detail,
  };
}
const streamEvent = (arn: string, name: string, streamId: string, time?: string) =>
  envelope(arn, "IVS Stream State Change", { event_name: name, channel_name: "", stream_id: streamId }, time);

function setup(live: SnapshotStream[] = []) {
  const log = memoryEventLog(100);
  const hub = new LiveHub({ log, listLiveStreams: async () => live, reconcileIntervalMs: 60_000 });
  const ingestor = new EventIngestor({ log, dedupe: memoryDeduper() });
  return { hub, ingestor, log };
}

async function take<T>(it: AsyncIterator<T>, count: number): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i++) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe("live hub", () => {
  it("starts from a ListStreams snapshot and pushes changes from events", async () => {
    const { hub, ingestor } = setup([{ channelArn: A, streamId: "st-1" }]);
    await hub.start();
    const it = hub.watchChannels([A, B]);
    const initial = await take(it, 2);
    expect(initial.map((u) => [u.channelArn, u.status])).toEqual([
      [A, "LIVE"],
      [B, "OFFLINE"],
    ]);
    await ingestor.ingest(streamEvent(B, "Stream Start", "st-2", new Date().toISOString()));
    const [change] = await take(it, 1);
    expect(change).toMatchObject({ channelArn: B, status: "LIVE", streamId: "st-2", deleted: false });
    await it.return?.();
    expect(hub.subscriberCounts().channelSubscriptions).toBe(0);
    await hub.stop();
  });

  it("drops duplicates and counts what it does not relay", async () => {
    const { ingestor } = setup();
    const e = streamEvent(A, "Stream Start", "st-1");
    expect((await ingestor.ingest(e)).outcome).toBe("relayed");
    expect((await ingestor.ingest(e)).outcome).toBe("duplicate");
    expect((await ingestor.ingest({ ...e, id: "other", "detail-type": "IVS Something New" })).outcome).toBe(
      "ignored",
    );
    expect((await ingestor.ingest({ ...e, id: "third", source: "aws.s3" })).outcome).toBe("ignored");
    expect(await ingestor.ingest({ ...e, time: "yesterday" })).toMatchObject({
      outcome: "malformed",
      reason: expect.stringContaining("time"),
    });
    expect((await ingestor.ingest([e])).outcome).toBe("malformed");
  });

  it("completes channel subscriptions when their channels are deleted", async () => {
    const { hub } = setup();
    await hub.start();
    const it = hub.watchChannels([A, B]);
    await take(it, 2);
    await hub.channelDeleted(A);
    // The last update is a change like any other: one version later, and nothing left live.
    expect(await take(it, 1)).toMatchObject([
      { channelArn: A, deleted: true, status: "OFFLINE", streamId: null, version: 1 },
    ]);
    await hub.channelDeleted(B);
    expect(await take(it, 1)).toMatchObject([{ channelArn: B, deleted: true }]);
    expect((await it.next()).done).toBe(true);
    await hub.stop();
  });

  it("sends the start time with the first LIVE update, and the viewer count soon after", async () => {
    const live: SnapshotStream[] = [];
    const { hub, ingestor } = setup(live);
    await hub.start();
    const it = hub.watchChannels([A]);
    await take(it, 1);
    const created = new Date(Math.floor(Date.now() / 1000) * 1000);
    await ingestor.ingest(streamEvent(A, "Session Created", "st-9", created.toISOString()));
    const [first] = await take(it, 1);
    expect(first).toMatchObject({ status: "LIVE", startTime: created.getTime(), viewerCount: null });
    // ListStreams now reports the stream with its viewers: a follow-up asks it well before the period (60 s).
    live.push({ channelArn: A, streamId: "st-9", startTime: created.getTime(), viewerCount: 7 });
    const [next] = await take(it, 1);
    expect(next).toMatchObject({ status: "LIVE", viewerCount: 7, source: "RECONCILIATION" });
    expect(next?.version).toBeGreaterThan(first?.version ?? Number.POSITIVE_INFINITY);
    await it.return?.();
    await hub.stop();
  });

  it("filters relayed events by channel and kind, and replays after a log id", async () => {
    const { hub, ingestor } = setup();
    await hub.start();
    const onlyA = hub.watchEvents({ channelArns: [A], kinds: ["STREAM_HEALTH"] });
    // A Repeater starts when first pulled, as a GraphQL transport does at once.
    const pulled = take<RelayedEntry>(onlyA, 2);
    await ingestor.ingest(streamEvent(A, "Stream Start", "st-1"));
    await ingestor.ingest(
      envelope(B, "IVS Stream Health Change", { event_name: "Starvation Start", stream_id: "st-2" }),
    );
    const first = await ingestor.ingest(
      envelope(A, "IVS Stream Health Change", { event_name: "Starvation Start", stream_id: "st-1" }),
    );
    const second = await ingestor.ingest(
      envelope(A, "IVS Stream Health Change", { event_name: "Starvation End", stream_id: "st-1" }),
    );
    const got = await pulled;
    expect(got.map((e) => e.logId)).toEqual([first.logId, second.logId]);
    await onlyA.return?.();

    const resumed = hub.watchEvents({ channelArns: [A] }, first.logId);
    const replayed = await take<RelayedEntry>(resumed, 1);
    expect(replayed[0]?.logId).toBe(second.logId);
    const third = await ingestor.ingest(streamEvent(A, "Stream End", "st-1"));
    expect((await take<RelayedEntry>(resumed, 1))[0]?.logId).toBe(third.logId);
    await resumed.return?.();
    await hub.stop();
  });

  it("fails a replay that reaches past the retained log instead of skipping silently", async () => {
    const { hub, ingestor } = setup();
    await hub.start();
    const first = await ingestor.ingest(streamEvent(A, "Stream Start", "st-1"));
    for (let i = 0; i < 120; i++)
      await ingestor.ingest(
        envelope(A, "IVS Stream Health Change", { event_name: "Starvation End", stream_id: "st-1" }),
      );
    const it = hub.watchEvents({}, first.logId);
    await expect(it.next()).rejects.toThrow(/replay window/);
    await hub.stop();
  });

  it("relays an event dated outside the window, judged at the log's receipt time, without moving live state", async () => {
    const { hub, ingestor } = setup();
    await hub.start();
    const status = hub.watchChannels([A]);
    await take(status, 1);
    const events = hub.watchEvents({ channelArns: [A] });
    const relayed = take<RelayedEntry>(events, 2);
    const poisoned = await ingestor.ingest(
      streamEvent(A, "Stream Start", "st-future", "2999-01-01T00:00:00Z"),
    );
    const real = await ingestor.ingest(streamEvent(A, "Stream Start", "st-real", new Date().toISOString()));
    expect((await relayed).map((e) => e.logId)).toEqual([poisoned.logId, real.logId]);
    // The first change subscribers see is the real start: the future-dated one moved nothing.
    expect((await take<LiveUpdate>(status, 1))[0]).toMatchObject({
      status: "LIVE",
      streamId: "st-real",
      version: 1,
    });
    await status.return?.();
    await events.return?.();
    await hub.stop();
  });

  it("repairs a lost end event at the next reconciliation and publishes the correction", async () => {
    let live: SnapshotStream[] = [];
    const log = memoryEventLog();
    const hub = new LiveHub({ log, listLiveStreams: async () => live, reconcileIntervalMs: 60_000 });
    const ingestor = new EventIngestor({ log, dedupe: memoryDeduper() });
    await hub.start();
    const it = hub.watchChannels([A]);
    await take(it, 1);
    await ingestor.ingest(
      streamEvent(A, "Stream Start", "st-1", new Date(Date.now() - 10_000).toISOString()),
    );
    expect((await take<LiveUpdate>(it, 1))[0]?.status).toBe("LIVE");
    live = [];
    const changes = await hub.reconcile();
    expect(changes.map((c) => c.status)).toEqual(["OFFLINE"]);
    expect((await take<LiveUpdate>(it, 1))[0]).toMatchObject({ status: "OFFLINE", source: "RECONCILIATION" });
    await it.return?.();
    await hub.stop();
  });
});
