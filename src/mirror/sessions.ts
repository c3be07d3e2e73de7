import type { SessionSummary } from "./changes.ts";
import { sameJson } from "./json.ts";

/** One session of a channel as the mirror knows it; times in epoch ms. */
export interface SessionRecord {
  streamId: string;
  startTime: number;
  /** Absent while the session is live (or while its end is not known yet). */
  endTime?: number;
  hasErrorEvent: boolean;
  /**
   * When the latest event about the session was received (or, without that, the upper end of its
   * second); 0 if none: details and lists read before it may not include it.
   */
  eventAt: number;
}

/** Where a page of sessions resumes: after this one, newest first. */
export interface SessionCursor {
  startTime: number;
  streamId: string;
}

interface History {
  byId: Map<string, SessionRecord>;
  /** When IVS's session list was last read for the channel; 0 = never (only events since were seen). */
  listedAt: number;
  /** Every session IVS has for the channel is here. */
  complete: boolean;
  ordered?: SessionRecord[];
}

export interface SessionDetail {
  detail: Record<string, unknown>;
  at: number;
}

/** Sessions kept per channel, newest first: IVS's largest page. Older ones are read from IVS when asked for. */
export const SESSIONS_KEPT = 100;
/** Session details kept across all channels (GetStreamSession answers can hold 500 events each). */
const DETAILS_KEPT = 2000;
/** EventBridge times have second precision: an event stamped s happened before s + 1 s. */
const EVENT_SECOND_MS = 1000;

const newerFirst = (a: SessionRecord, b: SessionRecord) =>
  b.startTime - a.startTime || (a.streamId < b.streamId ? 1 : a.streamId > b.streamId ? -1 : 0);

/**
 * Every channel's sessions: the newest page IVS listed, kept up to date from IVS events (Session
 * Created/Ended, Stream Start/End, failures) and from reconciliation, and the details of sessions
 * once fetched. Ended sessions do not change, so their details are kept until an event says otherwise.
 */
export class SessionStore {
  private readonly histories = new Map<string, History>();
  private readonly details = new Map<string, SessionDetail>();

  /** Whether IVS's list was read for the channel (else only sessions seen since start are known). */
  listed(channelArn: string): boolean {
    return (this.histories.get(channelArn)?.listedAt ?? 0) > 0;
  }

  listedAt(channelArn: string): number {
    return this.histories.get(channelArn)?.listedAt ?? 0;
  }

  /** Channels with a known history, for the resync loop and freshness metrics. */
  channels(): IterableIterator<string> {
    return this.histories.keys();
  }

  /** IVS's newest sessions of the channel (newest first), observed at `at`. */
  applyList(channelArn: string, sessions: readonly SessionSummary[], complete: boolean, at: number): void {
    const h = this.history(channelArn);
    for (const s of sessions) {
      const old = h.byId.get(s.streamId);
      // IVS's own times are exact; an end an event reported after the list was read is kept.
      const laterEnd = old?.endTime !== undefined && old.eventAt > at ? old.endTime : undefined;
      h.byId.set(s.streamId, {
        streamId: s.streamId,
        startTime: s.startTime ?? old?.startTime ?? at,
        ...(s.endTime !== undefined || laterEnd !== undefined ? { endTime: s.endTime ?? laterEnd } : {}),
        hasErrorEvent: Boolean(s.hasErrorEvent) || Boolean(old?.hasErrorEvent && old.eventAt > at),
        eventAt: old?.eventAt ?? 0,
      });
    }
    h.listedAt = Math.max(h.listedAt, at);
    h.complete = complete;
    this.trim(h);
  }

  /**
   * What an IVS event says about one session at `at` (its envelope time), or with `startTime` what a
   * reconciliation saw live (ListStreams' exact start; not an event, so details stay valid). Returns
   * whether anything changed (a reconciliation mostly confirms what is known).
   */
  applyEvent(
    channelArn: string,
    streamId: string,
    at: number,
    what: { started?: boolean; ended?: boolean; error?: boolean; startTime?: number; seenAt?: number },
  ): boolean {
    const old = this.histories.get(channelArn)?.byId.get(streamId);
    const record: SessionRecord = old
      ? { ...old }
      : { streamId, startTime: what.startTime ?? at, hasErrorEvent: false, eventAt: 0 };
    if (what.startTime !== undefined) record.startTime = what.startTime;
    // Session Ended and Stream End both end it; whichever says earlier is the end.
    if (what.ended) record.endTime = Math.min(record.endTime ?? at, at);
    if (what.error) record.hasErrorEvent = true;
    if (what.startTime === undefined)
      record.eventAt = Math.max(record.eventAt, what.seenAt ?? at + EVENT_SECOND_MS);
    if (old && sameJson(old, record)) return false;
    const h = this.history(channelArn);
    h.byId.set(streamId, record);
    this.trim(h);
    return true;
  }

