import { Writable } from "node:stream";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { memoryAuditLog, redisAuditLog } from "../../src/audit/log.ts";
import { type AuditRecord, outcomeOf, resourceArnOf } from "../../src/audit/record.ts";
import { NotFoundError, ThrottledError } from "../../src/errors.ts";
import { createLogger } from "../../src/logger.ts";

const ARN = "arn:aws:ivs:us-west-2:123456789012:channel/AAAAAAAAAAAA";

function record(i: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: `r${i}`,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    principal: i % 2 === 0 ? "jwt:even" : "jwt:odd",
    principalKind: "jwt",
    operation: "updateChannel",
    ivsOperations: [],
    outcome: "OK",
    requestId: `req-${i}`,
    ...overrides,
  };
}

function captured() {
  const lines: { level: number; msg: string; audit?: AuditRecord }[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "info", destination }) };
}

describe("the in-memory audit log", () => {
  it("keeps the newest maxRecords, pages newest first and filters", async () => {
    const log = memoryAuditLog({ maxRecords: 5 });
    for (let i = 0; i < 8; i++) await log.record(record(i));
    const all = await log.query({ first: 10 });
    expect(all.edges.map((e) => e.record.id)).toEqual(["r7", "r6", "r5", "r4", "r3"]);
    expect(all.hasNextPage).toBe(false);

    const first = await log.query({ first: 2 });
    expect(first.edges.map((e) => e.record.id)).toEqual(["r7", "r6"]);
    expect(first.hasNextPage).toBe(true);
    const next = await log.query({ first: 2, after: first.edges[1]?.cursor });
    expect(next.edges.map((e) => e.record.id)).toEqual(["r5", "r4"]);

    expect((await log.query({ first: 10, principal: "jwt:odd" })).edges.map((e) => e.record.id)).toEqual([
      "r7",
      "r5",
      "r3",
    ]);
    const window = await log.query({
      first: 10,
      since: new Date(record(4).time),
      until: new Date(record(6).time),
    });
    expect(window.edges.map((e) => e.record.id)).toEqual(["r5", "r4"]);
    await expect(log.query({ first: 1, after: "%%%" })).rejects.toThrow(/cursor/);
  });

  it("writes every record to the logger", async () => {
    const { lines, logger } = captured();
    const log = memoryAuditLog({ logger });
    await log.record(record(1, { resourceArn: ARN }));
    expect(lines).toEqual([
      expect.objectContaining({ msg: "audit", audit: record(1, { resourceArn: ARN }) }),
    ]);
  });
});

describe("the Redis audit log", () => {
  it("never fails the mutation when Redis refuses the write", async () => {
    const { lines, logger } = captured();
    const redis = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false });
    const log = redisAuditLog({ redis, logger });
    await expect(log.record(record(1))).resolves.toBeUndefined();
    expect(lines.map((l) => l.msg)).toEqual(["audit", "audit record not written to Redis"]);
    redis.disconnect();
  });

  it("goes on without the write when Redis does not answer in time", async () => {
    const { lines, logger } = captured();
    // An offline queue that never drains: the XADD waits for a connection that never comes.
    const redis = new Redis({ port: 1, lazyConnect: true, maxRetriesPerRequest: null });
    redis.on("error", () => {});
    const log = redisAuditLog({ redis, logger, writeTimeoutMs: 50 });
    const started = Date.now();
    await log.record(record(1));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(lines.map((l) => l.msg)).toEqual(["audit", "audit record not yet written to Redis; going on"]);
    redis.disconnect();
  });
});

describe("a record's outcome and resource", () => {
  it("names gateway errors, refusals and the unexpected", () => {
    expect(outcomeOf({ arn: ARN }, false)).toEqual({ outcome: "OK" });
    expect(outcomeOf(new NotFoundError("gone", ARN), true)).toEqual({
      outcome: "NotFoundError",
      errorCode: "NOT_FOUND",
    });
    // The errors plugin returns an error as a result: still its type.
    expect(outcomeOf(new ThrottledError("slow"), false)).toEqual({
      outcome: "ThrottledError",
      errorCode: "THROTTLED",
    });
    expect(outcomeOf(new TypeError("bug"), true)).toEqual({
      outcome: "INTERNAL",
      errorCode: "INTERNAL_SERVER_ERROR",
    });
  });

  it("takes only ARNs from the input, and the created resource's", () => {
    expect(resourceArnOf({ input: { arn: ARN, name: "x" } }, null)).toBe(ARN);
    expect(resourceArnOf({ input: { name: "x" } }, { channel: { arn: ARN }, streamKey: { arn: "y" } })).toBe(
      ARN,
    );
    expect(resourceArnOf({ input: { channelArn: ARN } }, { token: "secret", channelArn: ARN })).toBe(ARN);
    // Whatever sits in an ARN member but is no ARN (a pasted key, say) is not echoed.
    expect(resourceArnOf({ input: { arn: "sk_us-west-2_secretvalue" } }, null)).toBeUndefined();
  });
});
