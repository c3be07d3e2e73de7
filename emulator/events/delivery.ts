import type { Random } from "../random.ts";
import type { EventSink, IvsEvent } from "./bus.ts";
import {
  backoffMs,
  checkTarget,
  DEFAULT_RETRY,
  type DeliveryFaults,
  type DeliveryOptions,
  drawFaults,
  type EventTarget,
  mergeFaults,
  mergeRetry,
  NO_DELIVERY_FAULTS,
  type RetryPolicy,
  targetRandoms,
} from "./delivery-options.ts";
import { describeTarget, emptyStats, post, redact, safeUrl, type TargetStats } from "./http-target.ts";

/** One copy of one event on its way to one target. */
interface Job {
  event: IvsEvent;
  settled: boolean;
}

interface Target {
  config: EventTarget;
  stats: TargetStats;
  random: { faults: Random; jitter: Random };
  queue: Job[];
  sending: boolean;
  held?: { job: Job; timer: NodeJS.Timeout };
  timers: Set<NodeJS.Timeout>;
  /** Jobs a timer will act on (delays, retries) or a request is carrying, so cancelling can settle them. */
  waiting: Set<Job>;
}

/**
 * Delivers emitted events to HTTP targets the way an EventBridge API destination does: one POST per event,
 * the event JSON as body, an API-key header, retries with back-off on timeouts, network errors, 429 and
 * 5xx. Faults make the delivery as unreliable as IVS's really is. Never logs API keys.
 */
export class EventDelivery implements EventSink {
  private readonly targets = new Map<string, Target>();
  private faults: DeliveryFaults;
  private retry: RetryPolicy;
  private readonly log: (message: string) => void;
  private abort = new AbortController();
  private pending = 0;
  private waiters: (() => void)[] = [];

  constructor(options: DeliveryOptions = {}, defaultSeed?: number) {
    this.faults = { ...NO_DELIVERY_FAULTS, ...options.faults };
    if (this.faults.seed === undefined && defaultSeed !== undefined) this.faults.seed = defaultSeed;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.log = options.log ?? ((m) => console.warn(m));
    for (const t of options.targets ?? []) this.addTarget(t);
  }

  deliver(event: IvsEvent): void {
    for (const target of this.targets.values()) this.route(target, event);
  }

  /** Adds a target, or replaces the one with the same URL. Returns it without its key. */
  addTarget(config: EventTarget) {
    const checked = checkTarget(config);
    const existing = this.targets.get(checked.url);
    if (existing) this.cancel(existing);
    this.targets.set(checked.url, {
      config: checked,
      stats: emptyStats(checked.url),
      random: targetRandoms(this.faults.seed, checked.url),
      queue: [],
      sending: false,
      timers: new Set(),
      waiting: new Set(),
    });
    return describeTarget(checked);
  }

  /** Removes a target (and drops what was still on its way to it); false if there was none. */
  removeTarget(url: string): boolean {
    const key = this.targets.has(url) ? url : safeUrl(url);
    const target = key ? this.targets.get(key) : undefined;
    if (!target) return false;
    this.cancel(target);
    this.targets.delete(target.config.url);
    return true;
  }

  /** The targets, with whether a key is set but never the key. */
  listTargets() {
    return [...this.targets.values()].map((t) => describeTarget(t.config));
  }

  getFaults(): DeliveryFaults {
    return { ...this.faults };
  }

  /** Merges fault settings; giving a seed restarts every target's draws from it, for a reproducible run. */
  setFaults(update: Record<string, unknown>): DeliveryFaults {
    this.faults = mergeFaults(this.faults, update);
    if ("seed" in update)
      for (const t of this.targets.values()) t.random = targetRandoms(this.faults.seed, t.config.url);
    return this.getFaults();
  }

  getRetry(): RetryPolicy {
    return { ...this.retry };
  }

  setRetry(update: Record<string, unknown>): RetryPolicy {
    this.retry = mergeRetry(this.retry, update);
    return this.getRetry();
  }

  stats() {
    const targets = [...this.targets.values()].map((t) => ({ ...t.stats }));
    return { inFlight: this.pending, targets };
  }

  /** Resolves once nothing is on its way to any target (delays, held events and retries included). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Sends held-back (reordered) events now instead of at the end of their window, then waits for idle. */
  flush(): Promise<void> {
    for (const t of this.targets.values()) this.release(t);
    return this.idle();
  }

