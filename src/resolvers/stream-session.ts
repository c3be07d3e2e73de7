import {
  type Channel,
  ListStreamSessionsCommand,
  type RecordingConfiguration,
  type StreamSession,
  type StreamSessionSummary,
} from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { checkShape } from "../../model/validate.ts";
import { channelAllowed } from "../auth/tenancy.ts";
import type { GatewayContext } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import { callIvs } from "../ivs/errors.ts";
import type { ConnectionArgs } from "./connection.ts";
import { ivsConnection } from "./connection.ts";

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

/** IVS's largest maxResults for ListStreamSessions. */
const LIST_MAX = 100;

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
  if (checkShape(MODEL, "GetStreamSessionRequest", key).length > 0) return null;
  // Another tenant's sessions read as missing, like its channel.
  if (!(await channelAllowed(ctx, args.channelArn))) return null;
  const full = await ctx.loaders.streamSession.load(key);
  return full ? fromFull(args.channelArn, full) : null;
}

/** `node(id)` for a session: the id is `sessionNodeId`'s. */
export function streamSessionByNodeId(ctx: GatewayContext, id: string): Promise<StreamSessionShape | null> {
  const cut = id.lastIndexOf("/");
  if (cut < 0) return Promise.resolve(null);
  return streamSession(ctx, { channelArn: id.slice(0, cut), streamId: id.slice(cut + 1) });
}

/** `Channel.sessions`: the channel's current and past sessions through ListStreamSessions. */
export function channelSessions(ctx: GatewayContext, channelArn: string, args: ConnectionArgs) {
  return ivsConnection<StreamSessionShape>(args, LIST_MAX, async (nextToken, maxResults) => {
    const out = await callIvs(() =>
      ctx.ivs.send(new ListStreamSessionsCommand({ channelArn, nextToken, maxResults })),
    );
    const items = (out.streamSessions ?? []).map((s: StreamSessionSummary) => ({
      channelArn,
      streamId: s.streamId as string,
      startTime: s.startTime,
      endTime: s.endTime,
      hasErrorEvent: s.hasErrorEvent,
    }));
    return { items, nextToken: out.nextToken };
  });
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
