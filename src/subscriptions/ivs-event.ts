import type { LiveFact, RecordingStatus, StreamEventName } from "./live-state.ts";

/** An IVS event as relayed to subscribers: the envelope's facts plus one typed payload. */
export type RelayedEvent =
  | (Base & {
      kind: "STREAM_STATE";
      eventName: string;
      streamId: string;
      code: string | null;
      reason: string | null;
    })
  | (Base & { kind: "STREAM_HEALTH"; eventName: string; streamId: string })
  | (Base & {
      kind: "RECORDING_STATE";
      streamId: string;
      recordingStatus: string;
      reason: string | null;
      s3BucketName: string | null;
      s3KeyPrefix: string | null;
      durationMs: number | null;
      recordingSessionId: string | null;
      sessionStreamIds: string[];
    })
  | (Base & {
      kind: "LIMIT_BREACH";
      streamId: string | null;
      limitName: string;
      limitValue: number | null;
      exceededBy: number | null;
      limitUnit: string | null;
    });

interface Base {
  /** The EventBridge event id (unique per event; the de-duplication key). */
  id: string;
  /** Event time, ms since epoch. */
  time: number;
  region: string;
  account: string;
  /** Null for account-level limit breaches. */
  channelArn: string | null;
  channelName: string | null;
}

export type EventKind = RelayedEvent["kind"];

export type ParseResult =
  | { ok: true; event: RelayedEvent; fact?: LiveFact }
  | { ok: false; malformed: true; reason: string }
  | { ok: false; malformed: false; reason: string; id: string };

const DETAIL_KINDS: Record<string, EventKind> = {
  "IVS Stream State Change": "STREAM_STATE",
  "IVS Stream Health Change": "STREAM_HEALTH",
  "IVS Recording State Change": "RECORDING_STATE",
  "IVS Limit Breach": "LIMIT_BREACH",
};

const STREAM_FACTS = new Set<string>([
  "Session Created",
  "Stream Start",
  "Stream Takeover",
  "Session Ended",
  "Stream End",
  "Stream Failure",
]);
const RECORDING_FACTS: Record<string, RecordingStatus> = {
  "Recording Start": "STARTED",
  "Recording End": "ENDED",
  "Recording Start Failure": "START_FAILED",
  "Recording End Failure": "END_FAILED",
};
const CHANNEL_ARN = /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:channel\/[a-zA-Z0-9-]+$/;

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * Checks an EventBridge envelope and reduces it to a relayed event (and a live-state fact where it
 * bears on live status). Malformed envelopes are rejected with a reason; well-formed events of a
 * source or kind we do not relay are reported as not relayed (accepted and counted by the caller).
 */
export function parseIvsEvent(body: unknown): ParseResult {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, malformed: true, reason: "the body must be a JSON object (an EventBridge event)" };
  const e = body as Record<string, unknown>;
  const id = str(e.id);
  if (!id || id.length > 256)
    return { ok: false, malformed: true, reason: "id must be a string of 1 to 256 characters" };
  const detailType = str(e["detail-type"]);
  if (!detailType) return { ok: false, malformed: true, reason: "detail-type must be a string" };
  const timeText = str(e.time);
  const time = timeText ? Date.parse(timeText) : Number.NaN;
  if (Number.isNaN(time)) return { ok: false, malformed: true, reason: "time must be an ISO-8601 date-time" };
  if (!Array.isArray(e.resources) || e.resources.some((r) => typeof r !== "string"))
    return { ok: false, malformed: true, reason: "resources must be a list of strings" };
  if (typeof e.detail !== "object" || e.detail === null || Array.isArray(e.detail))
    return { ok: false, malformed: true, reason: "detail must be an object" };
  if (e.source !== "aws.ivs")
    return { ok: false, malformed: false, id, reason: `source ${String(e.source)} is not aws.ivs` };
  const kind = DETAIL_KINDS[detailType];
  if (!kind) return { ok: false, malformed: false, id, reason: `detail-type ${detailType} is not relayed` };

  const d = e.detail as Record<string, unknown>;
  const channelArn = (e.resources as string[]).find((r) => CHANNEL_ARN.test(r)) ?? null;
  const base: Base = {
    id,
    time,
    region: str(e.region) ?? "",
    account: str(e.account) ?? "",
    channelArn,
    channelName: str(d.channel_name),
  };
  const streamId = str(d.stream_id);
  if (kind !== "LIMIT_BREACH" && (!channelArn || !streamId))
    return {
      ok: false,
      malformed: true,
      reason: `${detailType} needs a channel ARN in resources and detail.stream_id`,
    };

  switch (kind) {
    case "STREAM_STATE": {
      const eventName = str(d.event_name);
      if (!eventName) return { ok: false, malformed: true, reason: "detail.event_name must be a string" };
      const event: RelayedEvent = {
        ...base,
        kind,
        eventName,
        streamId: streamId as string,
        code: str(d.code),
        reason: str(d.reason),
      };
      const fact: LiveFact | undefined = STREAM_FACTS.has(eventName)
        ? {
            kind: "stream",
            channelArn: channelArn as string,
            streamId: streamId as string,
            name: eventName as StreamEventName,
            time,
          }
        : undefined;
      return fact ? { ok: true, event, fact } : { ok: true, event };
    }
    case "STREAM_HEALTH": {
      const eventName = str(d.event_name);
      if (eventName !== "Starvation Start" && eventName !== "Starvation End")
        return {
          ok: false,
          malformed: true,
          reason: "detail.event_name must be Starvation Start or Starvation End",
        };
      return {
        ok: true,
        event: { ...base, kind, eventName, streamId: streamId as string },
        fact: {
          kind: "health",
          channelArn: channelArn as string,
          streamId: streamId as string,
          starving: eventName === "Starvation Start",
          time,
        },
      };
    }
    case "RECORDING_STATE": {
      const recordingStatus = str(d.recording_status);
      if (!recordingStatus)
        return { ok: false, malformed: true, reason: "detail.recording_status must be a string" };
      const ids = Array.isArray(d.recording_session_stream_ids)
        ? d.recording_session_stream_ids.filter((x): x is string => typeof x === "string")
        : [];
      const event: RelayedEvent = {
        ...base,
        kind,
        streamId: streamId as string,
        recordingStatus,
        reason: str(d.recording_status_reason) || null,
        s3BucketName: str(d.recording_s3_bucket_name),
        s3KeyPrefix: str(d.recording_s3_key_prefix),
        durationMs: num(d.recording_duration_ms),
        recordingSessionId: str(d.recording_session_id),
        sessionStreamIds: ids,
      };
      const status = RECORDING_FACTS[recordingStatus];
      return status
        ? {
            ok: true,
            event,
            fact: {
              kind: "recording",
              channelArn: channelArn as string,
              streamId: streamId as string,
              status,
              time,
            },
          }
        : { ok: true, event };
    }
    case "LIMIT_BREACH": {
      // The guide's examples say limit_name, the schema registry says limit: accept either.
      const limitName = str(d.limit_name) ?? str(d.limit);
      if (!limitName)
        return { ok: false, malformed: true, reason: "detail.limit_name (or detail.limit) must be a string" };
      return {
        ok: true,
        event: {
          ...base,
          kind,
          streamId,
          limitName,
          limitValue: num(d.limit_value),
          exceededBy: num(d.exceeded_by),
          limitUnit: str(d.limit_unit),
        },
      };
    }
  }
}
