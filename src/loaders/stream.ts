import type { IvsClient, _Stream as Stream, StreamHealth } from "@aws-sdk/client-ivs";
import DataLoader from "dataloader";
import type { LiveHub } from "../live/live-hub.ts";
import type { ChannelLiveState, SnapshotStream } from "../live/live-state.ts";
import { listLiveStreams } from "../live/snapshot.ts";
import { asGatewayError } from "./batch.ts";
import { MemoLoader } from "./memo.ts";

/** How many reconciliation periods the hub may go without one before its view is not trusted. */
const TRUSTED_PERIODS = 2;

/** Whether the hub's live state can answer alone: it reconciled with ListStreams within two periods. */
export function liveStateTrusted(live: LiveHub, now: number = Date.now()): boolean {
  return live.reconciledAt >= now - TRUSTED_PERIODS * live.reconcileIntervalMs;
}

/** A channel's live stream as the hub's live state has it; null when it is offline. */
export function fromState(s: ChannelLiveState): Stream | null {
  if (s.status !== "LIVE" || !s.streamId) return null;
  return {
    channelArn: s.channelArn,
    streamId: s.streamId,
    // Between Session Created and Stream Start the start is not known yet; the transition is close.
    startTime: new Date(s.startTime ?? s.updatedAt),
    state: "LIVE",
    health: (s.health ?? "UNKNOWN") as StreamHealth,
    ...(s.viewerCount !== null ? { viewerCount: s.viewerCount } : {}),
  };
}

function fromSnapshot(channelArn: string, s: SnapshotStream | undefined): Stream | null {
  if (!s) return null;
  return {
    channelArn,
    streamId: s.streamId,
    startTime: new Date(s.startTime ?? Date.now()),
    state: "LIVE",
    health: (s.health ?? "UNKNOWN") as StreamHealth,
    ...(s.viewerCount !== undefined ? { viewerCount: s.viewerCount } : {}),
  };
}

/** Every live stream of the account (ListStreams, all pages), shared by concurrent callers. */
export type LiveStreams = () => Promise<SnapshotStream[]>;

/**
 * ListStreams for requests while the hub's live state is not trusted: one call at a time for every
 * caller, its answer reused for `memoMs` (default 2 s).
 */
export function sharedLiveStreams(ivs: IvsClient, memoMs = 2000): LiveStreams {
  let last: { at: number; streams: SnapshotStream[] } | undefined;
  let flight: Promise<SnapshotStream[]> | undefined;
  return () => {
    if (last && Date.now() - last.at < memoMs) return Promise.resolve(last.streams);
    flight ??= listLiveStreams(ivs)
      .then((streams) => {
        last = { at: Date.now(), streams };
        return streams;
      })
      .finally(() => {
        flight = undefined;
      });
    return flight;
  };
}

/**
 * A channel's live stream by channel ARN, or null when it is offline: from the live state the event
 * pipeline keeps (no IVS call at all, and no promise: `get` answers at once) while the hub has reconciled
 * within two periods; otherwise from one ListStreams for the whole account, shared by every request
 * (the keys asked in one tick are answered from one call). Never GetStream per channel.
 * Viewer counts are as fresh as the last reconciliation (IVS's own are ~15 s behind).
 */
export function streamLoader(live: LiveHub, liveStreams: LiveStreams, now: () => number = Date.now) {
  // Batches only: the answers are kept by the MemoLoader in front of it.
  const listed = new DataLoader<string, Stream | null>(
    async (channelArns) => {
      if (liveStateTrusted(live, now())) return channelArns.map((arn) => fromState(live.state.get(arn)));
      try {
        const byChannel = new Map((await liveStreams()).map((s) => [s.channelArn, s]));
        return channelArns.map((arn) => fromSnapshot(arn, byChannel.get(arn)));
      } catch (error) {
        const mapped = asGatewayError(error);
        return channelArns.map(() => mapped);
      }
    },
    { cache: false },
  );
  return new MemoLoader<string, Stream | null>({
    read: (arn) => listed.load(arn),
    peek: (arn) => (liveStateTrusted(live, now()) ? fromState(live.state.get(arn)) : undefined),
  });
}
