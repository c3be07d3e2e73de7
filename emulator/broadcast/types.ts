import type { EventBus } from "../events/bus.ts";
import type { Ids } from "../ids.ts";
import type { ResourceLimits } from "../operations/context.ts";
import type { Random } from "../random.ts";
import type { Store } from "../state/store.ts";
import type { Stream } from "../state/types.ts";
import type { IngestSettings } from "./ingest.ts";
import type { RecordingFailure } from "./recording.ts";

/** Which channel a control call is about: its ARN, or the value of its stream key (as an encoder knows it). */
export interface BroadcastTarget {
  channelArn?: string;
  streamKey?: string;
}

export interface StartOptions extends BroadcastTarget, IngestSettings {
  viewerCount?: number;
  /** Take over a live broadcast instead of being refused (the takeover feature). */
  takeover?: boolean;
  /** Takeover priority, 1..2147483647; must beat the live broadcast's. Default: one more than it. */
  priority?: number;
  /** Make recording fail when it starts, or when it ends. */
  recordingFailure?: RecordingFailure;
}

/** What the control API reports about a broadcast. */
export interface BroadcastInfo {
  channelArn: string;
  streamId: string;
  live: boolean;
  health?: Stream["health"];
  viewerCount?: number;
  startTime?: string;
  recording?: boolean;
  /** Why a broadcast that was accepted ended at once (a limit name or a Session Ended code). */
  disconnected?: string;
}

export interface SimulatorOptions {
  /** Multiplies `recordingReconnectWindowSeconds` before Recording End; 0 ends at once. Default 1. */
  recordingEndDelayScale: number;
  /** Concurrent viewers per account before a Concurrent Viewers breach. Default 15000 (unverified). */
  concurrentViewers: number;
}

export const DEFAULT_SIMULATOR_OPTIONS: SimulatorOptions = {
  recordingEndDelayScale: 1,
  concurrentViewers: 15_000,
};

export interface SimulatorDeps {
  store: Store;
  ids: Ids;
  bus: EventBus;
  limits: ResourceLimits;
  random: Random;
  now: () => Date;
  /** Called after the simulator changed state (persistence). */
  onChange: () => void;
  options?: Partial<SimulatorOptions>;
}
