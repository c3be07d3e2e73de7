/** A value, or a promise of it: what a resolver may return. */
export type MaybePromise<T> = T | Promise<T>;

/** Whether `value` is a promise (or any thenable) rather than the value itself. */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** `f(value)` now when `value` is at hand, after it settles when it is a promise. */
export function andThen<T, R>(value: MaybePromise<T>, f: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromise(value) ? value.then(f) : f(value);
}

/** One key's answer in a request: the value once known, or the promise of it until then (and after a failure). */
type Entry<V> = { known: true; value: V } | { known: false; promise: Promise<V> };

export interface MemoLoaderOptions<K, V> {
  /** The answer, read for each key once per request; a rejection is that key's error. */
  read: (key: K) => Promise<V>;
  /**
   * The answer when it can be given at once (the mirror holds it), else undefined: then `read` is used.
   * Only a value `read` would also have answered.
   */
  peek?: (key: K) => V | undefined;
  /** The key the answers are kept under. Default `String(key)`. */
  cacheKey?: (key: K) => string;
}

/**
 * A request's reads, one per key, with DataLoader's interface for unbatched loaders (`load`, `loadMany`,
 * `prime`, `clear`, `clearAll`), plus `get`: the answer itself when it is known at once or was read
 * earlier in the request, so that a resolver over it needs no promise. Warm reads (everything the
 * mirror holds) therefore execute synchronously; a DataLoader makes at least three promises per key.
 */
export class MemoLoader<K, V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly read: (key: K) => Promise<V>;
  private readonly peek: ((key: K) => V | undefined) | undefined;
  private readonly keyOf: (key: K) => string;

  constructor(options: MemoLoaderOptions<K, V>) {
    this.read = options.read;
    this.peek = options.peek;
    this.keyOf = options.cacheKey ?? String;
  }

  /** The answer for `key`: the value when it is known now, else a promise of it (rejected with its error). */
  get(key: K): MaybePromise<V> {
    const id = this.keyOf(key);
    const entry = this.entries.get(id);
    if (entry) return entry.known ? entry.value : entry.promise;
    const held = this.peek?.(key);
    if (held !== undefined) {
      this.entries.set(id, { known: true, value: held });
      return held;
    }
    const promise = this.read(key);
    const pending: Entry<V> = { known: false, promise };
    this.entries.set(id, pending);
    promise.then(
      (value) => {
        // Unless cleared (or cleared and primed) meanwhile, later reads in the request need no promise.
        if (this.entries.get(id) === pending) this.entries.set(id, { known: true, value });
      },
      () => {
        // Kept as the rejected promise: each caller sees the failure (the caller awaiting it reports it).
      },
    );
    return promise;
  }

  /** Like DataLoader's `load`: always a promise. */
  load(key: K): Promise<V> {
    const answer = this.get(key);
    return isPromise(answer) ? answer : Promise.resolve(answer);
  }

  /** Like DataLoader's `loadMany`: every key's value, or its error in its place. */
  loadMany(keys: readonly K[]): Promise<(V | Error)[]> {
    return Promise.all(keys.map((key) => this.load(key).catch((error: Error) => error)));
  }

  /** Like DataLoader's `prime`: sets the answer unless the key has one (an Error: the key fails with it). */
  prime(key: K, value: V | Error): this {
    const id = this.keyOf(key);
    if (this.entries.has(id)) return this;
    if (value instanceof Error) {
      const promise = Promise.reject(value);
      promise.catch(() => {});
      this.entries.set(id, { known: false, promise });
    } else this.entries.set(id, { known: true, value });
    return this;
  }

  /** Forgets the answer for `key`: the next read asks again. */
  clear(key: K): this {
    this.entries.delete(this.keyOf(key));
    return this;
  }

  /** Forgets every answer. */
  clearAll(): this {
    this.entries.clear();
    return this;
  }
}
