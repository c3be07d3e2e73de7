import type { CacheKind, IvsCache } from "./cache.ts";
import { BACKGROUND_DEADLINE_MS, type CallScope, currentScope, mergeScopes, runInScope } from "./scope.ts";

export interface LookupOptions<T> {
  /** The cache kind of the values. */
  kind: CacheKind;
  /** Where values are cached. Default none: every miss goes to IVS. */
  cache?: IvsCache;
  /**
   * Coalescing across requests: misses of every request within `windowMs` share one fetch, and a key
   * already being fetched is not fetched again. Default off: each `loadMany` fetches its own misses.
   */
  coalesce?: { windowMs: number };
  /** The most keys one fetch takes (50 for IVS Batch* calls, 1 for Get* and List* calls). */
  maxBatch: number;
  /** Fetches keys from IVS; a key missing from the answer is null (not found). */
  fetch: (keys: string[]) => Promise<Map<string, T | null>>;
  /** Failures nobody waits for (cache writes, background refreshes). Default ignored. */
  onError?: (error: unknown, where: string) => void;
  /** Counts lookups by outcome, for metrics and benchmarks. Default none. */
  onLookup?: (kind: CacheKind, outcome: "hit" | "stale" | "miss", count: number) => void;
}

/** A process-wide lookup of IVS data by key, through the cache, coalesced across requests. */
export interface Lookup<T> {
  /** One result per key, in order: the value, null when IVS has none, or the error of its fetch. */
  loadMany(keys: readonly string[]): Promise<(T | null | Error)[]>;
  /**
   * Fetches in flight for `keys` (all of them when absent) will not be cached, nor joined by later
   * lookups: a mutation has just changed what they read.
   */
  forget(keys?: readonly string[]): void;
}

interface Flight<T> {
  promise: Promise<T | null>;
  resolve(value: T | null): void;
  reject(error: unknown): void;
  /** Changed while in flight: the answer may predate the change, so it is not cached. */
  forgotten: boolean;
}

interface Pending<T> {
  key: string;
  flight: Flight<T>;
  generation: number;
  scope: CallScope | undefined;
}

function newFlight<T>(): Flight<T> {
  let resolve!: (value: T | null) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T | null>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Waiters handle failures; a refresh nobody waits for must not become an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject, forgotten: false };
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/**
 * Creates a lookup. Stale cache hits are served at once and refreshed in the background, so a busy
 * key never makes a client wait for IVS, and the refresh yields to interactive calls in the budget.
 */
export function createLookup<T>(options: LookupOptions<T>): Lookup<T> {
  const { kind, cache, coalesce, maxBatch } = options;
  const inflight = new Map<string, Flight<T>>();
  let pending: Pending<T>[] = [];
  let timer: NodeJS.Timeout | undefined;

  const dispatch = async (batch: Pending<T>[]) => {
    const keys = batch.map((p) => p.key);
    const scope = mergeScopes(batch.map((p) => p.scope));
    try {
      const found = await (scope ? runInScope(scope, () => options.fetch(keys)) : options.fetch(keys));
      const values = keys.map((k) => [k, found.get(k) ?? null] as const);
      for (const [i, p] of batch.entries()) p.flight.resolve(values[i]?.[1] ?? null);
      if (cache) {
        const keep = values.filter((_, i) => !batch[i]?.flight.forgotten);
        const generation = Math.min(...batch.map((p) => p.generation));
        // Joiners keep finding the flight until the value is readable from the cache.
        await cache.write(kind, keep, generation).catch((e: unknown) => options.onError?.(e, "cache write"));
      }
    } catch (error) {
      for (const p of batch) p.flight.reject(error);
    } finally {
      for (const p of batch) if (inflight.get(p.key) === p.flight) inflight.delete(p.key);
    }
  };

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const all = pending;
    pending = [];
    for (let i = 0; i < all.length; i += maxBatch) void dispatch(all.slice(i, i + maxBatch));
  };

  /** Promises for keys not in the cache: joined in-flight fetches, or new ones. */
  const fetchMany = (keys: string[], generation: number, scope: CallScope | undefined) => {
    const out = new Map<string, Promise<T | null>>();
    const fresh: Pending<T>[] = [];
    for (const key of keys) {
      const joined = coalesce ? inflight.get(key) : undefined;
      if (joined) {
        out.set(key, joined.promise);
        continue;
      }
      const flight = newFlight<T>();
      inflight.set(key, flight);
      fresh.push({ key, flight, generation, scope });
      out.set(key, flight.promise);
    }
    if (!coalesce) {
      for (let i = 0; i < fresh.length; i += maxBatch) void dispatch(fresh.slice(i, i + maxBatch));
    } else if (fresh.length > 0) {
      pending.push(...fresh);
      if (pending.length >= maxBatch || coalesce.windowMs <= 0) flush();
      else timer ??= setTimeout(flush, coalesce.windowMs);
    }
    return out;
  };

  const refresh = (keys: string[], generation: number) => {
    const idle = keys.filter((k) => !inflight.has(k));
    if (idle.length === 0) return;
    const scope: CallScope = { priority: "background", deadline: Date.now() + BACKGROUND_DEADLINE_MS };
    for (const [key, promise] of fetchMany(idle, generation, scope))
      promise.catch((e: unknown) => options.onError?.(e, `refreshing ${kind} ${key}`));
  };

  return {
    async loadMany(keys) {
      const unique = [...new Set(keys)];
      let hits: ({ value: T | null; stale: boolean } | undefined)[] = [];
      let generation = 0;
      if (cache) {
        try {
          ({ hits, generation } = await cache.read<T>(kind, unique));
        } catch (error) {
          // The cache is an optimisation: when it fails, IVS (within the budget) still answers.
          options.onError?.(error, "cache read");
        }
      }
      const results = new Map<string, Promise<T | null>>();
      const misses: string[] = [];
      const stale: string[] = [];
      for (const [i, key] of unique.entries()) {
        const hit = hits[i];
        if (!hit) misses.push(key);
        else {
          results.set(key, Promise.resolve(hit.value));
          if (hit.stale) stale.push(key);
        }
      }
      if (cache) {
        options.onLookup?.(kind, "hit", unique.length - misses.length - stale.length);
        options.onLookup?.(kind, "stale", stale.length);
        options.onLookup?.(kind, "miss", misses.length);
      }
      if (stale.length > 0) refresh(stale, generation);
      for (const [key, promise] of fetchMany(misses, generation, currentScope())) results.set(key, promise);
      return Promise.all(keys.map((k) => (results.get(k) as Promise<T | null>).then((v) => v, asError)));
    },
    forget(keys) {
      for (const key of keys ?? [...inflight.keys()]) {
        const flight = inflight.get(key);
        if (!flight) continue;
        flight.forgotten = true;
        inflight.delete(key);
      }
    },
  };
}
