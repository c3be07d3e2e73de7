import { randomUUID } from "node:crypto";
import { FixedBuffer, Repeater } from "graphql-yoga";
import { compareIds, type EventLog, type LogEntry, type LoggedEntry, logIdTime } from "./event-log.ts";
import type { EventKind, RelayedEvent } from "./ivs-event.ts";
import { type ChannelLiveState, LiveStateStore, type SnapshotStream } from "./live-state.ts";

export interface LiveUpdate extends ChannelLiveState {
  /** True once, as the last update of a channel that was deleted. */
  deleted: boolean;
}

export interface RelayedEntry {
  /** Log position: pass it back as `lastEventId` to resume after a reconnect. */
  logId: string;
  event: RelayedEvent;
}

export interface EventFilter {
  channelArns?: readonly string[] | null;
  kinds?: readonly EventKind[] | null;
}

/** One delivery to subscribers: what it carries, and how many subscribers it reaches. */
export interface Fanout {
  /** update: a channel's live state; event: a relayed IVS event; deleted: a deleted channel's last update. */
  kind: "update" | "event" | "deleted";
  channelArn?: string;
  eventKind?: EventKind;
  subscribers: number;
}

export interface LiveHubOptions {
  log: EventLog;
  /** Every live stream of the account (ListStreams, all pages). */
  listLiveStreams: () => Promise<SnapshotStream[]>;
  /** Reconciliation period. Default 30 s. */
  reconcileIntervalMs?: number;
  /** Claims this period's reconciliation among replicas; absent = this process always reconciles. */
  claimReconciliation?: (turn: "period" | "follow-up") => Promise<boolean>;
  /** Updates a subscriber may fall behind by before it is closed as too slow. Default 1,000. */
  subscriberBuffer?: number;
  onError?: (error: unknown, where: string) => void;
  /** Runs each delivery that reaches subscribers (`send`), e.g. inside a trace span. Default: just sends. */
  fanout?: (fanout: Fanout, send: () => void) => void;
  /** An event dated further ahead of its receipt is relayed but cannot move live state (ms). Default 5 min. */
  clockSkewMs?: number;
  /** An event dated further before its receipt is relayed but cannot move live state (ms). Default 24 h. */
  maxAgeMs?: number;
  /** Told of each event outside that window (`ahead`: dated after its receipt), e.g. to count skewed clocks. */
  onOutOfWindow?: (side: "ahead" | "behind", event: RelayedEvent) => void;
  now?: () => number;
}

class SlowSubscriberError extends Error {
  constructor() {
    super("the subscriber fell too far behind and was closed; resubscribe (with lastEventId to resume)");
  }
}

/** How soon after a channel goes live by an event its viewer count is asked of ListStreams. */
export const FOLLOW_UP_MS = 2000;

interface Sink<T> {
  push(value: T): void;
}

/**
 * The per-replica hub: applies what the shared log carries to live state, fans changes and events out
 * to subscribers, and reconciles with ListStreams on a period so that lost events are repaired.
 */
export class LiveHub {
  readonly state: LiveStateStore;
  private readonly channelSinks = new Map<string, Set<Sink<LiveUpdate>>>();
  private readonly eventSinks = new Set<{ filter: EventFilter; sink: Sink<RelayedEntry> }>();
  private timer: NodeJS.Timeout | undefined;
  private lastReconciledAt = 0;
  private readonly now: () => number;

  constructor(private readonly options: LiveHubOptions) {
    this.now = options.now ?? (() => Date.now());
    this.state = new LiveStateStore({
      ...(options.clockSkewMs !== undefined ? { clockSkewMs: options.clockSkewMs } : {}),
      ...(options.maxAgeMs !== undefined ? { maxAgeMs: options.maxAgeMs } : {}),
    });
  }

