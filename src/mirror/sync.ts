import { type CallScope, runInScope } from "../ivs/scope.ts";
import type { Logger } from "../logger.ts";
import type { Kind, Resource } from "./changes.ts";
import type { Mirror } from "./mirror.ts";
import type { ListKind, SingleKind } from "./sources.ts";

export interface SyncOptions {
  mirror: Mirror;
  /** How often account-level lists (channels with their details, configurations) are taken again. */
  resyncMs: number;
  /** How often each channel's key list and session list are taken again. */
  channelResyncMs: number;
  logger?: Logger;
  /** How long the leader waits before it confirms what IVS settles on its own time. Defaults below. */
  delays?: Partial<SyncDelays>;
  /** Called every few seconds during the first crawl, and when it ends. Default none. */
  onProgress?: (progress: CrawlProgress) => void;
  now?: () => number;
}

export interface SyncDelays {
  /**
   * Before confirming what a CloudTrail event said: the replica that made the write (its own
   * mutation) says so meanwhile, and then there is nothing to confirm. Default 2 s.
   */
  ownWriteGraceMs: number;
  /** After a session ended, before its details are read (its last events settle first). Default 2 s. */
  sessionEndMs: number;
  /** First re-read of a CREATING recording configuration; doubles up to a minute. Default 1 s. */
  creatingPollMs: number;
}

const DEFAULT_DELAYS: SyncDelays = { ownWriteGraceMs: 2000, sessionEndMs: 2000, creatingPollMs: 1000 };

/** How far the mirror is: per part, how many are mirrored out of how many there are. */
export interface CrawlProgress {
  channels: { listed: boolean; detailed: number; total: number };
  keyLists: { done: number; total: number };
  sessionLists: { done: number; total: number };
}

/** Account-level kinds, listed side by side: a handful of configurations, and the channels. */
const ACCOUNT_KINDS: readonly ListKind[] = [
  "recording-configuration",
  "playback-key-pair",
  "playback-restriction-policy",
  "ad-configuration",
  "channel",
];
/** Kinds whose list summaries lack members that never change once created: fetched once per ARN. */
const DETAIL_ONCE: ReadonlySet<Kind> = new Set(["recording-configuration", "playback-key-pair"]);
/** Key values are asked for in full batches. */
const VALUE_BATCH = 50;
/** How long stop() waits for a step in progress. */
const STOP_WAIT_MS = 2000;
/** Background work of the sync loop may wait this long for the budget (it yields to clients). */
const SYNC_DEADLINE_MS = 15 * 60_000;

/**
 * The reflector: the leader's background loop that lists the account and keeps listing it, inside
 * the background share of the request budget (interactive calls always go first). First a crawl:
 * configurations and channel pages side by side (each kind has its own quotas), channel details in
 * batches of 50, then per channel its key list and its sessions; then periodic passes that repair
 * whatever events missed: account lists every `resyncMs`, each channel's lists every
 * `channelResyncMs`, spread over that period. It
 * also confirms with IVS what events reported and polls what only IVS can tell (CREATING states, ends).
 */
export class MirrorSync {
  private running = false;
  private readonly loops: Promise<void>[] = [];
  /** Cuts a loop's rest short, by loop name. */
  private readonly wakers = new Map<string, () => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly confirms = new Map<string, () => Promise<unknown>>();
  /** Confirmations being checked right now. */
  private checking = 0;
  private readonly failures = new Map<string, number>();
  private readonly now: () => number;
  private unwatch: (() => void) | undefined;
  readonly delays: SyncDelays;

