/** Whether the maps of one store note what they are asked for (on only with a state file). */
export interface Tracking {
  on: boolean;
  /** False while a read-only operation runs: it changes nothing, so its get() calls need no note. */
  reads: boolean;
}

/**
 * A Map that notes which keys may have changed since the last `drain()`, for the write-ahead log.
 * `get()` counts: callers change stored objects in place (tags, stream health, session events), so an
 * entry handed out by `get()` is logged with its value at the next commit. Iteration does not count: an
 * entry reached through `values()` and changed in place must be written back with `set()`.
 */
export class TrackedMap<K, V> extends Map<K, V> {
  private touched = new Set<K>();
  /** Keys new since the last drain, in insertion order: a replay appends them in that order. */
  private added = new Set<K>();
  private removed = new Set<K>();

  constructor(private readonly tracking: Tracking) {
    super();
  }

  override get(key: K): V | undefined {
    const value = super.get(key);
    if (value !== undefined && this.tracking.on && this.tracking.reads) this.touched.add(key);
    return value;
  }

  override set(key: K, value: V): this {
    if (this.tracking.on) {
      if (!super.has(key)) this.added.add(key);
      this.touched.add(key);
    }
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    const had = super.delete(key);
    if (had && this.tracking.on) {
      this.touched.delete(key);
      // A key deleted and set again in one batch moves to the end, as in the map itself.
      if (!this.added.delete(key)) this.removed.add(key);
    }
    return had;
  }

  override clear(): void {
    super.clear();
    this.forgetChanges();
  }

  /** Sets without noting: restoring what the files already hold. */
  load(key: K, value: V): void {
    super.set(key, value);
  }

  /** Removes without noting. */
  unload(key: K): void {
    super.delete(key);
  }

  /**
   * The changes since the last drain: keys removed, then the values to put, existing keys first and new
   * keys in insertion order, so applying them in that order rebuilds this map's order too.
   */
  drain(): { removed: K[]; put: [K, V][] } | undefined {
    if (this.touched.size === 0 && this.removed.size === 0) return undefined;
    const put: [K, V][] = [];
    for (const key of this.touched) {
      if (this.added.has(key)) continue;
      const value = super.get(key);
      if (value !== undefined) put.push([key, value]);
    }
    for (const key of this.added) {
      const value = super.get(key);
      if (value !== undefined) put.push([key, value]);
    }
    const removed = [...this.removed];
    this.forgetChanges();
    return { removed, put };
  }

  private forgetChanges(): void {
    this.touched.clear();
    this.added.clear();
    this.removed.clear();
  }
}
