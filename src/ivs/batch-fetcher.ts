import { ThrottledError } from "../errors.ts";
import type { RequestBudget } from "./budget.ts";
import { BACKGROUND_DEADLINE_MS, type CallScope, currentScope, type Priority, runInScope } from "./scope.ts";

export interface BatchFetcherOptions<T> {
  /** The IVS operation one batch is sent as, e.g. BatchGetChannel: the budget key its slots come from. */
  operation: string;
  /** Most keys one call takes (50 for IVS's Batch* calls). */
  maxBatch: number;
  /**
   * Sends one batch; a key missing from the answer is null (IVS does not have it). Called in a scope
   * whose first budget slot is already taken.
   */
  send: (keys: string[]) => Promise<Map<string, T | null>>;
  /** Slots are taken here, before the batch is formed. Default none (unpaced: tests, no budget). */
  budget?: RequestBudget;
  /** How long the first key waits for others before a slot is asked for. Default 20 ms. */
  windowMs?: number;
  /** The deadline of a caller without one. Default 10 s. */
  defaultDeadlineMs?: number;
}

interface Waiter<T> {
  key: string;
  priority: Priority;
  deadline: number;
  resolve: ((value: T | null) => void)[];
  reject: ((error: unknown) => void)[];
  timer?: NodeJS.Timeout;
}

/**
 * Budget-aware batching of one IVS Batch* operation across every caller of the process: a key waits
 * in one pending set, a budget slot is taken first, and only then is the batch formed from whatever is
 * pending (interactive keys first, up to `maxBatch`). So when calls must wait for the budget, every key
 * asked for meanwhile rides the next call: under load, calls carry full batches. A key already pending
 * or in flight is joined, not asked for twice; a caller gets a retriable ThrottledError at its deadline.
 */
export class BatchFetcher<T> {
  private readonly pending = new Map<string, Waiter<T>>();
  private readonly inflight = new Map<string, Promise<T | null>>();
  /** Slot requests in progress by priority: at most one each, so an interactive key never queues behind a background slot. */
  private readonly acquiring: Record<Priority, boolean> = { interactive: false, background: false };
  private readonly windowMs: number;

  constructor(private readonly options: BatchFetcherOptions<T>) {
    this.windowMs = options.windowMs ?? 20;
  }

  /** The value of `key` (null when IVS has none), fetched in the scope of the caller (or `scope`). */
  load(key: string, scope: CallScope | undefined = currentScope()): Promise<T | null> {
    const flying = this.inflight.get(key);
    if (flying) return flying;
    const priority = scope?.priority ?? "interactive";
    const deadline =
      scope?.deadline ??
      Date.now() +
        (priority === "background" ? BACKGROUND_DEADLINE_MS : (this.options.defaultDeadlineMs ?? 10_000));
    return new Promise<T | null>((resolve, reject) => {
      let waiter = this.pending.get(key);
      if (!waiter) {
        waiter = { key, priority, deadline, resolve: [], reject: [] };
        this.pending.set(key, waiter);
      } else {
        // A more urgent caller makes the key more urgent; a later deadline keeps it wanted longer.
        if (priority === "interactive") waiter.priority = "interactive";
        waiter.deadline = Math.max(waiter.deadline, deadline);
      }
      waiter.resolve.push(resolve);
      waiter.reject.push(reject);
      this.arm(waiter);
      this.schedule();
    });
  }

  /** Keys waiting for a slot, for metrics and tests. */
  get waiting(): number {
    return this.pending.size;
  }

  private arm(waiter: Waiter<T>): void {
    clearTimeout(waiter.timer);
    waiter.timer = setTimeout(
      () => {
        if (this.pending.get(waiter.key) !== waiter) return;
        this.pending.delete(waiter.key);
        this.fail(
          waiter,
          new ThrottledError(
            `IVS ${this.options.operation} is over the gateway's request budget; retry shortly`,
            250,
          ),
        );
      },
      Math.max(0, waiter.deadline - Date.now()),
    );
    waiter.timer.unref?.();
  }

  private fail(waiter: Waiter<T>, error: unknown): void {
    clearTimeout(waiter.timer);
    for (const reject of waiter.reject) reject(error);
  }

  private schedule(): void {
    if (this.pending.size === 0) return;
    const interactive = [...this.pending.values()].some((w) => w.priority === "interactive");
    const priority: Priority = interactive ? "interactive" : "background";
    if (this.acquiring[priority] || (priority === "background" && this.acquiring.interactive)) return;
    this.acquiring[priority] = true;
    void this.acquireAndSend(priority);
  }

  private async acquireAndSend(priority: Priority): Promise<void> {
    let scope: CallScope;
    try {
      if (this.pending.size < this.options.maxBatch && this.windowMs > 0)
        await new Promise((r) => setTimeout(r, this.windowMs));
      const wanted = [...this.pending.values()].filter(
        (w) => priority === "background" || w.priority === "interactive",
      );
      const deadline = Math.max(Date.now(), ...wanted.map((w) => w.deadline));
      const asked = performance.now();
      scope = { priority, deadline, prepaid: { operation: this.options.operation, used: false } };
      await this.options.budget?.acquire(this.options.operation, {}, priority, deadline);
      if (scope.prepaid) scope.prepaid.waitMs = performance.now() - asked;
    } catch (error) {
      this.acquiring[priority] = false;
      // The budget cannot serve even the latest deadline waiting: nobody of this priority will be served.
      for (const w of [...this.pending.values()]) {
        if (priority === "interactive" && w.priority !== "interactive") continue;
        this.pending.delete(w.key);
        this.fail(w, error);
      }
      this.schedule();
      return;
    }
    this.acquiring[priority] = false;
    const batch = this.take();
    this.schedule();
    // A slot with nothing left to send (every waiter timed out or joined another call) is simply unused.
    if (batch.length > 0) this.dispatch(batch, scope);
  }

  /** Up to maxBatch waiters, interactive ones first, each in the order it arrived. */
  private take(): Waiter<T>[] {
    const all = [...this.pending.values()];
    const ordered = [
      ...all.filter((w) => w.priority === "interactive"),
      ...all.filter((w) => w.priority !== "interactive"),
    ].slice(0, this.options.maxBatch);
    for (const w of ordered) {
      this.pending.delete(w.key);
      clearTimeout(w.timer);
    }
    return ordered;
  }

  private dispatch(batch: Waiter<T>[], scope: CallScope): void {
    const keys = batch.map((w) => w.key);
    const call = runInScope(scope, () => this.options.send(keys));
    for (const w of batch) {
      const one = call.then((found) => found.get(w.key) ?? null);
      // The waiters handle failures; the joined promise must not be an unhandled rejection meanwhile.
      one.catch(() => {});
      this.inflight.set(w.key, one);
      one.then(
        (value) => {
          for (const resolve of w.resolve) resolve(value);
        },
        (error: unknown) => this.fail(w, error),
      );
    }
    const done = () => {
      for (const key of keys) this.inflight.delete(key);
    };
    call.then(done, done);
  }
}
