import { ControlError } from "../control/router.ts";
import { recordingConfigurationView } from "../operations/recording-configuration.ts";
import type { Store } from "../state/store.ts";
import type { Channel, StreamEvent, StreamSession } from "../state/types.ts";
import type { Ingest } from "./ingest.ts";
import type { BroadcastTarget } from "./types.ts";

const MAX_EVENTS = 500;
const MAX_PRIORITY = 2_147_483_647;

/** Appends a new session to the channel's history, snapshotting the channel and its recording configuration. */
export function openSession(
  store: Store,
  channel: Channel,
  streamId: string,
  startTime: string,
  ingest: Ingest,
): StreamSession {
  const session: StreamSession = {
    streamId,
    startTime,
    // A snapshot: later channel updates do not change what the session says it was broadcast with.
    channel: structuredClone(channel),
    ...structuredClone(ingest.session),
    truncatedEvents: [],
    hasErrorEvent: false,
  };
  const rc = channel.recordingConfigurationArn
    ? store.recordingConfigurations.get(channel.recordingConfigurationArn)
    : undefined;
  if (rc) session.recordingConfiguration = structuredClone(recordingConfigurationView(rc));
  const sessions = store.sessions.get(channel.arn) ?? [];
  sessions.push(session);
  store.sessions.set(channel.arn, sessions);
  return session;
}

export function sessionOf(store: Store, channelArn: string, streamId: string): StreamSession | undefined {
  const sessions = store.sessions.get(channelArn) ?? [];
  for (let i = sessions.length - 1; i >= 0; i--) if (sessions[i]?.streamId === streamId) return sessions[i];
  return undefined;
}

/** Newest first and at most 500, as GetStreamSession returns them. */
export function addEvent(session: StreamSession, event: StreamEvent): void {
  session.truncatedEvents.unshift(event);
  if (session.truncatedEvents.length > MAX_EVENTS) session.truncatedEvents.length = MAX_EVENTS;
}

/** The channel a control call names, by ARN or by stream key value; unknown → 404. */
export function resolveChannel(store: Store, target: BroadcastTarget): Channel {
  if (target.channelArn !== undefined && target.streamKey !== undefined)
    throw new ControlError(400, "give channelArn or streamKey, not both");
  if (target.streamKey !== undefined) {
    if (typeof target.streamKey !== "string" || target.streamKey === "")
      throw new ControlError(400, "streamKey must be a non-empty string");
    const key = [...store.streamKeys.values()].find((k) => k.value === target.streamKey);
    // Never echo the key value: it is a secret.
    if (!key) throw new ControlError(404, "no channel has that stream key (unknown or deleted)");
    return resolveChannel(store, { channelArn: key.channelArn });
  }
  if (typeof target.channelArn !== "string" || target.channelArn === "")
    throw new ControlError(400, "channelArn or streamKey is required");
  const channel = store.channels.get(target.channelArn);
  if (!channel) throw new ControlError(404, `Channel: ${target.channelArn} not found`);
  return channel;
}

export function checkViewers(n: unknown): void {
  if (typeof n !== "number" || !Number.isInteger(n) || n < -1)
    throw new ControlError(400, "viewerCount must be a whole number ≥ -1 (-1 = count timed out)");
}

/**
 * Why IVS would refuse a takeover (a Stream Takeover Failure code), or undefined. The new encoder must
 * outbid the live one's priority and, when it says what it sends, send the same media.
 */
export function takeoverRefusal(
  current: number,
  priority: number,
  live: StreamSession | undefined,
  offered: Pick<StreamSession, "ingestConfigurations"> | undefined,
): string | undefined {
  if (!Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY || priority <= current)
    return "StreamTakeoverInvalidPriority";
  if (live && offered && mediaDiffers(live, offered)) return "StreamTakeoverMediaMismatch";
  return undefined;
}

/** Same codec and resolution per video track, same track count. */
function mediaDiffers(
  a: Pick<StreamSession, "ingestConfigurations">,
  b: Pick<StreamSession, "ingestConfigurations">,
): boolean {
  const va = a.ingestConfigurations.videoConfigurations;
  const vb = b.ingestConfigurations.videoConfigurations;
  if (va.length !== vb.length) return true;
  return va.some((v, i) => {
    const w = vb[i];
    return !w || v.codec !== w.codec || v.videoWidth !== w.videoWidth || v.videoHeight !== w.videoHeight;
  });
}
