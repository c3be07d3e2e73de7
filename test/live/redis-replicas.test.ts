import { randomUUID } from "node:crypto";
import { IvsClient } from "@aws-sdk/client-ivs";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createLiveEvents, type LiveEvents } from "../../src/live/index.ts";
import type { LiveUpdate, RelayedEntry } from "../../src/live/live-hub.ts";
import type { SnapshotStream } from "../../src/live/live-state.ts";
import { stateChange } from "./envelopes.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const A = "arn:aws:ivs:us-west-2:123456789012:channel/AAAAAAAAAAAA";
const started: LiveEvents[] = [];
/** Key prefixes the file's replicas wrote under, removed after it (Redis outlives the run). */
const prefixes = new Set<string>();
// Never called: these replicas reconcile through the injected listLiveStreams.
const ivs = new IvsClient({
  region: "us-west-2",
  endpoint: "http://127.0.0.1:9",
  credentials: { accessKeyId: "x", secretAccessKey: "x" },
});

async function replica(prefix: string, live: () => SnapshotStream[] = () => []) {
  prefixes.add(prefix);
  const r = await createLiveEvents({
    ivs,
    redisUrl: REDIS_URL,
    redisKeyPrefix: prefix,
    ingestApiKey: "k",
    reconcileIntervalMs: 60_000,
    listLiveStreams: async () => live(),
  });
  await r.start();
  started.push(r);
  return r;
}

const event = (id: string, eventName: string, streamId: string) =>
  stateChange({ id, channelArn: A, eventName, streamId });

afterAll(async () => {
  for (const r of started) await r.stop();
  ivs.destroy();
  const redis = new Redis(REDIS_URL);
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

describe("two replicas sharing a real Redis", () => {
  it("delivers an event ingested on one replica to a subscriber on the other", async () => {
    const prefix = `test-${randomUUID()}:`;
    const one = await replica(prefix);
    const two = await replica(prefix);
    const watching = two.hub.watchChannels([A]);
    // The ingesting replica applies the event when it reads it back from the stream, like every other
    // replica: not necessarily before the other one does.
    const watchingOne = one.hub.watchChannels([A]);
    expect((await watching.next()).value).toMatchObject({ status: "OFFLINE" });
    expect((await watchingOne.next()).value).toMatchObject({ status: "OFFLINE" });
    const next = watching.next();
    const nextOne = watchingOne.next();
    expect((await one.ingestor.ingest(event(randomUUID(), "Stream Start", "st-1"))).outcome).toBe("relayed");
    const update = (await next).value as LiveUpdate;
    expect(update).toMatchObject({ channelArn: A, status: "LIVE", streamId: "st-1" });
    // Both replicas hold the same state.
    expect((await nextOne).value).toMatchObject({ channelArn: A, status: "LIVE", streamId: "st-1" });
    expect(one.hub.state.get(A).status).toBe("LIVE");
    await watching.return?.();
    await watchingOne.return?.();
  });

  it("drops a duplicate delivered to the other replica", async () => {
    const prefix = `test-${randomUUID()}:`;
    const one = await replica(prefix);
    const two = await replica(prefix);
    const e = event(randomUUID(), "Stream Start", "st-2");
    expect((await one.ingestor.ingest(e)).outcome).toBe("relayed");
    expect((await two.ingestor.ingest(e)).outcome).toBe("duplicate");
  });

  it("replays missed events after a reconnect with lastEventId", async () => {
    const prefix = `test-${randomUUID()}:`;
    const one = await replica(prefix);
    const first = await one.ingestor.ingest(event(randomUUID(), "Session Created", "st-3"));
    const second = await one.ingestor.ingest(event(randomUUID(), "Stream Start", "st-3"));
    const later = await replica(prefix);
    const resumed = later.hub.watchEvents({ channelArns: [A] }, first.logId);
    const got = (await resumed.next()).value as RelayedEntry;
    expect(got.logId).toBe(second.logId);
    expect(got.event).toMatchObject({ kind: "STREAM_STATE", eventName: "Stream Start" });
    await resumed.return?.();
  });

  it("lets one replica per period reconcile, and spreads its snapshot to the others", async () => {
    const prefix = `test-${randomUUID()}:`;
    let truth: SnapshotStream[] = [];
    const one = await replica(prefix, () => truth);
    const two = await replica(prefix, () => truth);
    truth = [{ channelArn: A, streamId: "st-9" }];
    const watching = two.hub.watchChannels([A]);
    await watching.next();
    const next = watching.next();
    const [a, b] = await Promise.all([one.hub.reconcile(), two.hub.reconcile()]);
    // Exactly one of the two claimed the turn and listed streams.
    expect([a.length, b.length].sort()).toEqual([0, 1]);
    expect((await next).value).toMatchObject({ status: "LIVE", streamId: "st-9", source: "RECONCILIATION" });
    await watching.return?.();
    const redis = new Redis(REDIS_URL);
    expect(await redis.exists(`${prefix}reconcile-turn`)).toBe(1);
    redis.disconnect();
  });
});
