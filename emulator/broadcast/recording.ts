import type { Ids } from "../ids.ts";
import { refreshRecordingConfiguration } from "../operations/recording-configuration.ts";
import type { Store } from "../state/store.ts";
import type { Channel } from "../state/types.ts";
import { type Published, type RecordingFields, recordingPrefix, recordingState } from "./events.ts";

export type RecordingFailure = "start" | "end";

interface Recording extends RecordingFields {
  channel: Channel;
  configArn: string;
  startedAt: number;
  streamIds: string[];
  lastStreamId: string;
  lastEndedAt?: number;
  failEnd: boolean;
  timer?: NodeJS.Timeout;
}

export interface RecorderDeps {
  store: Store;
  ids: Ids;
  now: () => Date;
  /** Emits on the channel and notes the event on the session of `streamId`. */
  publish: (channelArn: string, streamId: string, event: Published) => void;
  /** Multiplies `recordingReconnectWindowSeconds` before Recording End; 0 ends at once. */
  delayScale: () => number;
}

/**
 * Recording sessions per channel. A recording outlives its stream by the configuration's reconnect
 * window: a broadcast that starts again on the channel within it joins the same recording (one
 * Recording End listing every stream id), as the IVS guide describes for merged recordings.
 */
export class Recorder {
  private readonly recordings = new Map<string, Recording>();

  constructor(private readonly deps: RecorderDeps) {}

  /** Called on Stream Start. Only an ACTIVE configuration records; CREATE_FAILED reports a start failure. */
  begin(channel: Channel, streamId: string, failure?: RecordingFailure): void {
    const arn = channel.recordingConfigurationArn;
    const rc = arn ? this.deps.store.recordingConfigurations.get(arn) : undefined;
    const pending = this.recordings.get(channel.arn);
    if (pending && (pending.configArn !== arn || !pending.timer)) this.finish(pending);
    if (!rc) return;
    const now = this.deps.now();
    const state = refreshRecordingConfiguration(rc, now.getTime()).state;
    if (state === "CREATING") return;
    const joinable = this.recordings.get(channel.arn);
    if (joinable?.timer && state === "ACTIVE" && failure !== "start") {
      clearTimeout(joinable.timer);
      joinable.timer = undefined;
      joinable.streamIds.push(streamId);
      joinable.lastStreamId = streamId;
      joinable.channel = channel;
      joinable.failEnd ||= failure === "end";
      return;
    }
    const recording: Recording = {
      channel,
      configArn: rc.arn,
      bucket: rc.destinationConfiguration.s3?.bucketName ?? "",
      prefix: recordingPrefix(this.deps.ids.account, channel.arn, now),
      recordingSessionId: this.deps.ids.recordingSessionId(),
      durationMs: 0,
      startedAt: now.getTime(),
      streamIds: [streamId],
      lastStreamId: streamId,
      failEnd: failure === "end",
    };
    if (state === "CREATE_FAILED" || failure === "start") {
      this.deps.publish(
        channel.arn,
        streamId,
        recordingState(channel, streamId, "Recording Start Failure", recording),
      );
      return;
    }
    this.recordings.set(channel.arn, recording);
    this.deps.publish(channel.arn, streamId, recordingState(channel, streamId, "Recording Start", recording));
  }

  /** Called on Stream End: Recording End follows once the reconnect window has passed. */
  streamEnded(channelArn: string): void {
    const recording = this.recordings.get(channelArn);
    if (!recording || recording.timer) return;
    recording.lastEndedAt = this.deps.now().getTime();
    const rc = this.deps.store.recordingConfigurations.get(recording.configArn);
    const windowMs = (rc?.recordingReconnectWindowSeconds ?? 0) * 1000 * this.deps.delayScale();
    if (windowMs <= 0) {
      this.finish(recording);
      return;
    }
    recording.timer = setTimeout(() => this.finish(recording), windowMs);
  }

  /** Whether the channel has a recording in progress (or waiting out its reconnect window). */
  recording(channelArn: string): boolean {
    return this.recordings.has(channelArn);
  }

  /** Drops pending recordings without emitting their end (emulator reset or stop). */
  dispose(): void {
    for (const r of this.recordings.values()) if (r.timer) clearTimeout(r.timer);
    this.recordings.clear();
  }

  private finish(recording: Recording): void {
    if (recording.timer) clearTimeout(recording.timer);
    recording.timer = undefined;
    if (this.recordings.get(recording.channel.arn) === recording)
      this.recordings.delete(recording.channel.arn);
    // The recording lasted until its last stream ended, not until the reconnect window closed.
    const endedAt = recording.lastEndedAt ?? this.deps.now().getTime();
    recording.durationMs = Math.max(0, endedAt - recording.startedAt);
    const status = recording.failEnd ? "Recording End Failure" : "Recording End";
    const { channel, lastStreamId } = recording;
    this.deps.publish(channel.arn, lastStreamId, recordingState(channel, lastStreamId, status, recording));
  }
}
