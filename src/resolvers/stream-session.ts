import type { Channel, RecordingConfiguration, StreamSession } from "@aws-sdk/client-ivs";
import { channelAllowed } from "../auth/tenancy.ts";
import type { GatewayContext } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { callIvs } from "../ivs/errors.ts";
import { violations } from "../ivs/validate.ts";
import type { SessionCursor, SessionRecord } from "../mirror/sessions.ts";
import { type ConnectionArgs, keysetConnection } from "./connection.ts";

/**
 * What the StreamSession type resolves from. IVS's session shapes do not say which channel they belong
 * to, so the channel ARN travels with them; `full` is GetStreamSession's answer when the gateway has it.
 */
export interface StreamSessionShape {
  channelArn: string;
  streamId: string;
  startTime?: Date;
  endTime?: Date;
  /** Only ListStreamSessions reports it. */
  hasErrorEvent?: boolean;
  full?: StreamSession;
}

/** A session's node id: its channel ARN and stream id (stream ids hold no `/`). */
export function sessionNodeId(s: Pick<StreamSessionShape, "channelArn" | "streamId">): string {
  return `${s.channelArn}/${s.streamId}`;
}

function fromFull(channelArn: string, full: StreamSession): StreamSessionShape {
  return {
    channelArn,
    streamId: full.streamId as string,
    startTime: full.startTime,
    endTime: full.endTime,
    full,
  };
}

/**
 * A channel's session by stream id, or its most recent one when `streamId` is absent; null when either
 * does not exist (or could not: input IVS would reject names nothing).
 */
export async function streamSession(
  ctx: GatewayContext,
  args: { channelArn: string; streamId?: string | null },
): Promise<StreamSessionShape | null> {
  const key = { channelArn: args.channelArn, ...(args.streamId ? { streamId: args.streamId } : {}) };
  if (violations("GetStreamSessionRequest", key).length > 0) return null;
  // Another tenant's sessions read as missing, like its channel.
  if (!(await channelAllowed(ctx, args.channelArn))) return null;
  const full = await ctx.loaders.streamSession.load(key);
  if (!full) return null;
  // The mirror knows from the session list and IVS events what GetStreamSession does not say.
  const known = ctx.mirror.store.sessions.record(args.channelArn, full.streamId as string);
  return { ...fromFull(args.channelArn, full), ...(known ? { hasErrorEvent: known.hasErrorEvent } : {}) };
}

/** `node(id)` for a session: the id is `sessionNodeId`'s. */
export function streamSessionByNodeId(ctx: GatewayContext, id: string): Promise<StreamSessionShape | null> {
  const cut = id.lastIndexOf("/");
  if (cut < 0) return Promise.resolve(null);
  return streamSession(ctx, { channelArn: id.slice(0, cut), streamId: id.slice(cut + 1) });
}

/** A session's place in its channel's list (newest first): its start, then its stream id. */
const sessionKey = (s: { startTime: number; streamId: string }) => `${s.startTime}~${s.streamId}`;

function sessionCursor(key: string): SessionCursor {
  const cut = key.indexOf("~");
  const startTime = Number(key.slice(0, cut));
  if (cut < 0 || !Number.isFinite(startTime))
    throw new ValidationError("The cursor is not one this gateway issued", "after");
  return { startTime, streamId: key.slice(cut + 1) };
}

function fromRecord(channelArn: string, r: SessionRecord): StreamSessionShape {
  return {
    channelArn,
    streamId: r.streamId,
    startTime: new Date(r.startTime),
    ...(r.endTime !== undefined ? { endTime: new Date(r.endTime) } : {}),
    hasErrorEvent: r.hasErrorEvent,
  };
}

/**
 * `Channel.sessions`: the channel's current and past sessions, newest first, from the mirror (IVS's
 * list read once per channel, then kept up to date by IVS events).
 */
export function channelSessions(ctx: GatewayContext, channelArn: string, args: ConnectionArgs) {
  return keysetConnection<StreamSessionShape>(
    args,
    (s) => sessionKey({ startTime: (s.startTime as Date).getTime(), streamId: s.streamId }),
    async (after, first) => {
      const page = await callIvs(() =>
        ctx.mirror.sessions.page(channelArn, after ? sessionCursor(after) : undefined, first),
      );
      return { items: page.items.map((r) => fromRecord(channelArn, r)), hasNextPage: page.hasNextPage };
    },
  );
}

/**
 * The full session behind `s`: GetStreamSession once per session per request, only when a field needs
 * what a summary lacks (channel, ingest configurations, recording configuration, events).
 */
export async function fullSession(ctx: GatewayContext, s: StreamSessionShape): Promise<StreamSession> {
  if (s.full) return s.full;
  const full = await ctx.loaders.streamSession.load({ channelArn: s.channelArn, streamId: s.streamId });
  if (!full) throw new NotFoundError(`Stream session ${s.streamId} no longer exists`, s.channelArn);
  return full;
}

/**
 * The channel as configured when the session went live (IVS's snapshot), or the channel as it is now if
 * the session carries none.
 */
export async function sessionChannel(ctx: GatewayContext, s: StreamSessionShape): Promise<Channel> {
  const snapshot = (await fullSession(ctx, s)).channel;
  if (snapshot?.arn) return snapshot;
  const current = await ctx.loaders.channel.load(s.channelArn);
  if (!current) throw new NotFoundError(`Channel ${s.channelArn} no longer exists`, s.channelArn);
  return current;
}

/** The recording configuration the session was recorded with, as it was then; null when not recorded. */
export async function sessionRecordingConfiguration(
  ctx: GatewayContext,
  s: StreamSessionShape,
): Promise<RecordingConfiguration | null> {
  const rc = (await fullSession(ctx, s)).recordingConfiguration;
  return rc?.arn ? rc : null;
}
