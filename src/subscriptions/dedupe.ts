/** Remembers event ids for a while, so that a redelivered event is dropped. */
export interface Deduper {
  /** True the first time an id is seen within the window, false for a duplicate. */
  firstSeen(id: string): Promise<boolean>;
}

/**
 * In-process de-duplication: a bounded, insertion-ordered set with a time window.
 * @param windowMs how long an id is remembered. Default 24 h (EventBridge retries for 24 h).
 * @param maxIds the most ids kept; the oldest go first. Default 100,000.
 */
export function memoryDeduper(windowMs = 24 * 3600_000, maxIds = 100_000, now = () => Date.now()): Deduper {
  const seen = new Map<string, number>();
  return {
    async firstSeen(id) {
      const t = now();
      for (const [key, at] of seen) {
        if (t - at < windowMs && seen.size < maxIds) break;
        seen.delete(key);
      }
      if (seen.has(id)) return false;
      seen.set(id, t);
      return true;
    },
  };
}

/** The Redis client surface de-duplication needs (ioredis fits). */
export interface RedisSetNx {
  set(key: string, value: string, px: "PX", ms: number, nx: "NX"): Promise<"OK" | null>;
}

/** Shared de-duplication across replicas: SET key NX PX window. */
export function redisDeduper(redis: RedisSetNx, prefix: string, windowMs = 24 * 3600_000): Deduper {
  return {
    async firstSeen(id) {
      return (await redis.set(`${prefix}dedupe:${id}`, "1", "PX", windowMs, "NX")) === "OK";
    },
  };
}
