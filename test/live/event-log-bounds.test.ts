import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { IvsClient } from "@aws-sdk/client-ivs";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { memoryDeduper } from "../../src/live/dedupe.ts";
import { entryBytes, type LogEntry, MAX_ENTRY_BYTES, memoryEventLog } from "../../src/live/event-log.ts";
import { createLiveEvents, type LiveEvents } from "../../src/live/index.ts";
import { EventIngestor } from "../../src/live/ingest.ts";
import { redisEventLog } from "../../src/live/redis-event-log.ts";
import { stateChange } from "./envelopes.ts";

// Finding 5 of issue 11: the in-memory log kept 10,000 entries of up to 256 KiB each, and 2,304 events with a
// 200 KB channel_name ran a 512 MB heap out of memory.

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const A = "arn:aws:ivs:us-west-2:123456789012:channel/AAAAAAAAAAAA";
const KEY = "test-events-key-0123456789";
const ivs = new IvsClient({
  region: "us-west-2",
  endpoint: "http://127.0.0.1:9",
  credentials: { accessKeyId: "x", secretAccessKey: "x" },
});
const admin = new Redis(REDIS_URL);
const started: LiveEvents[] = [];
const servers: Server[] = [];
const prefixes = new Set<string>();
const connections: Redis[] = [];

afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  for (const r of started) await r.stop();
  for (const c of connections) c.disconnect();
  ivs.destroy();
  for (const prefix of prefixes) {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
  }
  admin.disconnect();
});

const streamStart = (id: string, channelName = "show") =>
  stateChange({
    id,
    channelArn: A,
    eventName: "Stream Start",
    streamId: `st-${id.slice(0, 8)}`,
    channelName,
  });

/** A CloudTrail TagResource record: its tags become the log entry, so a large tag makes a large entry. */
function tagResource(id: string, value: string) {
  return {
    version: "0",
    id,
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.ivs",
    account: "123456789012",
    time: new Date().toISOString(),
    region: "us-west-2",
    resources: [],
    detail: {
      eventSource: "ivs.amazonaws.com",
      eventName: "TagResource",
      eventTime: new Date().toISOString(),
      requestParameters: { resourceArn: A, tags: { note: value } },
      responseElements: null,
    },
  };
}

const deleted = (i: number, pad: number): LogEntry => ({
  type: "deleted",
  channelArn: `${A}-${i}-${"x".repeat(pad)}`,
});

const retainedBytes = async (log: { retained(): Promise<{ entry: LogEntry }[]> }) =>
  (await log.retained()).reduce((sum, e) => sum + entryBytes(e.entry), 0);

describe("the in-memory log, bounded in bytes", () => {
  it("keeps at most its byte bound, drops the oldest first and replays what it kept", async () => {
    const maxBytes = 10_000;
    const log = memoryEventLog(10_000, maxBytes);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await log.append(deleted(i, 900)));
    const kept = await log.retained();
    expect(await retainedBytes(log)).toBeLessThanOrEqual(maxBytes);
    // As many of the newest as fit, in order: the oldest went first.
    const size = entryBytes(deleted(0, 900));
    const fit = Math.floor(maxBytes / size);
    expect(kept.map((e) => e.id)).toEqual(ids.slice(-fit));
    // Replay after a kept entry gives what followed it; after a dropped one, "too old" (undefined).
    expect((await log.since(ids[ids.length - 3] as string))?.map((e) => e.id)).toEqual(ids.slice(-2));
    expect(await log.since(ids[0] as string)).toBeUndefined();
  });

  it("still bounds the count, and always keeps the newest entry even when it alone exceeds the bound", async () => {
    const byCount = memoryEventLog(5, 1_000_000);
    for (let i = 0; i < 8; i++) await byCount.append(deleted(i, 10));
    expect(await byCount.retained()).toHaveLength(5);
    const tiny = memoryEventLog(10_000, 100);
    await tiny.append(deleted(1, 10));
    const last = await tiny.append(deleted(2, 500));
    expect((await tiny.retained()).map((e) => e.id)).toEqual([last]);
  });

  it("takes its bound from createLiveEvents' logMaxBytes", async () => {
    const live = await createLiveEvents({
      ivs,
      ingestApiKey: KEY,
      reconcileIntervalMs: 60_000,
      listLiveStreams: async () => [],
      logMaxBytes: 5_000,
    });
    started.push(live);
    for (let i = 0; i < 40; i++)
      expect((await live.ingestor.ingest(streamStart(randomUUID()))).outcome).toBe("relayed");
    expect(await retainedBytes(live.log)).toBeLessThanOrEqual(5_000);
    expect((await live.log.retained()).length).toBeGreaterThan(0);
  });
});

