import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { SecretBox } from "../ivs/secret-box.ts";
import { failingTyped } from "../redis/errors.ts";

/*
 * One entry per (principal, Idempotency-Key), in two states:
 *   claimed  – a request is executing it: holds the fingerprint and the claimer's token, and expires
 *              after `claimMs` so that a replica that died mid-request does not block the key for a day;
 *   done     – holds the fingerprint and the final result, for `ttlMs` from completion.
 * `complete` and `abandon` take the claim token: a request whose claim expired (and was taken over)
 * never overwrites or deletes the newer claimer's entry.
 */

/** A GraphQL execution result as JSON: what a replay returns. */
export interface StoredResult {
  data?: unknown;
  errors?: unknown[];
  extensions?: Record<string, unknown>;
}

export type Begin =
  /** The caller holds the key now; it must `complete` or `abandon` it with this claim. */
  | { kind: "new"; claim: string }
  | { kind: "replay"; result: StoredResult }
  | { kind: "in-flight" }
  /** The key was used for another request (another fingerprint). */
  | { kind: "mismatch" }
  /** The first request finished, but its result held secrets this store does not keep (Redis, no secret key). */
  | { kind: "withheld" };

export interface IdempotencyStore {
  begin(key: string, fingerprint: string): Promise<Begin>;
  /** `secret`: the result holds secret fields (stream-key values, passphrases, playback tokens). */
  complete(
    key: string,
    claim: string,
    fingerprint: string,
    result: StoredResult,
    secret: boolean,
  ): Promise<void>;
  /** Forgets the claim, so that a retry executes again. */
  abandon(key: string, claim: string): Promise<void>;
}

export interface StoreTimes {
  /** How long a completed key is replayed, from completion. Default 24 h (IDEMPOTENCY_TTL_MS). */
  ttlMs?: number;
  /** How long a claim outlives a request that never completes (a crashed replica). Default 60 s. */
  claimMs?: number;
}

const DAY_MS = 86_400_000;
const CLAIM_MS = 60_000;

export interface MemoryStoreOptions extends StoreTimes {
  /** Most keys held; past it the oldest go first (their retries would execute again). Default 10,000. */
  maxEntries?: number;
  /** Default `Date.now`. */
  now?: () => number;
}

type MemoryEntry =
  | { state: "claimed"; fingerprint: string; claim: string; expiresAt: number }
  | { state: "done"; fingerprint: string; result: string; expiresAt: number };

/** Keys in this process's memory: one replica, or tests. Results are kept as JSON, as Redis keeps them. */
export function memoryIdempotencyStore(options: MemoryStoreOptions = {}): IdempotencyStore {
  const ttlMs = options.ttlMs ?? DAY_MS;
  const claimMs = options.claimMs ?? CLAIM_MS;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, MemoryEntry>();

  const live = (key: string): MemoryEntry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  /** Re-inserting keeps the Map in expiry-ish order, so the oldest are evicted first. */
  const put = (key: string, entry: MemoryEntry) => {
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size <= maxEntries) return;
    const t = now();
    for (const [k, e] of entries) if (e.expiresAt <= t) entries.delete(k);
    for (const k of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(k);
    }
  };

  return {
    async begin(key, fingerprint) {
      const entry = live(key);
      if (!entry) {
        const claim = randomUUID();
        put(key, { state: "claimed", fingerprint, claim, expiresAt: now() + claimMs });
        return { kind: "new", claim };
      }
      if (entry.fingerprint !== fingerprint) return { kind: "mismatch" };
      if (entry.state === "claimed") return { kind: "in-flight" };
      return { kind: "replay", result: JSON.parse(entry.result) as StoredResult };
    },
    async complete(key, claim, fingerprint, result) {
      const entry = live(key);
      if (entry && (entry.state !== "claimed" || entry.claim !== claim)) return;
      put(key, { state: "done", fingerprint, result: JSON.stringify(result), expiresAt: now() + ttlMs });
    },
    async abandon(key, claim) {
      const entry = live(key);
      if (entry?.state === "claimed" && entry.claim === claim) entries.delete(key);
    },
  };
}

