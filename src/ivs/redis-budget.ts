import type { Redis } from "ioredis";
import { type BudgetStore, memoryBudgetStore, type Pace } from "./budget.ts";

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

/** KEYS[1] replicas zset; ARGV id, window ms. Notes this replica alive (on Redis's clock); returns how many are. */
const PRESENCE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('ZCARD', KEYS[1])
`;

/** How often a replica says it is alive, and how long it counts as one without saying so again. */
const PRESENCE_EVERY_MS = 5000;
const PRESENCE_WINDOW_MS = 15_000;

/**
 * `pace` for one of `replicas` replicas pacing apart: `replicas` times the interval and a burst of
 * ⌊burst / replicas⌋ (at least 1), so that the replicas together stay within what one shared pace sends.
 */
export function localShareOf(pace: Pace, replicas: number): Pace {
  const n = Math.max(1, replicas);
  const burst = Math.round(pace.toleranceMs / pace.intervalMs) + 1;
  const intervalMs = pace.intervalMs * n;
  return { intervalMs, toleranceMs: (Math.max(1, Math.floor(burst / n)) - 1) * intervalMs };
}

export interface SharedBudgetOptions {
  /** This replica's id in the presence set. */
  replicaId: string;
  /** After a Redis failure, how long the local share is used before Redis is tried again. Default 1 s. */
  retryMs?: number;
  /** Told when pacing moves to the local share (with the replica count it uses) and back. Default none. */
  onChange?: (mode: "local" | "shared", replicas: number, error?: unknown) => void;
}

/** The shared budget, and what it falls back to while Redis cannot be reached. */
export interface SharedBudgetStore extends BudgetStore {
  /** True while pacing from the local share. */
  readonly local: boolean;
  /** Replicas alive at the last presence check (this one included). */
  readonly replicas: number;
  /** Notes this replica alive now (and every few seconds until `stop`). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The budget in Redis while Redis answers; while it does not, a local share of each quota in this
 * process's memory: the pace divided by the number of replicas last seen alive (a presence set every
 * replica refreshes every 5 s), so that the replicas, each pacing alone, together stay within the
 * shared pace. Redis is tried again `retryMs` after each failure; the shared budget takes over as soon
 * as it answers.
 */
export function sharedBudgetStore(
  redis: Redis,
  prefix: string,
  options: SharedBudgetOptions,
): SharedBudgetStore {
  const shared = redisBudgetStore(redis, prefix);
  const fallback = memoryBudgetStore();
  redis.defineCommand("ivsBudgetPresence", { numberOfKeys: 1, lua: PRESENCE });
  const presenceKey = `${prefix}budget:replicas`;
  const retryMs = options.retryMs ?? 1000;
  let replicas = 1;
  let localUntil = 0;
  let local = false;
  let timer: NodeJS.Timeout | undefined;

  const failed = (error: unknown) => {
    localUntil = Date.now() + retryMs;
    if (local) return;
    local = true;
    options.onChange?.("local", replicas, error);
  };
  const answered = () => {
    if (!local) return;
    local = false;
    options.onChange?.("shared", replicas);
  };
  const heartbeat = async () => {
    const n = await (
      redis as Redis & { ivsBudgetPresence(key: string, id: string, windowMs: number): Promise<number> }
    ).ivsBudgetPresence(presenceKey, options.replicaId, PRESENCE_WINDOW_MS);
    replicas = Math.max(1, n);
  };

  return {
    get local() {
      return local;
    },
    get replicas() {
      return replicas;
    },
    async take(key, pace, headroomMs) {
      if (Date.now() >= localUntil) {
        try {
          const got = await shared.take(key, pace, headroomMs);
          answered();
          return got;
        } catch (error) {
          failed(error);
        }
      }
      return fallback.take(key, localShareOf(pace, replicas), headroomMs);
    },
    async penalize(key, pace) {
      await fallback.penalize(key, localShareOf(pace, replicas));
      if (Date.now() < localUntil) return;
      await shared.penalize(key, pace).catch(failed);
    },
    async start() {
      await heartbeat();
      timer = setInterval(() => void heartbeat().catch(() => {}), PRESENCE_EVERY_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await redis.zrem(presenceKey, options.replicaId).catch(() => {});
    },
  };
}
