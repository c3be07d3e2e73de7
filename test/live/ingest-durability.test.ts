import { randomUUID } from "node:crypto";
import { IvsClient } from "@aws-sdk/client-ivs";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { memoryDeduper } from "../../src/live/dedupe.ts";
import { type EventLog, memoryEventLog } from "../../src/live/event-log.ts";
import { createLiveEvents, type LiveEvents } from "../../src/live/index.ts";
import { EventIngestor } from "../../src/live/ingest.ts";
import { stateChange } from "./envelopes.ts";

// Finding 2 of issue 11: the duplicate mark was written before the append, so an event whose append failed
// was answered `duplicate` on EventBridge's retry and never reached anyone.

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const A = "arn:aws:ivs:us-west-2:123456789012:channel/AAAAAAAAAAAA";
// Never called: these replicas reconcile through the injected listLiveStreams.
const ivs = new IvsClient({
  region: "us-west-2",
  endpoint: "http://127.0.0.1:9",
  credentials: { accessKeyId: "x", secretAccessKey: "x" },
});
const admin = new Redis(REDIS_URL);
const started: LiveEvents[] = [];
const prefixes = new Set<string>();
const users = new Set<string>();

afterAll(async () => {
  for (const r of started) await r.stop();
  ivs.destroy();
  for (const prefix of prefixes) {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
  }
  for (const user of users) await admin.call("ACL", "DELUSER", user);
  admin.disconnect();
});

const streamStart = (id: string, streamId: string) =>
  stateChange({ id, channelArn: A, eventName: "Stream Start", streamId, channelName: "show" });

/** A memory log whose appends fail while `failing` is set, the way a log whose store refuses writes does. */
function flakyLog(inner: EventLog) {
  const flaky = { failing: true };
  const log: EventLog = {
    ...inner,
    async append(entry) {
      if (flaky.failing) throw new Error("append refused");
      return inner.append(entry);
    },
  };
  return Object.assign(flaky, { log });
}

describe("an event whose append failed", () => {
  it("is appended on the retry, in memory, and a genuine duplicate is still dropped", async () => {
    const inner = memoryEventLog();
    const flaky = flakyLog(inner);
    const ingestor = new EventIngestor({ log: flaky.log, dedupe: memoryDeduper() });
    const id = randomUUID();
    await expect(ingestor.ingest(streamStart(id, "st-1"))).rejects.toThrow("append refused");
    expect(await inner.retained()).toEqual([]);
    flaky.failing = false;
    const retry = await ingestor.ingest(streamStart(id, "st-1"));
    expect(retry).toMatchObject({ outcome: "relayed", id });
    expect((await inner.retained()).map((e) => e.id)).toEqual([retry.logId]);
    expect(await ingestor.ingest(streamStart(id, "st-1"))).toMatchObject({ outcome: "duplicate", id });
    expect(await inner.retained()).toHaveLength(1);
  });

  it("is appended once when deliveries overlap, in memory", async () => {
    const log = memoryEventLog();
    const ingestor = new EventIngestor({ log, dedupe: memoryDeduper() });
    const id = randomUUID();
    const outcomes = await Promise.all([1, 2, 3].map(() => ingestor.ingest(streamStart(id, "st-1"))));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(["duplicate", "duplicate", "relayed"]);
    expect(await log.retained()).toHaveLength(1);
  });

  it("is relayed on the retry after Redis refused the XADD, and a genuine duplicate is still dropped", async () => {
    const prefix = `test-${randomUUID()}:`;
    prefixes.add(prefix);
    // A Redis user of its own, so that XADD can be refused to this replica only, as an ACL would in production.
    const user = `ivs-test-${randomUUID()}`;
    const password = randomUUID();
    users.add(user);
    await admin.call("ACL", "SETUSER", user, "on", `>${password}`, `~${prefix}*`, "+@all");
    const replica = async (url: string) => {
      const r = await createLiveEvents({
        ivs,
        redisUrl: url,
        redisKeyPrefix: prefix,
        ingestApiKey: "k",
        reconcileIntervalMs: 60_000,
        listLiveStreams: async () => [],
      });
      await r.start();
      started.push(r);
      return r;
    };
    const url = new URL(REDIS_URL);
    url.username = user;
    url.password = password;
    const ingesting = await replica(url.toString());
    const watching = await replica(REDIS_URL);
    const updates = watching.hub.watchChannels([A]);
    expect((await updates.next()).value).toMatchObject({ status: "OFFLINE" });

    const id = randomUUID();
    await admin.call("ACL", "SETUSER", user, "-xadd");
    await expect(ingesting.ingestor.ingest(streamStart(id, "st-1"))).rejects.toThrow(
      /NOPERM|can't run this command/,
    );
    await admin.call("ACL", "SETUSER", user, "+xadd");

    const next = updates.next();
    expect(await ingesting.ingestor.ingest(streamStart(id, "st-1"))).toMatchObject({
      outcome: "relayed",
      id,
    });
    // It reached the other replica, through the log.
    expect((await next).value).toMatchObject({ channelArn: A, status: "LIVE", streamId: "st-1" });
    // Redelivered to either replica, it is a duplicate.
    expect(await watching.ingestor.ingest(streamStart(id, "st-1"))).toMatchObject({ outcome: "duplicate" });
    expect(await ingesting.ingestor.ingest(streamStart(id, "st-1"))).toMatchObject({ outcome: "duplicate" });
    // Once in the log, however many times it was delivered.
    const entries = await admin.xrange(`${prefix}events`, "-", "+");
    expect(entries.filter(([, fields]) => JSON.parse(fields[1] ?? "{}").type === "event")).toHaveLength(1);
    await updates.return?.();
  });
});
