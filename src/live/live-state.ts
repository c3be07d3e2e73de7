/**
 * Live status per channel, derived from IVS events that may be lost, duplicated, late or reordered,
 * and repaired by periodic ListStreams snapshots. The rules, in short:
 * - a channel carries one stream at a time; a stream that has ended never becomes current again;
 * - another stream becomes current only if its start is strictly newer (at second precision) than the
 *   transition that set the current status; same-second ties wait for reconciliation;
 * - a snapshot (what ListStreams said at time T) overrides only what events did not say after T;
 * - an event dated more than `clockSkewMs` after its receipt, or more than `maxAgeMs` before it, moves
 *   nothing (the hub still relays it). Against a snapshot an event counts at the earlier of its time and
 *   its receipt (it cannot have happened later), and a time further ahead of the comparing clock than
 *   `clockSkewMs` (state recorded before these bounds, or without a receipt time) is not believed, so a
 *   snapshot can always repair a channel.
 * Every call returns the change it made, if any, so callers can publish exactly the changes.
 */

export type LiveStatus = "LIVE" | "OFFLINE";
export type StreamHealth = "HEALTHY" | "STARVING" | "UNKNOWN";
export type RecordingStatus = "STARTED" | "ENDED" | "START_FAILED" | "END_FAILED";

export interface ChannelLiveState {
  channelArn: string;
  status: LiveStatus;
  streamId: string | null;
  /** When the current stream started (ms since epoch), if known. */
  startTime: number | null;
  health: StreamHealth | null;
  viewerCount: number | null;
  recording: RecordingStatus | null;
  /** Time (ms) of the fact behind the latest change. */
  updatedAt: number;
  /** What caused the latest change: an event, or a reconciliation snapshot. */
  source: "EVENT" | "RECONCILIATION";
  /** Increases with every change of this channel's state. */
  version: number;
}

export type StreamEventName =
  | "Session Created"
  | "Stream Start"
  | "Stream Takeover"
  | "Session Ended"
  | "Stream End"
  | "Stream Failure";

/** An IVS event reduced to what live state needs. `time` is ms since epoch. */
export type LiveFact =
  | { kind: "stream"; channelArn: string; streamId: string; name: StreamEventName; time: number }
  | { kind: "health"; channelArn: string; streamId: string; starving: boolean; time: number }
  | { kind: "recording"; channelArn: string; streamId: string; status: RecordingStatus; time: number };

/** One live stream as ListStreams reports it. */
export interface SnapshotStream {
  channelArn: string;
  streamId: string;
  startTime?: number;
  health?: StreamHealth;
  viewerCount?: number;
}

const STARTS = new Set<StreamEventName>(["Session Created", "Stream Start", "Stream Takeover"]);
/** EventBridge times have second precision: an event stamped s happened in [s, s + 1 s). */
const EVENT_TIME_UNCERTAINTY_MS = 1000;
/** Ended stream ids remembered per channel, so that their late starts are ignored. */
const REMEMBERED_STREAMS = 32;

/** The window's defaults: EVENT_CLOCK_SKEW_MS and EVENT_MAX_AGE_MS (src/config.ts) default to the same. */
export const EVENT_WINDOW = { clockSkewMs: 300_000, maxAgeMs: 86_400_000 } as const;

export interface LiveStateOptions {
  /** How far an event may be dated after its receipt and still move live state (ms). Default 5 min. */
  clockSkewMs?: number;
  /** How far an event may be dated before its receipt and still move live state (ms). Default 24 h. */
  maxAgeMs?: number;
}

/** Whether an event dated `time` and received at `receivedAt` may move live state (the window's defaults). */
export function inEventWindow(time: number, receivedAt: number, options: LiveStateOptions = {}): boolean {
  const { clockSkewMs = EVENT_WINDOW.clockSkewMs, maxAgeMs = EVENT_WINDOW.maxAgeMs } = options;
  return time <= receivedAt + clockSkewMs && time >= receivedAt - maxAgeMs;
}

