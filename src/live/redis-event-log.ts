import type { Redis } from "ioredis";
import { compareIds, type EventLog, type LogEntry, type LoggedEntry } from "./event-log.ts";

export interface RedisEventLogOptions {
  /** Connection for appends and reads. */
  redis: Redis;
  /** A second connection, used only for the blocking reader. */
  reader: Redis;
  /** Stream key. Default `ivs-gateway:events`. */
  key?: string;
  /** How long entries stay replayable, in ms. Default 1 hour. */
  retentionMs?: number;
  /**
   * The most entries the stream keeps, whatever their age (trimmed on each ingested append): with ingest's
   * per-entry cap (MAX_ENTRY_BYTES) this bounds Redis memory under a flood. Default 100,000 (28 events a
   * second for the hour of retention).
   */
  maxEntries?: number;
}

/** The shared log, plus the one step that makes ingest idempotent without losing what failed. */
export interface RedisEventLog extends EventLog {
  /**
   * Appends `entry` unless `markKey` exists, and sets `markKey` (to the new id, for `markMs`) in the same
   * atomic step, after the append: a failed append leaves no mark. Undefined when `markKey` was set.
   */
  appendUnmarked(entry: LogEntry, markKey: string, markMs: number): Promise<string | undefined>;
}

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

// Ingest's append: the mark is checked, the entry appended and trimmed (by age, then by count) and the mark
// set, in one atomic script. The mark is read first and written last: a script that fails half-way (an ACL
// or OOM refusal of XADD) has written nothing, so the retry is appended; one whose SET fails has appended
// without marking (a retry is delivered twice, never lost). The mark holds the entry's id.
// KEYS: stream, mark; ARGV: payload, min id, max entries, mark ms.
const APPEND_UNMARKED = `
if redis.call('EXISTS', KEYS[2]) == 1 then return false end
local id = redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[2], '*', 'e', ARGV[1])
redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', ARGV[3])
redis.call('SET', KEYS[2], id, 'PX', ARGV[4])
return id
`;

type ScriptedRedis = Redis & {
  eventsAppendUnmarked(
    key: string,
    markKey: string,
    payload: string,
    minId: string,
    maxEntries: number,
    markMs: number,
  ): Promise<unknown>;
};

/**
 * The shared log on Redis Streams: XADD with a time-based MINID trim (and a count cap), one blocking XREAD
 * loop per replica, XRANGE for replay after a reconnect.
 */
export function redisEventLog(options: RedisEventLogOptions): RedisEventLog {
  const key = options.key ?? "ivs-gateway:events";
  const retentionMs = options.retentionMs ?? 3600_000;
  const maxEntries = options.maxEntries ?? 100_000;
  let running = false;
  let loop: Promise<void> | undefined;
  // Sent once, then run by its hash (EVALSHA) on every ingested event.
  options.redis.defineCommand("eventsAppendUnmarked", { numberOfKeys: 2, lua: APPEND_UNMARKED });
  const redis = options.redis as ScriptedRedis;

  const decode = ([id, fields]: [string, string[]]): LoggedEntry | undefined => {
    const i = fields.indexOf("e");
    const raw = i >= 0 ? fields[i + 1] : undefined;
    if (raw === undefined) return undefined;
    return { id, entry: JSON.parse(raw) as LogEntry };
  };

  return {
    async append(entry) {
      const minId = `${Date.now() - retentionMs}-0`;
      const id = await options.redis.xadd(key, "MINID", "~", minId, "*", "e", JSON.stringify(entry));
      if (!id) throw new Error("XADD returned no id");
      return id;
    },
    async appendUnmarked(entry, markKey, markMs) {
      const minId = `${Date.now() - retentionMs}-0`;
      const ms = Math.max(1, Math.round(markMs));
      const id = await redis.eventsAppendUnmarked(key, markKey, JSON.stringify(entry), minId, maxEntries, ms);
      return typeof id === "string" ? id : undefined;
    },
    async start(onEntry) {
      running = true;
      // Start from the current end so that a replica does not replay history on boot.
      const last = await options.redis.xrevrange(key, "+", "-", "COUNT", 1);
      let lastId = last[0]?.[0] ?? "0-0";
      loop = (async () => {
        while (running) {
          let reply: StreamReply;
          try {
            reply = (await options.reader.xread(
              "COUNT",
              500,
              "BLOCK",
              1000,
              "STREAMS",
              key,
              lastId,
            )) as StreamReply;
          } catch {
            if (!running) return;
            await new Promise((r) => setTimeout(r, 200));
            continue;
          }
          for (const [, entries] of reply ?? []) {
            for (const raw of entries) {
              lastId = raw[0];
              const logged = decode(raw);
              if (logged) onEntry(logged);
            }
          }
        }
      })();
    },
    async retained() {
      const entries = await options.redis.xrange(key, "-", "+");
      return entries.map(decode).filter((e): e is LoggedEntry => e !== undefined);
    },
    async since(afterId) {
      const oldest = await options.redis.xrange(key, "-", "+", "COUNT", 1);
      const first = oldest[0]?.[0];
      // Older than what is retained: the client may have missed events we no longer have.
      if (first && compareIds(afterId, first) < 0) return undefined;
      const entries = await options.redis.xrange(key, `(${afterId}`, "+");
      return entries.map(decode).filter((e): e is LoggedEntry => e !== undefined);
    },
    async stop() {
      running = false;
      options.reader.disconnect();
      await loop;
    },
  };
}
