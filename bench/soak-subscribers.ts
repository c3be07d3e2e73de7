/**
 * The soak's graphql-ws subscribers, one socket each, as browser tabs:
 * - status watchers (`channelLiveStatus` over up to 100 channels) check every update against what they
 *   saw before: a version going backwards (or the same version saying something else), or a stream that
 *   was already replaced or ended becoming current again, is a REGRESSION;
 * - event watchers (`streamEvents`, unfiltered) keep every EventBridge id they receive.
 * A watcher whose socket or subscription ends opens a new one; an event watcher resumes from the last log
 * id it saw (`lastEventId`), as the live page does, so a reconnect by itself loses nothing.
 */
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";

const STATUS = `subscription ($a: [String!]!) { channelLiveStatus(arns: $a) { channelArn status streamId version health } }`;
const EVENTS = `subscription ($last: String) { streamEvents(lastEventId: $last) { ... on IvsEventFields { id eventId } } }`;

export interface StatusView {
  status: string;
  streamId: string | null;
  version: number;
  health: string | null;
}

interface StatusUpdate extends StatusView {
  channelArn: string;
}

/** What a watcher has in common: its replica, its socket's life, its errors. */
abstract class Watcher {
  /** Sockets or subscriptions that ended and were opened again. */
  reopened = 0;
  /** Error answers (GraphQL errors in a `next`, or an `error` of the subscription), by first message. */
  readonly errors = new Map<string, number>();
  private client: Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly replica: number,
    private readonly wsUrl: string,
    private readonly token: string,
  ) {}

  protected abstract query(): { query: string; variables: Record<string, unknown> };
  protected abstract onData(data: unknown): void;

  protected noteError(message: string): void {
    const key = message.slice(0, 160);
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  start(): void {
    if (this.stopped) return;
    const client = createClient({
      url: this.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: { authorization: `Bearer ${this.token}` },
      // A socket that fails never goes back to its subscription by itself (retryAttempts 0): the sink reopens.
      on: { error: () => {} },
    });
    this.client = client;
    let ended = false;
    const again = () => {
      if (ended || this.stopped) return;
      ended = true;
      void client.dispose();
      this.reopened += 1;
      this.retryTimer = setTimeout(() => this.start(), 1000);
    };
    client.subscribe(this.query(), {
      next: (r) => {
        if (r.errors?.length) this.noteError(r.errors[0]?.message ?? "error");
        if (r.data) this.onData(r.data);
      },
      error: (e) => {
        const message =
          e instanceof Error
            ? e.message
            : Array.isArray(e)
              ? String((e[0] as { message?: string })?.message)
              : `socket closed (${(e as { code?: number })?.code ?? "?"})`;
        this.noteError(message);
        again();
      },
      complete: again,
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.client?.dispose();
  }
}

export interface Regression {
  channelArn: string;
  replica: number;
  what: string;
}

/** `channelLiveStatus` over `arns`, checking every update against the ones before it. */
export class StatusWatcher extends Watcher {
  /** The latest view of each channel. */
  readonly views = new Map<string, StatusView>();
  /** Stream ids that were current and then were not, per channel: they must never be current again. */
  private readonly retired = new Map<string, Set<string>>();
  readonly regressions: Regression[] = [];
  regressionCount = 0;
  updates = 0;

  constructor(
    replica: number,
    wsUrl: string,
    token: string,
    readonly arns: string[],
  ) {
    super(replica, wsUrl, token);
  }

  protected query() {
    return { query: STATUS, variables: { a: this.arns } };
  }

  private regress(channelArn: string, what: string): void {
    this.regressionCount += 1;
    if (this.regressions.length < 20) this.regressions.push({ channelArn, replica: this.replica, what });
  }

  protected onData(data: unknown): void {
    const u = (data as { channelLiveStatus?: StatusUpdate }).channelLiveStatus;
    if (!u) return;
    this.updates += 1;
    const before = this.views.get(u.channelArn);
    const retired = this.retired.get(u.channelArn) ?? new Set<string>();
    this.retired.set(u.channelArn, retired);
    if (before) {
      if (u.version < before.version) this.regress(u.channelArn, `version ${before.version} → ${u.version}`);
      else if (
        u.version === before.version &&
        (u.status !== before.status || u.streamId !== before.streamId || u.health !== before.health)
      )
        this.regress(
          u.channelArn,
          `version ${u.version} said ${before.status}/${before.streamId}, then ${u.status}/${u.streamId}`,
        );
    }
    const current = u.status === "LIVE" ? u.streamId : null;
    if (current && retired.has(current))
      this.regress(u.channelArn, `stream ${current} current again after it was replaced or ended`);
    const previous = before?.status === "LIVE" ? before.streamId : null;
    if (previous && previous !== current) retired.add(previous);
    this.views.set(u.channelArn, {
      status: u.status,
      streamId: u.streamId,
      version: u.version,
      health: u.health,
    });
  }
}

/** `streamEvents` without a filter: every relayed event, by EventBridge id. */
export class EventWatcher extends Watcher {
  readonly received = new Set<string>();
  /** Deliveries of an id already received (a duplicate reached the subscriber). */
  duplicates = 0;
  private lastLogId: string | undefined;

  protected query() {
    return { query: EVENTS, variables: this.lastLogId ? { last: this.lastLogId } : {} };
  }

  protected onData(data: unknown): void {
    const e = (data as { streamEvents?: { id?: string; eventId?: string } }).streamEvents;
    if (!e?.eventId) return;
    if (e.id) this.lastLogId = e.id;
    if (this.received.has(e.eventId)) this.duplicates += 1;
    else this.received.add(e.eventId);
  }
}