/**
 * When a fact happened: `time` on the event's clock (orders events among themselves), `seen` on the
 * receiving clock (compared with snapshots), and `now`, the receiving clock's reading it is judged against.
 */
interface At {
  time: number;
  seen: number;
  now: number;
}

interface StreamMemory {
  /** Earliest event time seen for the stream: it was alive within that second. */
  firstSeenAt?: number;
  /** When it ended, on the receiving clock. */
  endedAt?: number;
  /** When the stream started (Stream Start, Stream Takeover, or ListStreams). */
  startedAt?: number;
  /** When its session was created: the start until the stream's own start is known. */
  createdAt?: number;
  health?: { starving: boolean; at: number };
  recording?: { status: RecordingStatus; at: number };
}

interface ChannelRecord {
  state: ChannelLiveState;
  /** Time of the fact that set the current status (not health or viewers). */
  transitionAt: number;
  /** The same on the receiving clock, for comparing with snapshots. */
  transitionSeenAt: number;
  /** The stream that fact was about (the one that went live, or the one that ended). */
  transitionStream?: string;
  streams: Map<string, StreamMemory>;
}

/** What an OFFLINE channel carries of a stream: nothing. */
const NO_STREAM = {
  status: "OFFLINE",
  streamId: null,
  startTime: null,
  health: null,
  viewerCount: null,
  recording: null,
} as const satisfies Partial<ChannelLiveState>;

function offline(channelArn: string): ChannelLiveState {
  return {
    channelArn,
    ...NO_STREAM,
    updatedAt: 0,
    source: "RECONCILIATION",
    version: 0,
  };
}

export class LiveStateStore {
  private channels = new Map<string, ChannelRecord>();
  private readonly clockSkewMs: number;
  private readonly maxAgeMs: number;

  constructor({
    clockSkewMs = EVENT_WINDOW.clockSkewMs,
    maxAgeMs = EVENT_WINDOW.maxAgeMs,
  }: LiveStateOptions = {}) {
    this.clockSkewMs = clockSkewMs;
    this.maxAgeMs = maxAgeMs;
  }

  /** The channel's current state; OFFLINE with version 0 when nothing is known. */
  get(channelArn: string): ChannelLiveState {
    return this.channels.get(channelArn)?.state ?? offline(channelArn);
  }

  /** Channels currently LIVE. */
  live(): ChannelLiveState[] {
    return [...this.channels.values()].filter((r) => r.state.status === "LIVE").map((r) => r.state);
  }

  /** The last state of a deleted channel (OFFLINE, one version later), which is then forgotten. */
  delete(channelArn: string, time: number): ChannelLiveState {
    const current = this.get(channelArn);
    this.channels.delete(channelArn);
    return {
      ...current,
      ...NO_STREAM,
      updatedAt: Math.max(this.believed(current.updatedAt, time), time),
      version: current.version + 1,
    };
  }

  /** Whether an event dated `time` and received at `receivedAt` may move live state. */
  inWindow(time: number, receivedAt: number): boolean {
    return inEventWindow(time, receivedAt, { clockSkewMs: this.clockSkewMs, maxAgeMs: this.maxAgeMs });
  }

