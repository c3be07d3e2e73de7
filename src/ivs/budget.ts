import { ThrottledError } from "../errors.ts";
import { rateKeysOf } from "./rates.ts";
import type { CallScope, Priority } from "./scope.ts";

/**
 * How one budget key is paced, as a GCRA (generic cell rate algorithm): calls `intervalMs` apart on
 * average, with up to `burst` back to back. With `burst` ≤ the quota, a 1-second token bucket at the
 * quota (what IVS and the emulator enforce) never runs dry.
 */
export interface Pace {
  intervalMs: number;
  /** (burst − 1) × interval: how far ahead of its theoretical time a call may go. */
  toleranceMs: number;
}

/**
 * How much bunching the pace must survive: calls sent in order can reach IVS closer together than they
 * left (network jitter, a GC pause or a busy event loop delaying some and not others).
 */
const JITTER_ALLOWANCE_MS = 500;

/**
 * A quota paced at `share` of it: one call every 1 / (share × rate) s, and a burst small enough that
 * what the pace sends within any JITTER_ALLOWANCE_MS arriving at once still fits IVS's bucket of one
 * second at the quota: ⌊rate × (1 − share × jitter)⌋, at least 1 (3 for a 5 TPS quota at 80%).
 */
export function paceOf(rate: number, share: number): Pace {
  const intervalMs = 1000 / (rate * share);
  const fits = Math.floor(rate * (1 - (share * JITTER_ALLOWANCE_MS) / 1000));
  const burst = Math.max(1, Math.min(Math.floor(rate * share), fits));
  return { intervalMs, toleranceMs: (burst - 1) * intervalMs };
}

/**
 * Where the state of every budget key is kept: this process (memory) or every replica (Redis,
 * src/ivs/redis-budget.ts). Slots are taken when the call is sent, never booked ahead: a process that
 * stalls (a busy event loop, a GC pause) then sends at most one burst when it resumes, where booked
 * slots would all fire at once.
 */
export interface BudgetStore {
  /**
   * Takes a slot of `key` if one is free now with `headroomMs` to spare; otherwise takes nothing and
   * says in how many ms one will be.
   */
  take(key: string, pace: Pace, headroomMs: number): Promise<{ granted: boolean; waitMs: number }>;
  /** IVS throttled a call anyway (another client of the account): no slot before one interval from now. */
  penalize(key: string, pace: Pace): Promise<void>;
}

/** The budget state of this process only. `now` is monotonic by default. */
export function memoryBudgetStore(now: () => number = () => performance.now()): BudgetStore {
  const tats = new Map<string, number>();
  return {
    async take(key, pace, headroomMs) {
      const t = now();
      // An idle key has its whole burst free, headroom included (else background work would never start).
      const tat = tats.get(key) ?? t - headroomMs;
      const freeAt = tat - pace.toleranceMs + headroomMs;
      if (freeAt > t) return { granted: false, waitMs: freeAt - t };
      tats.set(key, Math.max(tat, t) + pace.intervalMs);
      return { granted: true, waitMs: 0 };
    },
    async penalize(key, pace) {
      const t = now();
      tats.set(key, Math.max(tats.get(key) ?? t, t + pace.toleranceMs + pace.intervalMs));
    },
  };
}

export interface BudgetOptions {
  /** Where budget state is kept. Default this process's memory. */
  store?: BudgetStore;
  /** Share of each quota the gateway uses, so that clock skew and jitter never reach IVS's limit. Default 0.8. */
  share?: number;
  /** Per-operation TPS overrides of the IVS quota table. Default none. */
  rates?: Readonly<Record<string, number>>;
  /** How long an interactive call without a deadline of its own may wait for a slot. Default 10 s. */
  deadlineMs?: number;
  /** Called when a call got its slot, with how long it waited. Default none. */
  onWait?: (operation: string, priority: Priority, waitMs: number) => void;
  /** Called when a call is refused at its deadline, by cause. Default none. */
  onRefused?: (operation: string, priority: Priority, cause: "budget" | "throttled") => void;
}

interface Waiter {
  priority: Priority;
  resolve(): void;
  reject(error: unknown): void;
  timer?: NodeJS.Timeout;
}

/** The callers waiting for one budget key, interactive ones first, and the loop serving them. */
interface KeyQueue {
  interactive: Waiter[];
  background: Waiter[];
  pumping: boolean;
  /** Epoch ms of the next free slot, as last reported by the store; 0 when one was free. */
  nextFreeAt: number;
  /** Cuts the pump's sleep short: an interactive caller arrived behind a background one. */
  wake?: () => void;
}

/**
 * The request budget of the account: every IVS call of the process (of every replica, with the Redis
 * store) takes a slot per budget key before it is sent. Callers queue per key, interactive ones before
 * background ones, each until its deadline; background work also leaves one interval of headroom, so
 * that it never takes a slot an interactive call on another replica is about to need.
 */