  /** GetStreamSession's answer (JSON, times as ISO strings), observed at `at`. */
  applyDetail(channelArn: string, detail: Record<string, unknown>, at: number): void {
    const streamId = detail.streamId;
    if (typeof streamId !== "string") return;
    const key = `${channelArn} ${streamId}`;
    const held = this.details.get(key);
    if (!held || held.at <= at) {
      this.details.delete(key);
      this.details.set(key, { detail, at });
      if (this.details.size > DETAILS_KEPT) {
        const oldest = this.details.keys().next().value;
        if (oldest !== undefined) this.details.delete(oldest);
      }
    }
    const start = Date.parse(String(detail.startTime));
    const end = detail.endTime === undefined ? Number.NaN : Date.parse(String(detail.endTime));
    const h = this.history(channelArn);
    const old = h.byId.get(streamId);
    h.byId.set(streamId, {
      streamId,
      startTime: Number.isNaN(start) ? (old?.startTime ?? at) : start,
      ...(Number.isNaN(end)
        ? old?.endTime !== undefined
          ? { endTime: old.endTime }
          : {}
        : { endTime: end }),
      hasErrorEvent: old?.hasErrorEvent ?? false,
      eventAt: old?.eventAt ?? 0,
    });
    this.trim(h);
  }

  /** The session's details, unless an event since they were fetched may have changed them. */
  detail(channelArn: string, streamId: string): SessionDetail | undefined {
    const held = this.details.get(`${channelArn} ${streamId}`);
    if (!held) return undefined;
    const eventAt = this.histories.get(channelArn)?.byId.get(streamId)?.eventAt ?? 0;
    return held.at >= eventAt ? held : undefined;
  }

  record(channelArn: string, streamId: string): SessionRecord | undefined {
    return this.histories.get(channelArn)?.byId.get(streamId);
  }

  /** Newest first. */
  sessions(channelArn: string): readonly SessionRecord[] {
    const h = this.histories.get(channelArn);
    if (!h) return [];
    h.ordered ??= [...h.byId.values()].sort(newerFirst);
    return h.ordered;
  }

  /**
   * Up to `first` sessions after `cursor`, newest first. `more` says whether older ones exist that the
   * mirror does not hold (read them from IVS).
   */
  page(
    channelArn: string,
    cursor: SessionCursor | undefined,
    first: number,
  ): { items: SessionRecord[]; hasNextPage: boolean; more: boolean } {
    const all = this.sessions(channelArn);
    const start = cursor ? all.findIndex((s) => newerFirst(s, cursor as SessionRecord) > 0) : 0;
    const from = start < 0 ? all.length : start;
    const items = all.slice(from, from + first);
    const complete = this.histories.get(channelArn)?.complete ?? false;
    const rest = all.length - from - items.length;
    return { items, hasNextPage: rest > 0 || !complete, more: !complete && rest === 0 };
  }

  /** Sessions not known to have ended, for reconciliation. */
  open(channelArn: string): SessionRecord[] {
    return this.sessions(channelArn).filter((s) => s.endTime === undefined);
  }

  forget(channelArn: string): void {
    this.histories.delete(channelArn);
    for (const key of [...this.details.keys()])
      if (key.startsWith(`${channelArn} `)) this.details.delete(key);
  }

  /** One channel's history as it may be saved (details are fetched again on demand); undefined if none. */
  exportChannel(
    channelArn: string,
  ): { listedAt: number; complete: boolean; sessions: SessionRecord[] } | undefined {
    const h = this.histories.get(channelArn);
    return h ? { listedAt: h.listedAt, complete: h.complete, sessions: [...h.byId.values()] } : undefined;
  }

  restore(channelArn: string, listedAt: number, complete: boolean, sessions: SessionRecord[]): void {
    this.histories.set(channelArn, {
      byId: new Map(sessions.map((s) => [s.streamId, s])),
      listedAt,
      complete,
    });
  }

  private history(channelArn: string): History {
    let h = this.histories.get(channelArn);
    if (!h) {
      h = { byId: new Map(), listedAt: 0, complete: false };
      this.histories.set(channelArn, h);
    }
    h.ordered = undefined;
    return h;
  }

  /** Keeps the newest SESSIONS_KEPT; dropping older ones means the mirror no longer holds them all. */
  private trim(h: History): void {
    if (h.byId.size <= SESSIONS_KEPT) return;
    const ordered = [...h.byId.values()].sort(newerFirst);
    for (const s of ordered.slice(SESSIONS_KEPT)) h.byId.delete(s.streamId);
    h.complete = false;
    h.ordered = undefined;
  }
}
