import type { MirrorChange, Resource, SessionSummary } from "./changes.ts";
import { SESSIONS_KEPT, type SessionCursor, type SessionRecord } from "./sessions.ts";
import { SingleFlight } from "./single-flight.ts";
import type { IvsSources } from "./sources.ts";
import type { MirrorStore } from "./store.ts";

/** A page of a channel's sessions. */
export interface SessionPage {
  items: SessionRecord[];
  hasNextPage: boolean;
}

export interface SessionReadsOptions {
  store: MirrorStore;
  sources: IvsSources;
  /** Records a change (and sends it to the other replicas). */
  record: (change: MirrorChange) => void;
  /** The channel as the mirror holds it, or null when IVS has none (looked up once). */
  channel: (arn: string) => Promise<Resource | null>;
  now: () => number;
  /** Counts reads by outcome (the mirror's LookupOutcome). */
  onLookup?: (kind: string, outcome: "hit" | "miss" | "absent") => void;
}

/**
 * Channels' sessions, from the mirror: each channel's newest SESSIONS_KEPT listed once from IVS, then
 * kept up to date by IVS events; a session's details read once and kept until an event about it.
 * Older sessions are read from IVS's pages when a client pages that far.
 */
export class SessionReads {
  private readonly flights = new SingleFlight<unknown>();

  constructor(private readonly options: SessionReadsOptions) {}

  /** A page of the channel's sessions, newest first; an unknown channel has none. */
  async page(channelArn: string, cursor: SessionCursor | undefined, first: number): Promise<SessionPage> {
    const { store, onLookup } = this.options;
    if (!(await this.options.channel(channelArn))) return { items: [], hasNextPage: false };
    if (!store.sessions.listed(channelArn)) {
      onLookup?.("session-list", "miss");
      await this.list(channelArn);
    } else onLookup?.("session-list", "hit");
    const page = store.sessions.page(channelArn, cursor, first);
    // A full page needs nothing else: the mirror not holding them all means IVS has older ones.
    if (!page.more || page.items.length === first) return page;
    const older = await this.older(channelArn, page.items.at(-1) ?? cursor, first - page.items.length);
    return { items: [...page.items, ...older.items], hasNextPage: older.hasNextPage };
  }

  /** ListStreamSessions' newest page for one channel, recorded. */
  list(channelArn: string): Promise<void> {
    const { store, sources, record } = this.options;
    return this.flights.run(`sessions ${channelArn}`, async () => {
      const at = Math.max(this.options.now(), store.sessions.listedAt(channelArn));
      const page = await sources.listSessions(channelArn);
      if (!page) {
        if (store.get("channel", channelArn))
          record({ op: "delete", kind: "channel", arns: [channelArn], at });
        return;
      }
      record({
        op: "sessions",
        channelArn,
        at,
        sessions: page.items,
        complete: !page.nextToken && page.items.length <= SESSIONS_KEPT,
      });
    }) as Promise<void>;
  }

  /**
   * A session's details (GetStreamSession, JSON): the latest session without `streamId`. Kept until
   * an event about the session says they may have changed.
   */
  async detail(channelArn: string, streamId?: string): Promise<Record<string, unknown> | null> {
    const { store, onLookup } = this.options;
    const id = streamId ?? store.sessions.sessions(channelArn)[0]?.streamId;
    const known = store.sessions.listed(channelArn) || id !== undefined;
    if (id) {
      const held = store.sessions.detail(channelArn, id);
      if (held) {
        onLookup?.("session", "hit");
        return held.detail;
      }
    } else if (known) return null;
    if (!(await this.options.channel(channelArn))) return null;
    onLookup?.("session", "miss");
    return this.fetch(channelArn, streamId);
  }

  /** GetStreamSession, recorded; null when IVS has no such session. */
  fetch(channelArn: string, streamId?: string): Promise<Record<string, unknown> | null> {
    return this.flights.run(`session ${channelArn} ${streamId ?? ""}`, async () => {
      const at = this.options.now();
      const detail = await this.options.sources.getSession(channelArn, streamId);
      if (detail) this.options.record({ op: "session", channelArn, at, detail });
      return detail;
    }) as Promise<Record<string, unknown> | null>;
  }

  /**
   * Sessions older than `after` that the mirror does not keep: IVS's pages walked from the newest
   * (its tokens cannot seek), not recorded. Rare: only for histories longer than SESSIONS_KEPT.
   */
  private async older(
    channelArn: string,
    after: SessionCursor | undefined,
    want: number,
  ): Promise<SessionPage> {
    const items: SessionRecord[] = [];
    let token: string | undefined;
    do {
      const page = await this.options.sources.listSessions(channelArn, token);
      if (!page) return { items, hasNextPage: false };
      for (const s of page.items) {
        const record = toRecord(s);
        if (after && !isOlder(record, after)) continue;
        if (items.length === want) return { items, hasNextPage: true };
        items.push(record);
      }
      token = page.nextToken;
    } while (token);
    return { items, hasNextPage: false };
  }
}

function toRecord(s: SessionSummary): SessionRecord {
  return {
    streamId: s.streamId,
    startTime: s.startTime ?? 0,
    ...(s.endTime !== undefined ? { endTime: s.endTime } : {}),
    hasErrorEvent: s.hasErrorEvent ?? false,
    eventAt: 0,
  };
}

/** Newest first: `s` comes after `cursor`. */
function isOlder(s: SessionCursor, cursor: SessionCursor): boolean {
  return s.startTime < cursor.startTime || (s.startTime === cursor.startTime && s.streamId < cursor.streamId);
}