  constructor(private readonly options: SyncOptions) {
    this.now = options.now ?? Date.now;
    this.delays = { ...DEFAULT_DELAYS, ...options.delays };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // A channel the mirror did not know (an event, a lookup) gets its key and session lists soon; and
    // the per-channel lists, which wait for the channel list, start the moment it is complete (not at
    // their next one-second check: the crawl's key and session lists began a second late).
    this.unwatch = this.options.mirror.onChange((change, applied) => {
      const newChannel = applied.changed && change.op === "put" && change.kind === "channel";
      if (newChannel || (change.op === "listed" && change.kind === "channel")) {
        this.wakers.get("keys")?.();
        this.wakers.get("sessions")?.();
      }
    });
    this.loops.push(
      this.loop("account lists", () => this.accountStep()),
      this.loop("keys", () => this.channelStep("keys")),
      this.loop("sessions", () => this.channelStep("sessions")),
      this.loop("confirmations", () => this.confirmStep()),
      this.loop("progress", () => this.progressStep()),
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unwatch?.();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const wake of [...this.wakers.values()]) wake();
    // A step waiting for the budget (or a slow IVS) is not waited for long: stopping must be prompt,
    // and its call fails once the client is destroyed.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.loops.splice(0)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, STOP_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Asks IVS for `key`'s truth in the background (deduplicated), e.g. after a CloudTrail event. */
  confirm(key: string, check: () => Promise<unknown>): void {
    if (!this.running) return;
    if (!this.confirms.has(key)) this.confirms.set(key, check);
    this.wakers.get("confirmations")?.();
  }

  /** `confirm` after `ms`: for what IVS settles on its own time (a configuration leaving CREATING). */
  confirmLater(key: string, ms: number, check: () => Promise<unknown>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.confirm(key, check);
    }, ms);
    timer.unref?.();
    this.timers.add(timer);
  }

  /** Re-reads a resource (its full object) in the background. */
  confirmResource(kind: Kind, arn: string): void {
    this.confirm(`${kind} ${arn}`, () => this.check(kind, arn));
  }

  /** Reads a resource's full object from IVS now (what a confirmation does); the mirror records it. */
  check(kind: Kind, arn: string): Promise<unknown> {
    const { mirror } = this.options;
    if (kind === "channel") return mirror.channelFetcher.load(arn);
    if (kind === "stream-key") return mirror.keyFetcher.load(arn);
    return mirror.fetchOne(kind as SingleKind, arn);
  }

  /** How far the mirror is, for logs, metrics and readiness. */
  progress(): CrawlProgress {
    const { store } = this.options.mirror;
    const channels = store.of("channel");
    let detailed = 0;
    let keyLists = 0;
    let sessionLists = 0;
    for (const arn of channels.arns()) {
      if (channels.hasDetail(arn)) detailed++;
      if (store.keyListedAt(arn) > 0) keyLists++;
      if (store.sessions.listed(arn)) sessionLists++;
    }
    const total = channels.size;
    return {
      channels: { listed: channels.listedAt > 0, detailed, total },
      keyLists: { done: keyLists, total },
      sessionLists: { done: sessionLists, total },
    };
  }

  // ---- the loops ----

  /** Runs `step` until stopped; it returns how long to rest. Only the leader works; failures back off. */
  private loop(name: string, step: () => Promise<number>): Promise<void> {
    return (async () => {
      while (this.running) {
        let rest = 1000;
        if (this.options.mirror.leader) {
          try {
            rest = await step();
            this.failures.delete(name);
          } catch (error) {
            const n = (this.failures.get(name) ?? 0) + 1;
            this.failures.set(name, n);
            rest = Math.min(60_000, 1000 * 2 ** Math.min(n, 6));
            this.options.logger?.warn({ err: error, where: name, retryInMs: rest }, "mirror sync");
          }
        }
        await this.rest(name, rest);
      }
    })();
  }

  private rest(name: string, ms: number): Promise<void> {
    if (!this.running || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        if (this.wakers.get(name) === wake) this.wakers.delete(name);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref?.();
      this.wakers.set(name, wake);
    });
  }

  private background<T>(fn: () => Promise<T>): Promise<T> {
    const scope: CallScope = { priority: "background", deadline: this.now() + SYNC_DEADLINE_MS };
    return runInScope(scope, fn);
  }

  /**
   * Lists every account-level kind that is due, all at once: each has its own operations' quotas, so a
   * slow one (a configuration's detail waiting for its quota, thousands of channel pages) holds up no
   * other. Rests until the next one is due.
   */
  private async accountStep(): Promise<number> {
    const { mirror } = this.options;
    let next = this.options.resyncMs;
    const due: ListKind[] = [];
    for (const kind of ACCOUNT_KINDS) {
      const listedAt = mirror.store.of(kind).listedAt;
      const dueIn = listedAt + this.options.resyncMs - this.now();
      if (listedAt === 0 || dueIn <= 0) due.push(kind);
      else next = Math.min(next, dueIn);
    }
    // A failed pass fails the step (it backs off and tries the kinds still due); the others finish first.
    const passes = await Promise.allSettled(due.map((kind) => this.pass(kind)));
    const failed = passes.find((p): p is PromiseRejectedResult => p.status === "rejected");
    if (failed) throw failed.reason;
    return this.running ? next : 0;
  }

  /**
   * One complete list of `kind`: pages recorded as they come, channel details re-read in batches of
   * 50, details of the other kinds read once. What the list no longer shows is confirmed with IVS
   * before it is deleted (a list can lag behind a create).
   */
  private async pass(kind: ListKind): Promise<void> {
    const { mirror } = this.options;
    const startedAt = this.now();
    const seen = new Set<string>();
    const details: Promise<unknown>[] = [];
    const detailed = (arn: string) => {
      if (kind === "channel") return mirror.channelFetcher.load(arn);
      if (DETAIL_ONCE.has(kind) && !mirror.store.of(kind).hasDetail(arn))
        return mirror.fetchOne(kind as SingleKind, arn);
      return undefined;
    };
    await this.background(async () => {
      let token: string | undefined;
      do {
        const at = this.now();
        const page = await mirror.sources.listPage(kind, token);
        mirror.record({ op: "put", kind, part: "summary", at, items: page.items });
        for (const item of page.items) {
          const arn = item.arn as string;
          seen.add(arn);
          const fetch = detailed(arn);
          // A failed detail is retried by the next pass; the pass itself goes on.
          if (fetch) details.push(fetch.catch(() => undefined));
        }
        token = page.nextToken;
      } while (token && this.running);
      await Promise.all(details);
    });
    if (!this.running) return;
    mirror.record({ op: "listed", kind, at: startedAt });
    for (const e of [...mirror.store.of(kind).values()]) {
      const arn = e.value.arn as string;
      if (!seen.has(arn) && e.at < startedAt) this.confirmResource(kind, arn);
    }
  }

  /**
   * Lists the key lists (or session lists) of channels that are due: never listed ones first (the
   * crawl, at the budget's pace), then the least recently listed, spread over `channelResyncMs`.
   */
  private async channelStep(what: "keys" | "sessions"): Promise<number> {
    const { mirror } = this.options;
    const channels = mirror.store.of("channel");
    // Per-channel lists wait for the channel list: it says which channels there are.
    if (channels.listedAt === 0) return 1000;
    const listedAt = (arn: string) =>
      what === "keys" ? mirror.store.keyListedAt(arn) : mirror.store.sessions.listedAt(arn);
    const period = this.options.channelResyncMs;
    const due = channels
      .arns()
      .filter((arn) => listedAt(arn) === 0 || listedAt(arn) + period <= this.now())
      .sort((a, b) => listedAt(a) - listedAt(b));
    const values: string[] = [];
    const flushValues = async (all: boolean) => {
      while (values.length >= (all ? 1 : VALUE_BATCH)) {
        const batch = values.splice(0, VALUE_BATCH);
        await Promise.all(batch.map((arn) => mirror.keyFetcher.load(arn).catch(() => undefined)));
      }
    };
    for (const arn of due) {
      if (!this.running || !mirror.leader) break;
      const crawl = listedAt(arn) === 0;
      // A lookup (or a mutation) may have listed it meanwhile.
      if (!crawl && listedAt(arn) + period > this.now()) continue;
      const started = this.now();
      await this.background(async () => {
        if (what === "sessions") return mirror.sessions.list(arn);
        const keys = (await mirror.listKeys(arn)) ?? [];
        for (const key of keys as Resource[])
          if (!mirror.store.of("stream-key").get(key.arn as string)?.value.value)
            values.push(key.arn as string);
        await flushValues(false);
      });
      if (!crawl) await this.rest(what, period / Math.max(1, channels.size) - (this.now() - started));
    }
    await this.background(() => flushValues(true));
    // Next: the earliest channel to fall due (at least a second away, at most a period).
    let earliest = period;
    for (const arn of channels.arns())
      earliest = Math.min(earliest, Math.max(0, listedAt(arn) + period - this.now()));
    return Math.max(1000, earliest);
  }

  private async confirmStep(): Promise<number> {
    if (this.confirms.size === 0) return 5000;
    const work = [...this.confirms.entries()];
    this.confirms.clear();
    this.checking += work.length;
    try {
      // Together, so that confirmations of channels and keys share batch calls.
      await this.background(() => Promise.all(work.map(([, check]) => check().catch(() => undefined))));
    } finally {
      this.checking -= work.length;
    }
    return 0;
  }

  /** Whether confirmations are scheduled, waiting or being checked (tests wait for none). */
  get confirming(): boolean {
    return this.timers.size > 0 || this.confirms.size > 0 || this.checking > 0;
  }

  private lastLogged = "";
  private async progressStep(): Promise<number> {
    const p = this.progress();
    const text = JSON.stringify(p);
    if (text !== this.lastLogged) {
      this.lastLogged = text;
      this.options.onProgress?.(p);
    }
    return 5000;
  }
}
