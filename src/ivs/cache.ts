import { LRUCache } from "lru-cache";

/**
 * What the gateway caches of IVS: configuration-like data that changes only when someone changes it.
 * Per-ARN kinds hold one resource (null = IVS said it does not exist) or one channel's key list; list
 * kinds hold one page of a list operation and are invalidated as a whole (a generation per kind), since
 * a change can move any item in or out of any page.
 */
export type CacheKind =
  | "channel"
  | "stream-key"
  | "recording-configuration"
  | "playback-key-pair"
  | "playback-restriction-policy"
  | "ad-configuration"
  | "channel-stream-keys"
  | "live-streams"
  | `list:${string}`;

/** Kinds whose values hold secrets: stream key values, and channels' SRT passphrases. */
export function isSecretKind(kind: CacheKind): boolean {
  return kind === "channel" || kind === "stream-key";
}

/** Kinds invalidated as a whole by `bump`. */
export function isListKind(kind: CacheKind): boolean {
  return kind.startsWith("list:");
}

/** One stored value: `v` (null = not found), fresh until `f` (epoch ms), of generation `g` (list kinds). */
export interface CacheEntry {
  v: unknown;
  f: number;
  g?: number;
}

/** Raw storage of entries: this process's memory, or Redis (src/ivs/redis-cache.ts). */
export interface CacheStore {
  /** The entries of `keys` (undefined when absent) and the current generation of `kind`. */
  get(kind: CacheKind, keys: string[]): Promise<{ entries: (CacheEntry | undefined)[]; generation: number }>;
  set(kind: CacheKind, items: { key: string; entry: CacheEntry }[], ttlMs: number): Promise<void>;
  delete(kind: CacheKind, keys: string[]): Promise<void>;
  /** Makes every entry of `kind` stored so far invalid. */
  bump(kind: CacheKind): Promise<void>;
}

/** A bounded LRU in this process. Default 10,000 entries. */
export function memoryCacheStore(maxEntries = 10_000): CacheStore {
  const lru = new LRUCache<string, CacheEntry>({ max: maxEntries });
  const generations = new Map<CacheKind, number>();
  const full = (kind: CacheKind, key: string) => `${kind}\u0000${key}`;
  return {
    async get(kind, keys) {
      return { entries: keys.map((k) => lru.get(full(kind, k))), generation: generations.get(kind) ?? 0 };
    },
    async set(kind, items, ttlMs) {
      for (const { key, entry } of items) lru.set(full(kind, key), entry, { ttl: ttlMs });
    },
    async delete(kind, keys) {
      for (const k of keys) lru.delete(full(kind, k));
    },
    async bump(kind) {
      generations.set(kind, (generations.get(kind) ?? 0) + 1);
    },
  };
}

export interface CacheHit<T> {
  value: T | null;
  /** Past its TTL but within the stale window: serve it and refresh it in the background. */
  stale: boolean;
}

export interface CacheOptions {
  /** Where entries live. Default a memory LRU of 10,000 entries. */
  store?: CacheStore;
  /** Where secret kinds live instead, when `store` must not hold them (Redis without a key). Default `store`. */
  secretStore?: CacheStore;
  /** How long a value is fresh. Default 5 s. */
  ttlMs?: number;
  /** How long past its TTL a value is still served while it is refreshed. Default 30 s (0 = never). */
  staleMs?: number;
  now?: () => number;
}

/** The gateway's cache of IVS data: fresh and stale hits, writes, invalidation by key and by kind. */
export class IvsCache {
  readonly ttlMs: number;
  readonly staleMs: number;
  private readonly store: CacheStore;
  private readonly secretStore: CacheStore;
  private readonly now: () => number;

  constructor(options: CacheOptions = {}) {
    this.store = options.store ?? memoryCacheStore();
    this.secretStore = options.secretStore ?? this.store;
    this.ttlMs = options.ttlMs ?? 5000;
    this.staleMs = options.staleMs ?? 30_000;
    this.now = options.now ?? (() => Date.now());
  }

  private storeOf(kind: CacheKind): CacheStore {
    return isSecretKind(kind) ? this.secretStore : this.store;
  }

  /** Hits (undefined = miss) in key order, and the generation to `write` what is fetched for the misses. */
  async read<T>(
    kind: CacheKind,
    keys: string[],
  ): Promise<{ hits: (CacheHit<T> | undefined)[]; generation: number }> {
    const { entries, generation } = await this.storeOf(kind).get(kind, keys);
    const now = this.now();
    const versioned = isListKind(kind);
    const hits = entries.map((e) => {
      if (!e || (versioned && e.g !== generation)) return undefined;
      return { value: e.v as T | null, stale: e.f <= now };
    });
    return { hits, generation };
  }

  /** Stores values fetched after a `read` that returned `generation`; a `bump` since then discards them. */
  write<T>(kind: CacheKind, values: readonly (readonly [string, T | null])[], generation = 0): Promise<void> {
    if (values.length === 0) return Promise.resolve();
    const f = this.now() + this.ttlMs;
    const g = isListKind(kind) ? { g: generation } : {};
    const items = values.map(([key, v]) => ({ key, entry: { v, f, ...g } }));
    return this.storeOf(kind).set(kind, items, this.ttlMs + this.staleMs);
  }

  drop(kind: CacheKind, keys: string[]): Promise<void> {
    return keys.length === 0 ? Promise.resolve() : this.storeOf(kind).delete(kind, keys);
  }

  bump(kind: CacheKind): Promise<void> {
    return this.storeOf(kind).bump(kind);
  }
}