  /**
   * Applies one event received at `receivedAt` (ms, the receiving clock; absent = its own time, unbounded);
   * returns the new state when it changed anything visible, else undefined.
   */
  apply(fact: LiveFact, receivedAt?: number): ChannelLiveState | undefined {
    if (receivedAt !== undefined && !this.inWindow(fact.time, receivedAt)) return undefined;
    const at: At = {
      time: fact.time,
      seen: Math.min(fact.time, receivedAt ?? fact.time),
      now: receivedAt ?? Number.POSITIVE_INFINITY,
    };
    const record = this.record(fact.channelArn);
    const memory = this.memory(record, fact.streamId);
    memory.firstSeenAt = Math.min(memory.firstSeenAt ?? fact.time, fact.time);
    const current = record.state;
    const isCurrent = current.status === "LIVE" && current.streamId === fact.streamId;
    const newest = (known?: { at: number }) =>
      !known || fact.time >= this.believed(known.at, at.now, Number.NEGATIVE_INFINITY);

    if (fact.kind === "health") {
      if (newest(memory.health)) memory.health = { starving: fact.starving, at: fact.time };
      if (!isCurrent) return undefined;
      return this.update(record, { health: healthOf(memory) }, at, "EVENT");
    }
    if (fact.kind === "recording") {
      if (newest(memory.recording)) memory.recording = { status: fact.status, at: fact.time };
      if (!isCurrent || !memory.recording) return undefined;
      return this.update(record, { recording: memory.recording.status }, at, "EVENT");
    }
    if (STARTS.has(fact.name)) {
      // Session Created comes first (the key is accepted, video not yet playable): its time stands in
      // for the start until Stream Start tells it, so that the first LIVE update already has one.
      if (fact.name === "Session Created")
        memory.createdAt = Math.min(memory.createdAt ?? fact.time, fact.time);
      else memory.startedAt = Math.min(memory.startedAt ?? fact.time, fact.time);
      if (memory.endedAt !== undefined) return undefined; // a late start of a stream that already ended
      if (isCurrent)
        return this.update(record, { startTime: startOf(memory) ?? current.startTime }, at, "EVENT");
      if (!this.isNewer(record, at)) return undefined;
      return this.goLive(record, fact.streamId, at, "EVENT");
    }
    memory.endedAt = Math.min(memory.endedAt ?? at.seen, at.seen);
    if (!isCurrent) return undefined; // the end of a stream that is not the current one
    return this.goOffline(record, at, "EVENT");
  }

  /**
   * Applies what ListStreams reported at `takenAt` (when the first page was requested) for the given
   * channels (all known channels when `scope` is absent). Returns every state that changed.
   */
  reconcile(streams: SnapshotStream[], takenAt: number, scope?: Iterable<string>): ChannelLiveState[] {
    const changes: ChannelLiveState[] = [];
    const liveNow = new Map(streams.map((s) => [s.channelArn, s]));
    const at: At = { time: takenAt, seen: takenAt, now: takenAt };
    // An event newer than the snapshot (allowing for its second precision) wins over it; a time further
    // ahead than any clock could be is no evidence, so that no event outranks what ListStreams sees now.
    const snapshotWins = (seenAt: number) =>
      this.believed(seenAt, takenAt, Number.NEGATIVE_INFINITY) + EVENT_TIME_UNCERTAINTY_MS <= takenAt;
    for (const s of streams) {
      const record = this.record(s.channelArn);
      const memory = this.memory(record, s.streamId);
      if (s.startTime !== undefined) memory.startedAt = s.startTime;
      const current = record.state;
      let change: ChannelLiveState | undefined;
      if (current.status === "LIVE" && current.streamId === s.streamId) {
        change = this.update(
          record,
          {
            health: s.health ?? current.health,
            viewerCount: s.viewerCount ?? current.viewerCount,
            startTime: s.startTime ?? current.startTime,
          },
          at,
          "RECONCILIATION",
        );
      } else if (
        (memory.endedAt === undefined || snapshotWins(memory.endedAt)) &&
        snapshotWins(record.transitionSeenAt)
      ) {
        memory.endedAt = undefined;
        change = this.goLive(record, s.streamId, at, "RECONCILIATION", s);
      }
      if (change) changes.push(change);
    }
    const candidates = scope ? [...scope] : [...this.channels.keys()];
    for (const channelArn of candidates) {
      if (liveNow.has(channelArn)) continue;
      const record = this.channels.get(channelArn);
      if (record?.state.status !== "LIVE" || !snapshotWins(record.transitionSeenAt)) continue;
      const streamId = record.state.streamId;
      if (streamId) this.memory(record, streamId).endedAt = takenAt;
      const change = this.goOffline(record, at, "RECONCILIATION");
      if (change) changes.push(change);
    }
    return changes;
  }

