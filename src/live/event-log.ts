import type { MirrorChange } from "../mirror/changes.ts";
import type { RelayedEvent } from "./ivs-event.ts";
import type { LiveFact, SnapshotStream } from "./live-state.ts";

/**
 * What travels through the log: relayed IVS events, reconciliation snapshots, channel deletions, and
 * the mirror changes of IVS API calls CloudTrail reported (calls made by any tool).
 */
export type LogEntry =
  | { type: "event"; event: RelayedEvent; fact?: LiveFact }
  | {
      type: "snapshot";
      streams: SnapshotStream[];
      takenAt: number /** The replica that took it. */;
      origin?: string;
    }
  | { type: "deleted"; channelArn: string }
  | { type: "change"; eventName: string; requestId?: string; changes: MirrorChange[] };

export interface LoggedEntry {
  /** Log position, increasing; a reconnecting client passes the last one it saw. */
  id: string;
  entry: LogEntry;
}

/**
 * An ordered log shared by every replica: each replica appends what it ingests and applies what any
 * replica appended. In memory for one process; Redis Streams for several (src/live/redis-event-log.ts).
 */
export interface EventLog {
  append(entry: LogEntry): Promise<string>;
  /** Starts delivering every entry appended from now on (by any replica) to `onEntry`. */
  start(onEntry: (logged: LoggedEntry) => void): Promise<void>;
  /** Retained entries after `afterId` (exclusive), oldest first; undefined when `afterId` is older than the retention. */
  since(afterId: string): Promise<LoggedEntry[] | undefined>;
  /** Every retained entry, oldest first (a replica that has no saved state to start from). */
  retained(): Promise<LoggedEntry[]>;
  stop(): Promise<void>;
}

/**
 * The largest entry ingest stores, in bytes of its JSON: IVS events are ~1–2 KB and CloudTrail changes a few
 * KB (50 tags are ~20 KB), so anything larger is refused rather than kept (a log then holds at most
 * count × this). Entries the gateway makes itself (snapshots) are not capped: they grow with the account.
 */
export const MAX_ENTRY_BYTES = 64 * 1024;

/** Default bound of the in-memory log, in bytes of serialized entries (EVENT_LOG_MAX_BYTES): 64 MiB. */
export const DEFAULT_LOG_MAX_BYTES = 64 * 1024 * 1024;

/** The size an entry is counted at: its JSON, in UTF-8 bytes (what Redis stores, too). */
export function entryBytes(entry: LogEntry): number {
  return Buffer.byteLength(JSON.stringify(entry));
}

/** Orders log ids of the form `<ms>-<seq>` (the Redis Streams form). */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
}

export function isLogId(id: string): boolean {
  return /^[0-9]{1,16}-[0-9]{1,10}$/.test(id);
}

/**
 * When the log took an entry in: its id's time, the same on every replica (with Redis, the Redis server's
 * clock), so that every replica judges an event's date alike. Undefined for an id of another form.
 */
export function logIdTime(id: string): number | undefined {
  const ms = isLogId(id) ? Number(id.split("-")[0]) : Number.NaN;
  return ms > 0 ? ms : undefined;
}

/**
 * The single-process log: a bounded in-memory ring with the same id scheme as Redis Streams. Bounded in
 * count and in bytes of serialized entries, whichever is reached first; the oldest go first, and the newest
 * entry is always kept.
 * @param retention how many entries `since` can replay. Default 10,000.
 * @param maxBytes how many bytes of serialized entries it may hold. Default 64 MiB (EVENT_LOG_MAX_BYTES).
 */
export function memoryEventLog(retention = 10_000, maxBytes = DEFAULT_LOG_MAX_BYTES): EventLog {
  const entries: { logged: LoggedEntry; bytes: number }[] = [];
  let bytes = 0;
  let listener: ((logged: LoggedEntry) => void) | undefined;
  let lastMs = 0;
  let seq = 0;
  let dropped = false;
  return {
    async append(entry) {
      const size = entryBytes(entry);
      const ms = Date.now();
      seq = ms === lastMs ? seq + 1 : 0;
      lastMs = Math.max(ms, lastMs);
      const logged = { id: `${lastMs}-${seq}`, entry };
      entries.push({ logged, bytes: size });
      bytes += size;
      while (entries.length > 1 && (entries.length > retention || bytes > maxBytes)) {
        bytes -= entries.shift()?.bytes ?? 0;
        dropped = true;
      }
      // Delivered on a later tick, like a real log, so that publishing never re-enters the ingest path.
      queueMicrotask(() => listener?.(logged));
      return logged.id;
    },
    async start(onEntry) {
      listener = onEntry;
    },
    async retained() {
      return entries.map((e) => e.logged);
    },
    async since(afterId) {
      const first = entries[0]?.logged;
      if (dropped && first && compareIds(afterId, first.id) < 0) return undefined;
      return entries.filter((e) => compareIds(e.logged.id, afterId) > 0).map((e) => e.logged);
    },
    async stop() {
      listener = undefined;
    },
  };
}
