import type { Redis } from "ioredis";
import type { BudgetStore } from "./budget.ts";

/*
 * Why a script of our own rather than rate-limiter-flexible's RateLimiterRedis: that limiter counts
 * calls in fixed windows of whole seconds, which lets up to twice its points through across a window
 * boundary; against IVS's 1-second bucket that only holds at half the quota. GCRA in one script paces
 * at 80% with a bounded burst, atomically, and on Redis's clock, so the replicas' clocks never matter.
 */

/** KEYS[1] state key; ARGV interval, tolerance, headroom (ms). Returns {granted 0|1, wait ms}. */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval, tolerance, headroom = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
-- An idle (or expired) key has its whole burst free, headroom included.
local idle = now - headroom
local tat = tonumber(redis.call('GET', KEYS[1]) or idle) or idle
local freeAt = tat - tolerance + headroom
if freeAt > now then return {0, math.ceil(freeAt - now)} end
local newTat = math.max(tat, now) + interval
redis.call('SET', KEYS[1], string.format('%.3f', newTat), 'PX', math.ceil(newTat - now) + 1000)
return {1, 0}
`;

/** KEYS[1] state key; ARGV interval, tolerance (ms). Holds the next slot at least one interval away. */
const PENALIZE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or now) or now, now + tolerance + interval)
redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil(tat - now) + 1000)
return 1
`;

type ScriptedRedis = Redis & {
  ivsBudgetTake(
    key: string,
    interval: number,
    tolerance: number,
    headroom: number,
  ): Promise<[number, number]>;
  ivsBudgetPenalize(key: string, interval: number, tolerance: number): Promise<number>;
};

/**
 * The budget's state in Redis, shared by every replica with the same `prefix`
 * (keys `<prefix>budget:<operation>`).
 */
export function redisBudgetStore(redis: Redis, prefix: string): BudgetStore {
  redis.defineCommand("ivsBudgetTake", { numberOfKeys: 1, lua: TAKE });
  redis.defineCommand("ivsBudgetPenalize", { numberOfKeys: 1, lua: PENALIZE });
  const r = redis as ScriptedRedis;
  const keyOf = (key: string) => `${prefix}budget:${key}`;
  return {
    async take(key, pace, headroomMs) {
      const [granted, waitMs] = await r.ivsBudgetTake(
        keyOf(key),
        pace.intervalMs,
        pace.toleranceMs,
        headroomMs,
      );
      return { granted: granted === 1, waitMs };
    },
    async penalize(key, pace) {
      await r.ivsBudgetPenalize(keyOf(key), pace.intervalMs, pace.toleranceMs);
    },
  };
}
