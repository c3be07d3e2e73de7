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

/**
 * The longest value accepted per field: what IVS allows (API shapes ChannelArn, ChannelName, StreamId,
 * S3 bucket names and keys), and caps for names and free text that IVS does not bound. Anything longer is
 * no IVS event, and would only cost memory in the log.
 */
const MAX_ARN = 128;
const MAX_STREAM_ID = 26;
const MAX_NAME = 128;
const MAX_TEXT = 1024;
const ENVELOPE_MAX: Record<string, number> = { region: 64, account: 64 };
const DETAIL_MAX: Record<string, number> = {
  channel_name: 128,
  stream_id: MAX_STREAM_ID,
  event_name: MAX_NAME,
  code: MAX_NAME,
  reason: MAX_TEXT,
  recording_status: MAX_NAME,
  recording_status_reason: MAX_TEXT,
  recording_s3_bucket_name: 63,
  recording_s3_key_prefix: MAX_TEXT,
  recording_session_id: MAX_NAME,
  limit_name: MAX_NAME,
  limit: MAX_NAME,
  limit_unit: MAX_NAME,
};
/** Stream ids one recording may merge (within its reconnect window); more is no IVS event. */
const MAX_SESSION_STREAMS = 100;

/** RFC 3339 (EventBridge's `time`), with ISO-8601's six-digit signed years. */
const DATE_TIME =
  /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/i;

/** An event time in ms since epoch, or undefined unless it is a real, representable date-time. */
export function parseEventTime(text: string): number | undefined {
  const m = DATE_TIME.exec(text);
  if (!m || m[1] === "-000000") return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map(Number);
  const [offsetHours = 0, offsetMinutes = 0] = m.slice(9, 11).map((x) => Number(x ?? 0));
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  // Date.parse rolls 2026-02-30 over to March: a day the month does not have is no date.
  const calendar = new Date(Date.UTC(2000, month - 1, day));
  calendar.setUTCFullYear(year);
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  const ms = Date.parse(text.toUpperCase());
  return Number.isFinite(ms) ? ms : undefined;
}

/** The first field longer than its bound, named for the reason; undefined when all fit. */
function overlong(e: Record<string, unknown>, d: Record<string, unknown>): string | undefined {
  for (const [key, max] of Object.entries(ENVELOPE_MAX))
    if (typeof e[key] === "string" && (e[key] as string).length > max)
      return `${key} must be at most ${max} characters`;
  if ((e.resources as string[]).some((r) => r.length > MAX_ARN))
    return `resources must be ARNs of at most ${MAX_ARN} characters`;
  for (const [key, max] of Object.entries(DETAIL_MAX))
    if (typeof d[key] === "string" && (d[key] as string).length > max)
      return `detail.${key} must be at most ${max} characters`;
  const ids = d.recording_session_stream_ids;
  if (Array.isArray(ids)) {
    if (ids.length > MAX_SESSION_STREAMS)
      return `detail.recording_session_stream_ids must hold at most ${MAX_SESSION_STREAMS} stream ids`;
    if (ids.some((x) => typeof x === "string" && x.length > MAX_STREAM_ID))
      return `detail.recording_session_stream_ids must be stream ids of at most ${MAX_STREAM_ID} characters`;
  }
  return undefined;
}

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
  const time = timeText ? parseEventTime(timeText) : undefined;
  if (time === undefined)
    return { ok: false, malformed: true, reason: "time must be an ISO-8601 (RFC 3339) date-time" };
  if (!Array.isArray(e.resources) || e.resources.some((r) => typeof r !== "string"))
    return { ok: false, malformed: true, reason: "resources must be a list of strings" };
  if (typeof e.detail !== "object" || e.detail === null || Array.isArray(e.detail))
    return { ok: false, malformed: true, reason: "detail must be an object" };
  const tooLong = overlong(e, e.detail as Record<string, unknown>);
  if (tooLong) return { ok: false, malformed: true, reason: tooLong };
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
