import { DETAIL_TYPES } from "../events/bus.ts";
import { alnum, resourceId } from "../ids.ts";
import type { Channel } from "../state/types.ts";
import type { IngestBreach } from "./ingest.ts";

/** One event the simulator publishes: EventBridge detail plus how it shows in `truncatedEvents`. */
export interface Published {
  detailType: string;
  detail: Record<string, unknown>;
  /** `StreamEvent.name`: the event name, limit name or recording status. */
  name: string;
  code?: string;
  /** Marks the session `hasErrorEvent`. */
  error?: boolean;
}

export type StreamEventName =
  | "Session Created"
  | "Session Ended"
  | "Stream Start"
  | "Stream End"
  | "Stream Failure"
  | "Stream Takeover"
  | "Stream Takeover Failure";

/** IVS Stream State Change (IVS User Guide, "Using Amazon EventBridge with IVS"): `code` and `reason` only when there is one. */
export function streamState(
  channel: Channel,
  streamId: string,
  eventName: StreamEventName,
  extra: { code?: string; reason?: string } = {},
): Published {
  const detail: Record<string, unknown> = {
    event_name: eventName,
    channel_name: channel.name,
    stream_id: streamId,
  };
  if (extra.code) detail.code = extra.code;
  if (extra.reason) detail.reason = extra.reason;
  const error = eventName === "Stream Failure" || eventName === "Stream Takeover Failure" || !!extra.code;
  const out: Published = { detailType: DETAIL_TYPES.streamState, detail, name: eventName, error };
  if (extra.code) out.code = extra.code;
  return out;
}

export function streamHealth(
  channel: Channel,
  streamId: string,
  eventName: "Starvation Start" | "Starvation End",
): Published {
  return {
    detailType: DETAIL_TYPES.streamHealth,
    detail: { event_name: eventName, channel_name: channel.name, stream_id: streamId },
    name: eventName,
  };
}

/**
 * IVS Limit Breach. The guide's examples say `limit_name`, the schema registry says `limit`; which one
 * the service sends today is unverified, so both carry the value (the EventBridge page of the IVS User Guide).
 */
export function channelLimitBreach(channel: Channel, streamId: string, breach: IngestBreach): Published {
  return {
    detailType: DETAIL_TYPES.limitBreach,
    detail: {
      limit_name: breach.limitName,
      limit: breach.limitName,
      limit_value: breach.limitValue,
      exceeded_by: breach.exceededBy,
      limit_unit: breach.limitUnit,
      channel_name: channel.name,
      stream_id: streamId,
    },
    name: breach.limitName,
    error: true,
  };
}

/** Account-level breaches have no channel fields and go out with `resources: []`. */
export function accountLimitBreach(
  limitName: "Concurrent Broadcasts" | "Concurrent Viewers",
  limitValue: number,
  exceededBy: number,
): Published {
  return {
    detailType: DETAIL_TYPES.limitBreach,
    detail: {
      limit_name: limitName,
      limit: limitName,
      limit_value: limitValue,
      exceeded_by: exceededBy,
      limit_unit: limitName === "Concurrent Broadcasts" ? "active streams" : "viewers",
    },
    name: limitName,
  };
}

export type RecordingStatus =
  | "Recording Start"
  | "Recording End"
  | "Recording Start Failure"
  | "Recording End Failure";

export interface RecordingFields {
  bucket: string;
  prefix: string;
  recordingSessionId: string;
  durationMs: number;
  /** Sent only on Recording End / End Failure, where several streams may have been merged. */
  streamIds?: string[];
}

const FAILURE_REASON: Partial<Record<RecordingStatus, string>> = {
  "Recording Start Failure": "ValidationException",
  "Recording End Failure": "InternalServerException",
};

export function recordingState(
  channel: Channel,
  streamId: string,
  status: RecordingStatus,
  r: RecordingFields,
): Published {
  const detail: Record<string, unknown> = {
    channel_name: channel.name,
    stream_id: streamId,
    recording_status: status,
    recording_status_reason: FAILURE_REASON[status] ?? "",
    recording_s3_bucket_name: r.bucket,
    // Nothing was written when the start failed, so there is no prefix to point at.
    recording_s3_key_prefix: status === "Recording Start Failure" ? "" : r.prefix,
    recording_duration_ms: status === "Recording End" ? r.durationMs : 0,
    recording_session_id: r.recordingSessionId,
  };
  const ended = status === "Recording End" || status === "Recording End Failure";
  if (ended && r.streamIds) detail.recording_session_stream_ids = [...r.streamIds];
  return { detailType: DETAIL_TYPES.recordingState, detail, name: status, error: status in FAILURE_REASON };
}

/**
 * `ivs/v1/<account>/<channelId>/<yyyy>/<m>/<d>/<h>/<mm>/<recordingId>` in UTC. The documented example
 * (`2020/6/23/20/12`) leaves month, day and hour unpadded; minutes are padded as `<mm>` says.
 */
export function recordingPrefix(account: string, channelArn: string, at: Date): string {
  const date = [
    at.getUTCFullYear(),
    at.getUTCMonth() + 1,
    at.getUTCDate(),
    at.getUTCHours(),
    String(at.getUTCMinutes()).padStart(2, "0"),
  ].join("/");
  return `ivs/v1/${account}/${resourceId(channelArn)}/${date}/${alnum(12)}`;
}
