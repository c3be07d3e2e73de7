/** Calls by key: a call asked for while the same one is in flight joins it instead of going again. */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Promise<T>>();

  run(key: string, call: () => Promise<T>): Promise<T> {
    const flying = this.flights.get(key);
    if (flying) return flying;
    const started = call();
    this.flights.set(key, started);
    const done = () => {
      if (this.flights.get(key) === started) this.flights.delete(key);
    };
    started.then(done, done);
    return started;
  }
}

/** ARNs IVS said it does not have, believed for `ttlMs` (bounded: the oldest go first). */
export class Absent {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  has(key: string): boolean {
    const t = this.until.get(key);
    if (t === undefined) return false;
    if (t > this.now()) return true;
    this.until.delete(key);
    return false;
  }

  add(key: string): void {
    this.until.delete(key);
    this.until.set(key, this.now() + this.ttlMs);
    if (this.until.size > this.max) {
      const oldest = this.until.keys().next().value;
      if (oldest !== undefined) this.until.delete(oldest);
    }
  }

  delete(key: string): void {
    this.until.delete(key);
  }
}
