import { type Kind, kindOfArn, type MirrorChange, type Resource } from "./changes.ts";

/** EventBridge times have second precision: a call stamped s was made before s + 1 s. */
const SECOND_MS = 1000;

/** What CloudTrail writes in place of a sensitive member (stream key values, SRT passphrases). */
const HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";
export const API_CALL_DETAIL_TYPE = "AWS API Call via CloudTrail";

export type ApiCallParse =
  | { ok: true; id: string; eventName: string; requestId?: string; changes: MirrorChange[] }
  | { ok: false; malformed: boolean; reason: string; id?: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A copy without members CloudTrail hid: a hidden secret is unknown, not the string it shows. */
function visible(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(visible);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== HIDDEN) out[k] = visible(v);
  return out;
}

const resourceIn = (v: unknown): Resource | undefined => {
  const r = visible(v);
  return isObject(r) && typeof r.arn === "string" ? (r as Resource) : undefined;
};

/** Output members holding the resource a create or update returns, by operation. */
const RETURNS: Record<string, { kind: Kind; member: string }> = {
  UpdateChannel: { kind: "channel", member: "channel" },
  CreateStreamKey: { kind: "stream-key", member: "streamKey" },
  CreateRecordingConfiguration: { kind: "recording-configuration", member: "recordingConfiguration" },
  ImportPlaybackKeyPair: { kind: "playback-key-pair", member: "keyPair" },
  CreatePlaybackRestrictionPolicy: {
    kind: "playback-restriction-policy",
    member: "playbackRestrictionPolicy",
  },
  UpdatePlaybackRestrictionPolicy: {
    kind: "playback-restriction-policy",
    member: "playbackRestrictionPolicy",
  },
  CreateAdConfiguration: { kind: "ad-configuration", member: "adConfiguration" },
  UpdateAdConfiguration: { kind: "ad-configuration", member: "adConfiguration" },
};

/** Operations that delete the resource named by `requestParameters.arn`. */
const DELETES: Record<string, Kind> = {
  DeleteChannel: "channel",
  DeleteStreamKey: "stream-key",
  DeleteRecordingConfiguration: "recording-configuration",
  DeletePlaybackKeyPair: "playback-key-pair",
  DeletePlaybackRestrictionPolicy: "playback-restriction-policy",
  DeleteAdConfiguration: "ad-configuration",
};

/**
 * A stream key is "full" only with its value; CloudTrail hides the value, so what it shows is a
 * summary. Every other kind's returned object is complete but for hidden secrets.
 */
const partOf = (kind: Kind): "summary" | "full" => (kind === "stream-key" ? "summary" : "full");

/**
 * What an IVS API call recorded by CloudTrail (delivered by EventBridge as `AWS API Call via
 * CloudTrail`) changed, as mirror changes. Calls made by any tool reach the gateway this way. Failed
 * calls and calls that change no mirrored resource give no change. `at` is the last moment of the
 * event's second (its time has second precision): the call wins over whatever the mirror observed
 * within that second, and the leader confirms with IVS what differs (src/mirror/watch.ts). Calls this
 * gateway made itself are told apart by their request id and not applied: their answers are in already.
 */
export function parseApiCall(body: Record<string, unknown>): ApiCallParse {
  const id = typeof body.id === "string" ? body.id : undefined;
  if (!id || id.length > 256)
    return { ok: false, malformed: true, reason: "id must be a string of 1 to 256 characters" };
  const d = body.detail;
  if (!isObject(d)) return { ok: false, malformed: true, reason: "detail must be an object" };
  if (d.eventSource !== "ivs.amazonaws.com")
    return { ok: false, malformed: false, id, reason: `eventSource ${String(d.eventSource)} is not IVS` };
  const eventName = d.eventName;
  if (typeof eventName !== "string")
    return { ok: false, malformed: true, reason: "detail.eventName must be a string" };
  const time = Date.parse(String(d.eventTime ?? body.time));
  if (Number.isNaN(time))
    return { ok: false, malformed: true, reason: "detail.eventTime must be an ISO-8601 date-time" };
  if (d.errorCode !== undefined && d.errorCode !== null)
    return { ok: false, malformed: false, id, reason: `${eventName} failed (${String(d.errorCode)})` };
  const at = time + SECOND_MS - 1;
  const request = isObject(d.requestParameters) ? d.requestParameters : {};
  const response = isObject(d.responseElements) ? d.responseElements : {};
  const changes = changesOf(eventName, request, response, at);
  if (changes.length === 0)
    return { ok: false, malformed: false, id, reason: `${eventName} changes nothing the gateway mirrors` };
  const requestId = typeof d.requestID === "string" ? d.requestID : undefined;
  return { ok: true, id, eventName, ...(requestId ? { requestId } : {}), changes };
}

function changesOf(
  eventName: string,
  request: Record<string, unknown>,
  response: Record<string, unknown>,
  at: number,
): MirrorChange[] {
  if (eventName === "CreateChannel") {
    const channel = resourceIn(response.channel);
    const key = resourceIn(response.streamKey);
    if (!channel) return [];
    const changes: MirrorChange[] = [{ op: "put", kind: "channel", part: "full", at, items: [channel] }];
    if (key) changes.push({ op: "keys", at, lists: [{ channelArn: channel.arn as string, keys: [key] }] });
    return changes;
  }
  const returned = RETURNS[eventName];
  if (returned) {
    const item = resourceIn(response[returned.member]);
    return item ? [{ op: "put", kind: returned.kind, part: partOf(returned.kind), at, items: [item] }] : [];
  }
  const deleted = DELETES[eventName];
  if (deleted) {
    const arn = request.arn;
    return typeof arn === "string" && kindOfArn(arn) === deleted
      ? [{ op: "delete", kind: deleted, arns: [arn], at }]
      : [];
  }
  if (eventName === "TagResource" || eventName === "UntagResource") {
    const arn = request.resourceArn;
    const kind = typeof arn === "string" ? kindOfArn(arn) : undefined;
    if (!kind || typeof arn !== "string") return [];
    if (eventName === "TagResource" && isObject(request.tags))
      return [{ op: "tags", kind, arn, at, set: request.tags as Record<string, string> }];
    if (eventName === "UntagResource" && Array.isArray(request.tagKeys))
      return [{ op: "tags", kind, arn, at, remove: request.tagKeys.filter((k) => typeof k === "string") }];
  }
  return [];
}