  /** Emulator reset: drops everything on its way, zeroes the stats and restarts seeded draws; keeps targets and knobs. */
  reset(): void {
    for (const t of this.targets.values()) {
      this.cancel(t);
      t.stats = emptyStats(t.config.url);
      t.random = targetRandoms(this.faults.seed, t.config.url);
    }
    this.abort.abort();
    this.abort = new AbortController();
  }

  /** Emulator stop: cancels timers and requests in flight, keeping targets, knobs and stats for a restart. */
  stop(): void {
    for (const t of this.targets.values()) this.cancel(t);
    this.abort.abort();
    this.abort = new AbortController();
  }

  private route(target: Target, event: IvsEvent): void {
    const draw = drawFaults(target.random.faults, this.faults);
    if (draw.drop) {
      target.stats.dropped++;
      return;
    }
    if (draw.duplicate) target.stats.duplicated++;
    const jobs = Array.from({ length: draw.duplicate ? 2 : 1 }, () => this.open(target, event));
    const arrive = () => {
      for (const job of jobs) target.waiting.delete(job);
      this.arrive(target, jobs, draw.hold);
    };
    if (draw.delayMs <= 0) {
      arrive();
      return;
    }
    target.stats.delayed++;
    for (const job of jobs) target.waiting.add(job);
    this.later(target, draw.delayMs, arrive);
  }

  /** Reordering: a held event waits until the next one has been queued, or until its window closes. */
  private arrive(target: Target, jobs: Job[], hold: boolean): void {
    const [first, ...rest] = jobs;
    if (hold && first && !target.held) {
      target.stats.reordered++;
      const timer = setTimeout(() => this.release(target), this.faults.reorderWindowMs);
      target.held = { job: first, timer };
      target.queue.push(...rest);
    } else {
      target.queue.push(...jobs);
      this.release(target);
    }
    void this.pump(target);
  }

  private release(target: Target): void {
    if (!target.held) return;
    clearTimeout(target.held.timer);
    target.queue.push(target.held.job);
    target.held = undefined;
    void this.pump(target);
  }

  /** One POST at a time per target keeps arrival order equal to send order when no fault intervenes. */
  private async pump(target: Target): Promise<void> {
    if (target.sending) return;
    target.sending = true;
    try {
      for (let job = target.queue.shift(); job; job = target.queue.shift())
        await this.attempt(target, job, 1);
    } finally {
      target.sending = false;
    }
  }

  private async attempt(target: Target, job: Job, attempt: number): Promise<void> {
    if (job.settled) return;
    target.waiting.add(job);
    const error = await post(target.config, job.event, this.retry.timeoutMs, this.abort.signal);
    target.waiting.delete(job);
    // Settled meanwhile: the target was removed or the emulator reset, so the outcome no longer counts.
    if (job.settled) return;
    if (!error) {
      target.stats.delivered++;
      this.settle(target, job);
      return;
    }
    target.stats.lastError = error.message;
    if (error.retryable && attempt < this.retry.attempts) {
      target.stats.retried++;
      target.waiting.add(job);
      // Retries wait on a timer, outside the queue, so one failing event does not hold up the rest.
      this.later(target, backoffMs(this.retry, attempt, target.random.jitter), () => {
        target.waiting.delete(job);
        void this.attempt(target, job, attempt + 1);
      });
      return;
    }
    target.stats.failed++;
    this.log(
      `[ivs-emulator] event ${job.event.id} to ${redact(target.config.url)} failed after ${attempt} attempt(s): ${error.message}`,
    );
    this.settle(target, job);
  }

  private open(target: Target, event: IvsEvent): Job {
    this.pending++;
    target.stats.inFlight++;
    return { event, settled: false };
  }

  private settle(target: Target, job: Job): void {
    if (job.settled) return;
    job.settled = true;
    target.stats.inFlight--;
    this.pending--;
    if (this.pending === 0) for (const resolve of this.waiters.splice(0)) resolve();
  }

  private later(target: Target, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      target.timers.delete(timer);
      fn();
    }, ms);
    target.timers.add(timer);
  }

  /** Settles every job of a target without sending it (removal, reset, stop). */
  private cancel(target: Target): void {
    for (const timer of target.timers) clearTimeout(timer);
    target.timers.clear();
    const jobs = [...target.queue, ...target.waiting, ...(target.held ? [target.held.job] : [])];
    if (target.held) clearTimeout(target.held.timer);
    target.held = undefined;
    target.queue = [];
    target.waiting.clear();
    for (const job of jobs) this.settle(target, job);
  }
}
