import type { StreamSession } from "@aws-sdk/client-ivs";
import type { Mirror } from "../mirror/mirror.ts";
import { singleLoader } from "./batch.ts";

/** Which session: a channel's, by stream id, or its most recent one when `streamId` is absent. */
export interface StreamSessionKey {
  channelArn: string;
  streamId?: string;
}

const date = (v: unknown) => (typeof v === "string" || typeof v === "number" ? new Date(v) : undefined);

/** GetStreamSession's answer as the mirror keeps it (JSON) → the SDK's shape, with Dates. */
export function reviveSession(detail: Record<string, unknown>): StreamSession {
  const events = Array.isArray(detail.truncatedEvents) ? detail.truncatedEvents : [];
  return {
    ...detail,
    startTime: date(detail.startTime),
    endTime: date(detail.endTime),
    truncatedEvents: events.map((e: Record<string, unknown>) => ({ ...e, eventTime: date(e.eventTime) })),
  } as StreamSession;
}

/**
 * Session details by channel and stream id, from the mirror (fetched once per session with
 * GetStreamSession, kept until an event about the session says they changed).
 */
export function streamSessionLoader(mirror: Mirror) {
  return singleLoader(
    async (key: StreamSessionKey) => {
      const detail = await mirror.sessions.detail(key.channelArn, key.streamId);
      return detail ? reviveSession(detail) : undefined;
    },
    (key) => `${key.channelArn} ${key.streamId ?? ""}`,
  );
}
