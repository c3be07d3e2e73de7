import type { LogEntry } from "../live/event-log.ts";
import type { RelayedEvent } from "../live/ivs-event.ts";
import { inEventWindow, type LiveStateOptions } from "../live/live-state.ts";
import type { MirrorChange } from "./changes.ts";
import { sameJson } from "./json.ts";
import type { Mirror } from "./mirror.ts";
import type { MirrorSync } from "./sync.ts";

/** A session younger than this may be missing from a snapshot taken just before it started. */
const STARTING_MS = 10_000;

/** What an IVS event says about its session, if anything. */
function sessionFact(event: RelayedEvent): MirrorChange | undefined {
  if (!event.channelArn || !event.streamId) return undefined;
  const base = {
    op: "session-event" as const,
    channelArn: event.channelArn,
    streamId: event.streamId,
    at: event.time,
  };
  switch (event.kind) {
    case "STREAM_STATE":
      switch (event.eventName) {
        case "Session Created":
        case "Stream Start":
        case "Stream Takeover":
          return { ...base, started: true };
        case "Session Ended":
          return { ...base, ended: true, ...(event.code ? { error: true } : {}) };
        case "Stream End":
          return { ...base, ended: true };
        case "Stream Failure":
        case "Stream Takeover Failure":
          return { ...base, error: true };
        default:
          return base;
      }
    case "RECORDING_STATE":
      return /Failure$/.test(event.recordingStatus) ? { ...base, error: true } : base;
    case "LIMIT_BREACH":
      return { ...base, error: true };
    case "STREAM_HEALTH":
      // Health changes are among the session's events: its details are out of date.
      return base;
  }
}

/** Whether what a CloudTrail event says differs from the mirror (then the leader confirms with IVS). */
function differs(mirror: Mirror, change: MirrorChange): boolean {
  switch (change.op) {
    case "put":
      return change.items.some((item) => mirror.store.of(change.kind).wouldChange(item, change.part));
    case "tags": {
      const held = mirror.store.get(change.kind, change.arn)?.value.tags;
      if (!held) return true;
      const next = { ...(change.replace ?? held), ...change.set };
      for (const key of change.remove ?? []) delete next[key];
      return !sameJson(held, next);
    }
    case "keys":
      return change.lists.some(({ keys }) =>
        keys.some((k) => !mirror.store.get("stream-key", k.arn as string)),
      );
    default:
      return false;
  }
}

/**
 * Keeps the mirror in step with the shared event log, on every replica: IVS events build sessions,
 * reconciliation snapshots repair them, deletions and CloudTrail changes apply. The leader also asks
 * IVS to confirm what events said (CloudTrail events that differ from the mirror, sessions that ended).
 */
export function applyLogEntry(
  mirror: Mirror,
  sync: MirrorSync | undefined,
  entry: LogEntry,
  now: number,
  /**
   * EVENT_CLOCK_SKEW_MS / EVENT_MAX_AGE_MS: an event dated outside them around its receipt (`receivedAt`, the
   * log's time for the entry; default `now`) builds no session.
   */
  window: LiveStateOptions & { receivedAt?: number | undefined } = {},
): void {
  const leader = mirror.leader && sync !== undefined;
  switch (entry.type) {
    case "event": {
      // A 2999-dated Stream Start would otherwise open a session that no snapshot could close.
      if (!inEventWindow(entry.event.time, window.receivedAt ?? now, window)) return;
      const fact = sessionFact(entry.event);
      if (fact?.op !== "session-event") return;
      mirror.receive({ ...fact, seenAt: now }, "log");
      if (leader && fact.ended)
        sync.confirmLater(`session ${fact.channelArn} ${fact.streamId}`, sync.delays.sessionEndMs, () =>
          mirror.sessions.fetch(fact.channelArn, fact.streamId),
        );
      return;
    }
    case "snapshot": {
      const live = new Map(entry.streams.map((s) => [s.channelArn, s.streamId]));
      for (const s of entry.streams)
        mirror.receive(
          {
            op: "session-event",
            channelArn: s.channelArn,
            streamId: s.streamId,
            at: entry.takenAt,
            started: true,
            startTime: s.startTime ?? entry.takenAt,
          },
          "log",
        );
      if (!leader) return;
      // A session the mirror thinks is open but IVS no longer lists live ended without its events.
      for (const channelArn of [...mirror.store.sessions.channels()])
        for (const s of mirror.store.sessions.open(channelArn))
          if (live.get(channelArn) !== s.streamId && s.startTime < entry.takenAt - STARTING_MS)
            sync.confirm(`session ${channelArn} ${s.streamId}`, () =>
              mirror.sessions.fetch(channelArn, s.streamId),
            );
      return;
    }
    case "deleted":
      mirror.receive({ op: "delete", kind: "channel", arns: [entry.channelArn], at: now }, "log");
      return;
    case "change": {
      const { requestId } = entry;
      const ours = () => requestId !== undefined && mirror.isOwnWrite(requestId);
      // A write this gateway made: the mirror holds its answer already, which is as new or newer.
      if (ours()) return;
      for (const change of entry.changes) {
        const confirm = leader && differs(mirror, change);
        mirror.receive(change, "log");
        if (!confirm) continue;
        const kind =
          change.op === "keys"
            ? "stream-key"
            : change.op === "put" || change.op === "tags"
              ? change.kind
              : undefined;
        const arns =
          change.op === "put"
            ? change.items.map((i) => i.arn as string)
            : change.op === "tags"
              ? [change.arn]
              : change.op === "keys"
                ? change.lists.flatMap((l) => l.keys.map((k) => k.arn as string))
                : [];
        if (kind)
          for (const arn of arns)
            sync.confirmLater(`${kind} ${arn}`, sync.delays.ownWriteGraceMs, () =>
              ours() ? Promise.resolve() : sync.check(kind, arn),
            );
      }
      return;
    }
  }
}
