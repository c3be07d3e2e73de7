import type { Redis } from "ioredis";
import { ValidationError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { asUnavailable } from "../redis/errors.ts";
import type { AuditRecord } from "./record.ts";

/** Which records `query` returns, newest first. */
export interface AuditQuery {
  resourceArn?: string | undefined;
  /** A principal id, e.g. `jwt:alice`. */
  principal?: string | undefined;
  /** Records at or after this time. */
  since?: Date | undefined;
  /** Records before this time. */
  until?: Date | undefined;
  first: number;
  /** A cursor from an earlier page: the records older than that one. */
  after?: string | undefined;
}

export interface AuditPage {
  edges: { cursor: string; record: AuditRecord }[];
  hasNextPage: boolean;
}

/** Where audit records go: the log, and a bounded store `auditEvents` reads. */
export interface AuditLog {
  /**
   * Writes one record to the logger and the store. Never throws: a store that fails is logged, and the
   * mutation it records is not failed for it.
   */
  record(record: AuditRecord): Promise<void>;
  query(query: AuditQuery): Promise<AuditPage>;
}

export interface AuditLogOptions {
  /** Records kept (AUDIT_MAX_RECORDS); the oldest go first. Default 50,000. */
  maxRecords?: number;
  /** Every record is also logged here, at info (`{ audit: record }`). Default none. */
  logger?: Logger;
}

const DEFAULT_MAX = 50_000;

const notOurs = () => new ValidationError("The cursor is not one this gateway issued", "after");
const encode = (position: string) => Buffer.from(position).toString("base64url");
function decode(cursor: string, shape: RegExp): string {
  const position = Buffer.from(cursor, "base64url").toString("utf8");
  if (!shape.test(position)) throw notOurs();
  return position;
}

function matches(r: AuditRecord, q: AuditQuery): boolean {
  if (q.resourceArn !== undefined && r.resourceArn !== q.resourceArn) return false;
  if (q.principal !== undefined && r.principal !== q.principal) return false;
  const t = Date.parse(r.time);
  if (q.since && t < q.since.getTime()) return false;
  if (q.until && t >= q.until.getTime()) return false;
  return true;
}

/** This process's memory: a ring of the last `maxRecords` records. Cursors are sequence numbers. */
export function memoryAuditLog(options: AuditLogOptions = {}): AuditLog {
  const max = options.maxRecords ?? DEFAULT_MAX;
  const slots: AuditRecord[] = [];
  let next = 0;
  return {
    async record(record) {
      options.logger?.info({ audit: record }, "audit");
      slots[next % max] = record;
      next++;
    },
    async query(q) {
      const oldest = Math.max(0, next - max);
      let seq =
        q.after === undefined ? next - 1 : Math.min(Number(decode(q.after, /^\d{1,15}$/)) - 1, next - 1);
      const edges: AuditPage["edges"] = [];
      for (; seq >= oldest; seq--) {
        const record = slots[seq % max] as AuditRecord;
        if (!matches(record, q)) continue;
        if (edges.length === q.first) return { edges, hasNextPage: true };
        edges.push({ cursor: encode(String(seq)), record });
      }
      return { edges, hasNextPage: false };
    },
  };
}

export interface RedisAuditLogOptions extends AuditLogOptions {
  /** The shared command connection. */
  redis: Redis;
  /** Stream key. Default `ivs-gateway:audit`. */
  key?: string;
  /** How long a mutation waits for its record's XADD before going on without it. Default 1 s. */
  writeTimeoutMs?: number;
}

/**
 * Stream ids carry the Redis server's clock and `time` the gateway's: time bounds narrow the range read
 * by this much more, and the records' own times decide.
 */
const CLOCK_SKEW_MS = 60_000;
/** Entries read per XREVRANGE while filling a page. */
const SCAN_BATCH = 200;
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/**
 * A capped Redis stream shared by every replica: XADD with MAXLEN (exact, so that the stream holds
 * `maxRecords` and not a node's worth more), read newest first with XREVRANGE; cursors are stream ids.
 */
export function redisAuditLog(options: RedisAuditLogOptions): AuditLog {
  const { redis, logger } = options;
  const key = options.key ?? "ivs-gateway:audit";
  const max = options.maxRecords ?? DEFAULT_MAX;
  const timeoutMs = options.writeTimeoutMs ?? 1000;
  return {
    async record(record) {
      logger?.info({ audit: record }, "audit");
      let timer: NodeJS.Timeout | undefined;
      const write = redis.xadd(key, "MAXLEN", "=", String(max), "*", "r", JSON.stringify(record)).then(
        () => undefined,
        (err: unknown) => logger?.warn({ err, auditId: record.id }, "audit record not written to Redis"),
      );
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          logger?.warn({ auditId: record.id, timeoutMs }, "audit record not yet written to Redis; going on");
          resolve();
        }, timeoutMs);
      });
      await Promise.race([write, late]);
      clearTimeout(timer);
    },
    async query(q) {
      const start = q.since ? String(Math.max(0, q.since.getTime() - CLOCK_SKEW_MS)) : "-";
      let end = q.after
        ? `(${decode(q.after, STREAM_ID)}`
        : q.until
          ? String(q.until.getTime() + CLOCK_SKEW_MS)
          : "+";
      const edges: AuditPage["edges"] = [];
      for (;;) {
        // Redis down: a retriable SERVICE_UNAVAILABLE, not a masked internal error.
        const entries = await redis.xrevrange(key, end, start, "COUNT", SCAN_BATCH).catch(asUnavailable);
        for (const [id, fields] of entries) {
          const i = fields.indexOf("r");
          const raw = i >= 0 ? fields[i + 1] : undefined;
          if (raw === undefined) continue;
          const record = JSON.parse(raw) as AuditRecord;
          if (!matches(record, q)) continue;
          if (edges.length === q.first) return { edges, hasNextPage: true };
          edges.push({ cursor: encode(id), record });
        }
        const last = entries[entries.length - 1];
        if (entries.length < SCAN_BATCH || !last) return { edges, hasNextPage: false };
        end = `(${last[0]}`;
      }
    },
  };
}