describe("an entry over the per-entry cap", () => {
  it("is refused at ingest as too_large, stored nowhere and not marked as seen", async () => {
    const log = memoryEventLog();
    const ingestor = new EventIngestor({ log, dedupe: memoryDeduper() });
    const id = randomUUID();
    const result = await ingestor.ingest(tagResource(id, "x".repeat(MAX_ENTRY_BYTES)));
    expect(result).toMatchObject({ outcome: "too_large", id });
    expect(result.reason).toMatch(new RegExp(`at most ${MAX_ENTRY_BYTES}`));
    // The refusal names sizes only, never the content.
    expect(result.reason).not.toContain("xxxx");
    expect(await log.retained()).toEqual([]);
    // Under the cap, the same id is taken: a refusal leaves no mark.
    expect((await ingestor.ingest(tagResource(id, "a"))).outcome).toBe("mirrored");
  });

  it("is not stored for an IVS event with a 200 KB channel_name (the reported crash)", async () => {
    const log = memoryEventLog();
    const ingestor = new EventIngestor({ log, dedupe: memoryDeduper() });
    const result = await ingestor.ingest(streamStart(randomUUID(), "c".repeat(200_000)));
    // too_large here; whichever check refuses it first, it must not be kept.
    expect(["too_large", "malformed"]).toContain(result.outcome);
    expect(await log.retained()).toEqual([]);
  });

  for (const backend of ["memory", "redis"] as const) {
    it(`is answered on POST /events with a status EventBridge does not retry (${backend})`, async () => {
      const prefix = `test-${randomUUID()}:`;
      if (backend === "redis") prefixes.add(prefix);
      const live = await createLiveEvents({
        ivs,
        ...(backend === "redis" ? { redisUrl: REDIS_URL, redisKeyPrefix: prefix } : {}),
        ingestApiKey: KEY,
        reconcileIntervalMs: 60_000,
        listLiveStreams: async () => [],
      });
      await live.start();
      started.push(live);
      const server = createServer((req, res) => void live.ingestHandler(req, res));
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
      const body = JSON.stringify(tagResource(randomUUID(), "x".repeat(100_000)));
      expect(body.length).toBeLessThan(256 * 1024); // within what the endpoint reads
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": KEY },
        body,
      });
      await res.text();
      // EventBridge retries 401, 407, 409, 429 and 5xx; 413 ends the delivery and says why.
      expect(res.status).toBe(413);
      const entries = await live.log.retained();
      expect(entries.filter((e) => e.entry.type === "change")).toEqual([]);
    });
  }
});

describe("the Redis log", () => {
  it("caps its length on ingested appends, whatever the entries' age", async () => {
    const prefix = `test-${randomUUID()}:`;
    prefixes.add(prefix);
    const redis = new Redis(REDIS_URL);
    const reader = new Redis(REDIS_URL);
    connections.push(redis, reader);
    const log = redisEventLog({ redis, reader, key: `${prefix}events`, maxEntries: 10 });
    for (let i = 0; i < 300; i++) await log.appendUnmarked(deleted(i, 10), `${prefix}dedupe:${i}`, 60_000);
    // Trimming is approximate (whole stream nodes of stream-node-max-entries, 100 by default).
    expect(await admin.xlen(`${prefix}events`)).toBeLessThanOrEqual(10 + 100);
  });
});
