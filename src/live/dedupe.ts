import type { EventLog, LogEntry } from "./event-log.ts";
import type { RedisEventLog } from "./redis-event-log.ts";

/**
 * Appends each event id's entry once, so that a redelivered event is dropped. An id counts as seen only once
 * its entry is in the log: a failed append leaves no mark, so EventBridge's retry is appended, not dropped.
 */
export interface Deduper {
  /** Appends `entry` to `log` unless `id` was appended within the window; the new log id, or undefined for a duplicate. */
  appendOnce(log: EventLog, id: string, entry: LogEntry): Promise<string | undefined>;
}

/**
 * In-process de-duplication: a bounded, insertion-ordered set with a time window, marked after each append.
 * Deliveries of one id that overlap append once: the later ones wait for the first, and are duplicates if
 * it landed, or take their turn if it failed.
 * @param windowMs how long an id is remembered. Default 24 h (EventBridge retries for 24 h).
 * @param maxIds the most ids kept; the oldest go first. Default 100,000.
 */
export function memoryDeduper(windowMs = 24 * 3600_000, maxIds = 100_000, now = () => Date.now()): Deduper {
  const seen = new Map<string, number>();
  const appending = new Map<string, Promise<string>>();
  const forget = (t: number) => {
    for (const [key, at] of seen) {
      if (t - at < windowMs && seen.size < maxIds) break;
      seen.delete(key);
    }
  };
  return {
    async appendOnce(log, id, entry) {
      for (;;) {
        forget(now());
        if (seen.has(id)) return undefined;
        const earlier = appending.get(id);
        if (!earlier) break;
        const landed = await earlier.then(
          () => true,
          () => false,
        );
        if (landed) return undefined;
      }
      const appended = log.append(entry);
      appending.set(id, appended);
      try {
        const logId = await appended;
        seen.set(id, now());
        return logId;
      } finally {
        appending.delete(id);
      }
    },
  };
}

/**
 * Shared de-duplication across replicas: the mark (`<prefix>dedupe:<id>`, for the window) is checked and set
 * in the same Redis script as the XADD (RedisEventLog.appendUnmarked), so that it exists exactly when the
 * entry was appended. Appends only to a Redis log.
 */
export function redisDeduper(prefix: string, windowMs = 24 * 3600_000): Deduper {
  return {
    async appendOnce(log, id, entry) {
      if (!isRedisLog(log)) throw new TypeError("redisDeduper appends only to a Redis event log");
      return log.appendUnmarked(entry, `${prefix}dedupe:${id}`, windowMs);
    },
  };
}

function isRedisLog(log: EventLog): log is RedisEventLog {
  return typeof (log as Partial<RedisEventLog>).appendUnmarked === "function";
}
