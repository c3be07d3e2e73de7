import type { _Stream as Stream, StreamHealth } from "@aws-sdk/client-ivs";
import DataLoader from "dataloader";
import type { IvsReads } from "../ivs/reads.ts";
import type { LiveHub } from "../subscriptions/live-hub.ts";
import type { ChannelLiveState, SnapshotStream } from "../subscriptions/live-state.ts";
import { asGatewayError } from "./batch.ts";

/** How many reconciliation periods the hub may go without one before its view is not trusted. */
const TRUSTED_PERIODS = 2;

function fromState(s: ChannelLiveState): Stream | null {
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

/**
 * A channel's live stream by channel ARN, or null when it is offline: from the live state the event
 * pipeline keeps (no IVS call at all) while the hub has reconciled within two periods; otherwise from
 * one ListStreams for the whole account, cached and shared by every request. Never GetStream per
 * channel. Viewer counts are as fresh as the last reconciliation (IVS's own are ~15 s behind).
 */
export function streamLoader(live: LiveHub, reads: IvsReads, now: () => number = Date.now) {
  return new DataLoader<string, Stream | null>(async (channelArns) => {
    const trusted = live.reconciledAt >= now() - TRUSTED_PERIODS * live.reconcileIntervalMs;
    if (trusted) return channelArns.map((arn) => fromState(live.state.get(arn)));
    try {
      const byChannel = new Map((await reads.liveStreams()).map((s) => [s.channelArn, s]));
      return channelArns.map((arn) => fromSnapshot(arn, byChannel.get(arn)));
    } catch (error) {
      const mapped = asGatewayError(error);
      return channelArns.map(() => mapped);
    }
  });
}