  /** Starts reading the log and reconciles once, so that statuses are known before the first subscriber. */
  async start(): Promise<void> {
    await this.options.log.start((logged) => this.onEntry(logged));
    await this.reconcile(true).catch((error: unknown) =>
      this.options.onError?.(error, "initial reconciliation"),
    );
    const period = this.reconcileIntervalMs;
    this.timer = setInterval(() => {
      this.reconcile().catch((error: unknown) => this.options.onError?.(error, "reconciliation"));
    }, period);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.followUpTimer) clearTimeout(this.followUpTimer);
    this.stopped = true;
    await this.options.log.stop();
  }

  /** The reconciliation period (ms). */
  get reconcileIntervalMs(): number {
    return this.options.reconcileIntervalMs ?? 30_000;
  }

  /**
   * Calls `listener` with every log entry this replica applies (events, snapshots, deletions), after
   * live state has taken it in; e.g. to drop cached data an event makes stale. Returns an unsubscribe.
   */
  observe(listener: (entry: LogEntry, logId: string) => void): () => void {
    this.entryObservers.add(listener);
    return () => this.entryObservers.delete(listener);
  }

  /** When statuses were last checked against ListStreams (ms), 0 if never. */
  get reconciledAt(): number {
    return this.lastReconciledAt;
  }

  /** Lists live streams and applies the snapshot here and, through the log, on every replica. */
  async reconcile(force = false, turn: "period" | "follow-up" = "period"): Promise<ChannelLiveState[]> {
    if (!force && this.options.claimReconciliation && !(await this.options.claimReconciliation(turn)))
      return [];
    const takenAt = this.now();
    const streams = await this.options.listLiveStreams();
    const changes = this.applySnapshot(streams, takenAt);
    await this.options.log.append({ type: "snapshot", streams, takenAt, origin: this.replicaId });
    return changes;
  }

  /** Announces a deleted channel to every replica: its subscribers get a last update and complete. */
  async channelDeleted(channelArn: string): Promise<void> {
    await this.options.log.append({ type: "deleted", channelArn });
  }

  /** The current status of each channel first, then every change, until all of them are deleted. */
  watchChannels(channelArns: readonly string[]): AsyncIterableIterator<LiveUpdate> {
    const arns = [...new Set(channelArns)];
    return new Repeater<LiveUpdate>(
      async (push, stop) => {
        const remaining = new Set(arns);
        const sink: Sink<LiveUpdate> = {
          push: (update) => {
            push(update).catch(() => stop(new SlowSubscriberError()));
            if (update.deleted) {
              remaining.delete(update.channelArn);
              this.channelSinks.get(update.channelArn)?.delete(sink);
              if (remaining.size === 0) stop();
            }
          },
        };
        for (const arn of arns) {
          const set = this.channelSinks.get(arn) ?? new Set();
          this.channelSinks.set(arn, set);
          set.add(sink);
        }
        for (const arn of arns)
          push({ ...this.state.get(arn), deleted: false }).catch(() => stop(new SlowSubscriberError()));
        await stop;
        for (const arn of arns) {
          const set = this.channelSinks.get(arn);
          set?.delete(sink);
          if (set?.size === 0) this.channelSinks.delete(arn);
        }
      },
      new FixedBuffer(this.options.subscriberBuffer ?? 1000),
    );
  }

  /**
   * Relayed IVS events matching the filter. With `afterLogId`, first replays what the log retains after
   * it; if the log no longer reaches back that far, the subscription fails rather than silently skip.
   */
  watchEvents(filter: EventFilter, afterLogId?: string): AsyncIterableIterator<RelayedEntry> {
    const channelArns = filter.channelArns ? new Set(filter.channelArns) : undefined;
    const own: EventFilter = { ...filter, channelArns: channelArns ? [...channelArns] : null };
    return new Repeater<RelayedEntry>(
      async (push, stop) => {
        const fail = () => stop(new SlowSubscriberError());
        let backlog: RelayedEntry[] | undefined = afterLogId ? [] : undefined;
        const entry = {
          filter: own,
          sink: {
            push: (e: RelayedEntry) => {
              if (backlog) backlog.push(e);
              else push(e).catch(fail);
            },
          },
        };
        this.eventSinks.add(entry);
        const onDeleted = (arn: string) => {
          if (!channelArns?.delete(arn)) return;
          own.channelArns = [...channelArns];
          if (channelArns.size === 0) stop();
        };
        this.deletionListeners.add(onDeleted);
        if (afterLogId) {
          try {
            const replay = await this.options.log.since(afterLogId);
            if (!replay)
              throw new Error("lastEventId is older than the replay window; resubscribe without it");
            let last = afterLogId;
            for (const logged of replay) {
              if (logged.entry.type !== "event" || !matches(own, logged.entry.event)) continue;
              last = logged.id;
              push({ logId: logged.id, event: logged.entry.event }).catch(fail);
            }
            for (const e of backlog ?? []) if (compareIds(e.logId, last) > 0) push(e).catch(fail);
            backlog = undefined;
          } catch (error) {
            stop(error);
          }
        }
        await stop;
        this.eventSinks.delete(entry);
        this.deletionListeners.delete(onDeleted);
      },
      new FixedBuffer(this.options.subscriberBuffer ?? 1000),
    );
  }

  /** Subscriber counts, for metrics and benchmarks. */
  subscriberCounts(): { channels: number; channelSubscriptions: number; events: number } {
    let channelSubscriptions = 0;
    for (const set of this.channelSinks.values()) channelSubscriptions += set.size;
    return { channels: this.channelSinks.size, channelSubscriptions, events: this.eventSinks.size };
  }

  private followUpTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  /**
   * One reconciliation FOLLOW_UP_MS after a channel went live by an event, for its viewer count; the
   * channels that go live meanwhile share it (at most one ListStreams per FOLLOW_UP_MS for this).
   */
  private followUp(): void {
    if (this.followUpTimer || this.stopped) return;
    this.followUpTimer = setTimeout(() => {
      this.followUpTimer = undefined;
      // A reconciliation since may have told every viewer count already.
      if (!this.state.live().some((s) => s.viewerCount === null)) return;
      this.reconcile(false, "follow-up").catch((error: unknown) =>
        this.options.onError?.(error, "follow-up reconciliation"),
      );
    }, FOLLOW_UP_MS);
    this.followUpTimer.unref();
  }

  private readonly deletionListeners = new Set<(arn: string) => void>();
  private readonly entryObservers = new Set<(entry: LogEntry, logId: string) => void>();
  private readonly replicaId = randomUUID();

  private onEntry({ id, entry }: LoggedEntry): void {
    try {
      if (entry.type === "snapshot") {
        // This replica applied its own snapshot when it took it; the log brings it back to the others.
        if (entry.origin !== this.replicaId) this.applySnapshot(entry.streams, entry.takenAt);
      } else if (entry.type === "deleted") {
        const final: LiveUpdate = { ...this.state.delete(entry.channelArn, this.now()), deleted: true };
        const sinks = [...(this.channelSinks.get(entry.channelArn) ?? [])];
        this.fanOut({ kind: "deleted", channelArn: entry.channelArn, subscribers: sinks.length }, () => {
          for (const sink of sinks) sink.push(final);
        });
        this.channelSinks.delete(entry.channelArn);
        for (const listener of [...this.deletionListeners]) listener(entry.channelArn);
      } else if (entry.type === "event") {
        const relayed = { logId: id, event: entry.event };
        const sinks: Sink<RelayedEntry>[] = [];
        for (const { filter, sink } of this.eventSinks) if (matches(filter, entry.event)) sinks.push(sink);
        const { channelArn, kind: eventKind } = entry.event;
        this.fanOut(
          { kind: "event", ...(channelArn ? { channelArn } : {}), eventKind, subscribers: sinks.length },
          () => {
            for (const sink of sinks) sink.push(relayed);
          },
        );
        const receivedAt = this.receivedAt(id);
        if (entry.fact && !this.state.inWindow(entry.fact.time, receivedAt))
          this.options.onOutOfWindow?.(entry.fact.time > receivedAt ? "ahead" : "behind", entry.event);
        const change = entry.fact ? this.state.apply(entry.fact, receivedAt) : undefined;
        if (change) this.publish(change);
        // Events carry no viewer count: ask ListStreams soon rather than at the next period.
        if (change?.status === "LIVE" && change.viewerCount === null) this.followUp();
      }
      for (const observer of this.entryObservers) observer(entry, id);
    } catch (error) {
      this.options.onError?.(error, "applying a log entry");
    }
  }

  /** When the log took the entry in (its id's time, see logIdTime), else this replica's clock. */
  private receivedAt(logId: string): number {
    return logIdTime(logId) ?? this.now();
  }

  private applySnapshot(streams: SnapshotStream[], takenAt: number): ChannelLiveState[] {
    const changes = this.state.reconcile(streams, takenAt);
    this.lastReconciledAt = Math.max(this.lastReconciledAt, takenAt);
    for (const change of changes) this.publish(change);
    return changes;
  }

  private publish(change: ChannelLiveState): void {
    const update: LiveUpdate = { ...change, deleted: false };
    const sinks = this.channelSinks.get(change.channelArn);
    this.fanOut({ kind: "update", channelArn: change.channelArn, subscribers: sinks?.size ?? 0 }, () => {
      for (const sink of sinks ?? []) sink.push(update);
    });
  }

  /** A delivery nobody is waiting for costs nothing (and leaves no span). */
  private fanOut(fanout: Fanout, send: () => void): void {
    if (fanout.subscribers === 0) return;
    if (this.options.fanout) this.options.fanout(fanout, send);
    else send();
  }
}

function matches(filter: EventFilter, event: RelayedEvent): boolean {
  if (filter.kinds && !filter.kinds.includes(event.kind)) return false;
  if (filter.channelArns && (!event.channelArn || !filter.channelArns.includes(event.channelArn)))
    return false;
  return true;
}
