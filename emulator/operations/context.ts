import type { Ids } from "../ids.ts";
import type { Store } from "../state/store.ts";

/** Resource-count quotas (ServiceQuotaExceededException, 402, when exceeded). */
export interface ResourceLimits {
  /** Channels per account. Adjustable on AWS; default 5000 (unverified). */
  channels: number;
  /** Stream keys per channel: 1, not adjustable. */
  streamKeysPerChannel: number;
  /** Playback key pairs per account: 3. */
  playbackKeyPairs: number;
  /** Recording configurations per account: 20 (unverified). */
  recordingConfigurations: number;
  /** Playback restriction policies per account: 500 (unverified). */
  playbackRestrictionPolicies: number;
  /** Ad configurations per account: 100 (unverified). */
  adConfigurations: number;
  /** Concurrent broadcasts per account: 100 (unverified). */
  concurrentBroadcasts: number;
}

export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = {
  channels: 5000,
  streamKeysPerChannel: 1,
  playbackKeyPairs: 3,
  recordingConfigurations: 20,
  playbackRestrictionPolicies: 500,
  adConfigurations: 100,
  concurrentBroadcasts: 100,
};

/** What the broadcast simulator offers to API operations (StopStream, PutMetadata, InsertAdBreak). */
export interface BroadcastControl {
  /** Ends the live broadcast on a channel as StopStream does (Session Ended, Stream End, ...). */
  stop(channelArn: string): void;
  /** Records a timed-metadata or ad-break event on the live session (for truncatedEvents). */
  note(channelArn: string, name: string, type: string): void;
}

export interface OperationContext {
  store: Store;
  ids: Ids;
  region: string;
  account: string;
  limits: ResourceLimits;
  /** Milliseconds a new recording configuration stays CREATING before it is ACTIVE. */
  recordingActivationMs: number;
  broadcasts: BroadcastControl;
  now(): Date;
}

// biome-ignore lint/suspicious/noExplicitAny: inputs are validated against the model before a handler runs
export type Handler = (input: any, ctx: OperationContext) => unknown;

/** Types a handler by its SDK input shape; the dispatcher has already validated the input against the model. */
export function op<I>(fn: (input: I, ctx: OperationContext) => unknown): Handler {
  return fn;
}
