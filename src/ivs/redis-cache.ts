import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { type CacheEntry, type CacheKind, type CacheStore, isSecretKind } from "./cache.ts";
import type { SecretBox } from "./secret-box.ts";

/** Marks a value sealed with the cache secret key. */
const SEALED = "sealed:";

export interface RedisCacheStoreOptions {
  redis: Redis;
  /** Prefix of every key: `<prefix>cache:<kind>:<key>`, generations at `<prefix>cache-gen:<kind>`. */
  prefix: string;
  /**
   * Seals the values of secret kinds. Without it this store refuses them: the caller keeps secrets in
   * memory instead, so that no stream key ever reaches Redis in clear.
   */
  box?: SecretBox;
}

/**
 * Entries in Redis, shared by every replica with the same prefix: one MGET per read (the generation
 * rides along), one pipelined SET per write. Long keys (list inputs) are hashed.
 */
export function redisCacheStore({ redis, prefix, box }: RedisCacheStoreOptions): CacheStore {
  const keyOf = (kind: CacheKind, key: string) => {
    const short = key.length > 200 ? createHash("sha256").update(key).digest("base64url") : key;
    return `${prefix}cache:${kind}:${short}`;
  };
  const genOf = (kind: CacheKind) => `${prefix}cache-gen:${kind}`;
  const guard = (kind: CacheKind) => {
    if (isSecretKind(kind) && !box)
      throw new Error(`${kind} values hold secrets: not stored in Redis without a key`);
  };

  const encode = (redisKey: string, secret: boolean, entry: CacheEntry) => {
    const json = JSON.stringify(entry);
    return secret && box ? SEALED + box.seal(json, redisKey) : json;
  };
  const decode = (redisKey: string, secret: boolean, raw: string | null): CacheEntry | undefined => {
    if (raw === null) return undefined;
    if (secret) {
      // A secret kind stored in clear (by a misconfigured replica) is ignored rather than served.
      const opened = raw.startsWith(SEALED) ? box?.open(raw.slice(SEALED.length), redisKey) : undefined;
      return opened === undefined ? undefined : (JSON.parse(opened) as CacheEntry);
    }
    return JSON.parse(raw) as CacheEntry;
  };

  return {
    async get(kind, keys) {
      guard(kind);
      const redisKeys = keys.map((k) => keyOf(kind, k));
      const raw = await redis.mget(...redisKeys, genOf(kind));
      const secret = isSecretKind(kind);
      return {
        entries: redisKeys.map((rk, i) => decode(rk, secret, raw[i] ?? null)),
        generation: Number(raw[redisKeys.length] ?? 0),
      };
    },
    async set(kind, items, ttlMs) {
      guard(kind);
      const secret = isSecretKind(kind);
      const pipeline = redis.pipeline();
      for (const { key, entry } of items) {
        const rk = keyOf(kind, key);
        pipeline.set(rk, encode(rk, secret, entry), "PX", Math.max(1, Math.ceil(ttlMs)));
      }
      await pipeline.exec();
    },
    async delete(kind, keys) {
      await redis.del(...keys.map((k) => keyOf(kind, k)));
    },
    async bump(kind) {
      await redis.incr(genOf(kind));
    },
  };
}