export class RequestBudget {
  readonly deadlineMs: number;
  private readonly store: BudgetStore;
  private readonly share: number;
  private readonly queues = new Map<string, KeyQueue>();

  constructor(private readonly options: BudgetOptions = {}) {
    this.store = options.store ?? memoryBudgetStore();
    this.share = options.share ?? 0.8;
    this.deadlineMs = options.deadlineMs ?? 10_000;
  }

  /** Epoch ms by which a call in `scope` must have its slot. */
  deadlineOf(scope: CallScope | undefined): number {
    return scope?.deadline ?? Date.now() + this.deadlineMs;
  }

  /** Waits for the call's slots; throws a retriable ThrottledError when they would come after `deadline`. */
  async acquire(operation: string, input: unknown, priority: Priority, deadline: number): Promise<void> {
    const started = Date.now();
    for (const { key, rate } of rateKeysOf(operation, input, this.options.rates))
      await this.wait(operation, key, paceOf(rate, this.share), priority, deadline);
    this.options.onWait?.(operation, priority, Date.now() - started);
  }

  /** Reports a throttle from IVS, so that the next calls of the operation hold back. */
  async throttled(operation: string, input: unknown): Promise<void> {
    const keys = rateKeysOf(operation, input, this.options.rates);
    await Promise.all(keys.map(({ key, rate }) => this.store.penalize(key, paceOf(rate, this.share))));
  }

  /** Reports that a call gave up on IVS throttling at its deadline (for metrics). */
  gaveUp(operation: string, priority: Priority): void {
    this.options.onRefused?.(operation, priority, "throttled");
  }

  private wait(operation: string, key: string, pace: Pace, priority: Priority, deadline: number) {
    const q = this.queueOf(key);
    const now = Date.now();
    // Refuse at once what cannot make it, assuming the best (a whole burst free) when nothing is known.
    const ahead = q.interactive.length + (priority === "background" ? q.background.length : 0);
    const burst = Math.round(pace.toleranceMs / pace.intervalMs) + 1;
    const estimate =
      q.nextFreeAt > now
        ? q.nextFreeAt - now + ahead * pace.intervalMs
        : Math.max(0, ahead + 1 - burst) * pace.intervalMs;
    if (now + estimate > deadline) {
      if (!q.pumping) this.queues.delete(key);
      return Promise.reject(this.refuse(operation, priority, estimate));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { priority, resolve, reject };
      const line = priority === "interactive" ? q.interactive : q.background;
      line.push(waiter);
      waiter.timer = setTimeout(() => {
        const at = line.indexOf(waiter);
        if (at >= 0) line.splice(at, 1);
        reject(this.refuse(operation, priority, Math.max(pace.intervalMs, q.nextFreeAt - Date.now())));
      }, deadline - now);
      if (priority === "interactive") q.wake?.();
      void this.pump(key, q, pace);
    });
  }

  /** Serves `key`'s queue: a slot for the first waiter whenever the store has one, until nobody waits. */
  private async pump(key: string, q: KeyQueue, pace: Pace): Promise<void> {
    if (q.pumping) return;
    q.pumping = true;
    try {
      for (;;) {
        const head = q.interactive[0] ?? q.background[0];
        if (!head) break;
        const headroom = head.priority === "background" ? pace.intervalMs : 0;
        const { granted, waitMs } = await this.store.take(key, pace, headroom);
        if (granted) {
          q.nextFreeAt = 0;
          // The head may have timed out while the store answered: the slot goes to whoever is first now.
          const next = q.interactive.shift() ?? q.background.shift();
          if (next) {
            clearTimeout(next.timer);
            next.resolve();
          }
          continue;
        }
        q.nextFreeAt = Date.now() + waitMs;
        // A little jitter, so that the replicas' pumps do not ask in lockstep.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs + Math.random() * Math.min(10, pace.intervalMs / 10));
          q.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        q.wake = undefined;
      }
    } catch (error) {
      // The store failed (Redis unreachable): nobody here can be paced, so nobody waits for it.
      for (const w of [...q.interactive.splice(0), ...q.background.splice(0)]) {
        clearTimeout(w.timer);
        w.reject(error);
      }
    } finally {
      q.pumping = false;
      if (q.interactive.length + q.background.length === 0) this.queues.delete(key);
    }
  }

  private queueOf(key: string): KeyQueue {
    let q = this.queues.get(key);
    if (!q) {
      q = { interactive: [], background: [], pumping: false, nextFreeAt: 0 };
      this.queues.set(key, q);
    }
    return q;
  }

  private refuse(operation: string, priority: Priority, waitMs: number): ThrottledError {
    this.options.onRefused?.(operation, priority, "budget");
    const retryAfterMs = Math.max(1, Math.ceil(waitMs));
    return new ThrottledError(
      `IVS ${operation} is over the gateway's request budget; retry in about ${retryAfterMs} ms`,
      retryAfterMs,
    );
  }
}