/** KEYS[1] entry; ARGV fingerprint, claim, claimMs. Returns {kind, result?}. */
const BEGIN = `
local e = redis.call('HMGET', KEYS[1], 's', 'f', 'r')
if not e[1] then
  redis.call('HSET', KEYS[1], 's', 'claimed', 'f', ARGV[1], 't', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {'new'}
end
if e[2] ~= ARGV[1] then return {'mismatch'} end
if e[1] == 'claimed' then return {'in-flight'} end
if e[1] == 'withheld' then return {'withheld'} end
return {'replay', e[3]}
`;

/** KEYS[1] entry; ARGV claim, fingerprint, state (done|withheld), result, ttlMs. */
const COMPLETE = `
local t = redis.call('HGET', KEYS[1], 't')
local s = redis.call('HGET', KEYS[1], 's')
if s and (s ~= 'claimed' or t ~= ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 's', ARGV[3], 'f', ARGV[2], 'r', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

/** KEYS[1] entry; ARGV claim. */
const ABANDON = `
if redis.call('HGET', KEYS[1], 't') == ARGV[1] and redis.call('HGET', KEYS[1], 's') == 'claimed' then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

type ScriptedRedis = Redis & {
  idemBegin(key: string, fingerprint: string, claim: string, claimMs: number): Promise<[string, string?]>;
  idemComplete(
    key: string,
    claim: string,
    fingerprint: string,
    state: string,
    result: string,
    ttlMs: number,
  ): Promise<number>;
  idemAbandon(key: string, claim: string): Promise<number>;
};

export interface RedisStoreOptions extends StoreTimes {
  redis: Redis;
  /** Prefix of every key, e.g. `ivs-gateway:idem:`; replicas sharing it share their keys. */
  prefix: string;
  /**
   * Seals every stored result (AES-256-GCM, MIRROR_SECRET_KEY). Without it, a result holding secrets
   * is not written to Redis: its key answers IDEMPOTENCY_RESULT_WITHHELD instead of a replay.
   */
  box?: SecretBox;
}

/**
 * Keys shared by every replica through Redis: a hash per key, changed only by the scripts above. While
 * Redis cannot be reached every call fails at once with a retriable ServiceUnavailableError, which the
 * plugin answers as IDEMPOTENCY_UNAVAILABLE (503, retriable): a keyed mutation is not run unrecorded.
 */
export function redisIdempotencyStore(options: RedisStoreOptions): IdempotencyStore {
  const { redis, prefix, box } = options;
  const ttlMs = options.ttlMs ?? DAY_MS;
  const claimMs = options.claimMs ?? CLAIM_MS;
  redis.defineCommand("idemBegin", { numberOfKeys: 1, lua: BEGIN });
  redis.defineCommand("idemComplete", { numberOfKeys: 1, lua: COMPLETE });
  redis.defineCommand("idemAbandon", { numberOfKeys: 1, lua: ABANDON });
  const r = redis as ScriptedRedis;
  const keyOf = (key: string) => `${prefix}${key}`;

  return failingTyped<IdempotencyStore>({
    async begin(key, fingerprint) {
      const claim = randomUUID();
      const [kind, raw] = await r.idemBegin(keyOf(key), fingerprint, claim, claimMs);
      if (kind === "new") return { kind, claim };
      if (kind !== "replay") return { kind } as Begin;
      const json = box ? box.open(raw ?? "", keyOf(key)) : raw;
      // Sealed with another key (MIRROR_SECRET_KEY rotated) or altered: not a result we can give back.
      if (json === undefined) return { kind: "withheld" };
      return { kind, result: JSON.parse(json) as StoredResult };
    },
    async complete(key, claim, fingerprint, result, secret) {
      const json = JSON.stringify(result);
      const withheld = secret && !box;
      const stored = withheld ? "" : box ? box.seal(json, keyOf(key)) : json;
      await r.idemComplete(keyOf(key), claim, fingerprint, withheld ? "withheld" : "done", stored, ttlMs);
    },
    async abandon(key, claim) {
      await r.idemAbandon(keyOf(key), claim);
    },
  });
}