  private goLive(
    record: ChannelRecord,
    streamId: string,
    at: At,
    source: ChannelLiveState["source"],
    reported?: SnapshotStream,
  ): ChannelLiveState | undefined {
    const previous = record.state.streamId;
    if (previous && previous !== streamId) {
      // One stream per channel: a newer stream means the previous one ended, whether or not we heard.
      const old = this.memory(record, previous);
      old.endedAt ??= at.seen;
    }
    const memory = this.memory(record, streamId);
    record.transitionAt = at.time;
    record.transitionSeenAt = at.seen;
    record.transitionStream = streamId;
    return this.update(
      record,
      {
        status: "LIVE",
        streamId,
        startTime: reported?.startTime ?? startOf(memory) ?? null,
        health: reported?.health ?? healthOf(memory) ?? "HEALTHY",
        viewerCount: reported?.viewerCount ?? null,
        recording: memory.recording?.status ?? null,
      },
      at,
      source,
    );
  }

  /**
   * Whether a start stamped `time` comes from a stream newer than the one behind the current status.
   * Event times have second precision: a later second is newer; in the same second it is newer only if
   * that other stream was already seen alive in an earlier second (two streams never overlap). Other
   * same-second ties wait for reconciliation rather than risk moving the channel backwards. A transition
   * dated further ahead of this start's receipt than the clock skew allows is no evidence at all.
   */
  private isNewer(record: ChannelRecord, { time, now }: At): boolean {
    const transitionAt = this.believed(record.transitionAt, now, Number.NEGATIVE_INFINITY);
    if (time !== transitionAt) return time > transitionAt;
    const before = record.transitionStream
      ? record.streams.get(record.transitionStream)?.firstSeenAt
      : undefined;
    return before !== undefined && time > before;
  }

  private goOffline(record: ChannelRecord, at: At, source: ChannelLiveState["source"]) {
    record.transitionAt = at.time;
    record.transitionSeenAt = at.seen;
    record.transitionStream = record.state.streamId ?? undefined;
    return this.update(record, { ...NO_STREAM }, at, source);
  }

  private update(
    record: ChannelRecord,
    patch: Partial<ChannelLiveState>,
    at: At,
    source: ChannelLiveState["source"],
  ): ChannelLiveState | undefined {
    const current = record.state;
    const changed = Object.entries(patch).some(([k, v]) => current[k as keyof ChannelLiveState] !== v);
    if (!changed) return undefined;
    record.state = {
      ...current,
      ...patch,
      updatedAt: Math.max(this.believed(current.updatedAt, at.now), at.time),
      source,
      version: current.version + 1,
    };
    return record.state;
  }

  private record(channelArn: string): ChannelRecord {
    let record = this.channels.get(channelArn);
    if (!record) {
      record = { state: offline(channelArn), transitionAt: 0, transitionSeenAt: 0, streams: new Map() };
      this.channels.set(channelArn, record);
    }
    return record;
  }

  private memory(record: ChannelRecord, streamId: string): StreamMemory {
    let memory = record.streams.get(streamId);
    if (!memory) {
      memory = {};
      record.streams.set(streamId, memory);
      if (record.streams.size > REMEMBERED_STREAMS) {
        const oldest = record.streams.keys().next().value;
        if (oldest !== undefined && oldest !== record.state.streamId) record.streams.delete(oldest);
      }
    }
    return memory;
  }

  /** `time`, unless it is further ahead of the clock reading `now` than the skew allows: then `otherwise`. */
  private believed(time: number, now: number, otherwise = 0): number {
    return time <= now + this.clockSkewMs ? time : otherwise;
  }
}

function startOf(memory: StreamMemory): number | undefined {
  return memory.startedAt ?? memory.createdAt;
}

function healthOf(memory: StreamMemory): StreamHealth | undefined {
  if (!memory.health) return undefined;
  return memory.health.starving ? "STARVING" : "HEALTHY";
}
