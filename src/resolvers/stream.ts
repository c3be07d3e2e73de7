import {
  type Channel,
  ListStreamsCommand,
  PutMetadataCommand,
  StopStreamCommand,
  type _Stream as Stream,
  type StreamHealth,
  type StreamSummary,
} from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { pageSizeMax } from "../../model/page-size.ts";
import { allowedChannelArns } from "../auth/tenancy.ts";
import type { GatewayContext } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { callIvs } from "../ivs/errors.ts";
import { validateIvsInput } from "../ivs/validate.ts";
import { andThen, type MaybePromise } from "../loaders/memo.ts";
import { fromState, liveStateTrusted } from "../loaders/stream.ts";
import { wellFormed } from "../loaders/well-formed.ts";
import { channel } from "./channel.ts";
import type { ConnectionArgs } from "./connection.ts";
import { isIvsCursor, ivsConnection, keysetConnection } from "./connection.ts";

/** What the Stream type resolves from: GetStream's stream, or a ListStreams summary (no playbackUrl). */
export type StreamShape = Stream | StreamSummary;

/** The largest page ListStreams serves, from the model. */
const LIST_MAX = pageSizeMax(MODEL, "ListStreamsRequest");

/** IVS documents a 1 KB limit per PutMetadata request that the model does not state. */
const METADATA_MAX_BYTES = 1024;

/**
 * The live stream of a channel, or null when it is offline or does not exist. Everything that asks
 * "is this channel live?" goes through here: the live state the event pipeline keeps, with one shared
 * ListStreams as the fallback (src/loaders/stream.ts); never a GetStream per channel.
 */
export function liveStream(ctx: GatewayContext, channelArn: string): MaybePromise<Stream | null> {
  if (!wellFormed("GetStreamRequest", "channelArn", channelArn)) return null;
  // At once from trusted live state (src/loaders/stream.ts): no promise per channel on a page.
  return ctx.loaders.stream.get(channelArn);
}

/** `streams`: the account's live streams, optionally only those in one health state. */
export function streams(
  ctx: GatewayContext,
  args: ConnectionArgs & { filter?: { health?: StreamHealth | null } | null },
) {
  const health = args.filter?.health ?? undefined;
  if (liveStateTrusted(ctx.live) && !isIvsCursor(args.after))
    return keysetConnection<StreamShape>(
      args,
      (s) => s.channelArn as string,
      async (after, first) => {
        const live = ctx.live.state
          .live()
          .map(fromState)
          .filter((s): s is Stream => s !== null && (!health || s.health === health))
          .filter((s) => after === undefined || (s.channelArn as string) > after)
          .sort((a, b) => ((a.channelArn as string) < (b.channelArn as string) ? -1 : 1));
        const allowed = await allowedChannelArns(
          ctx,
          live.map((s) => s.channelArn as string),
        );
        const mine = live.filter((s) => allowed.has(s.channelArn as string));
        return { items: mine.slice(0, first), hasNextPage: mine.length > first };
      },
    );
  return ivsConnection<StreamShape>(args, LIST_MAX, async (nextToken, maxResults) => {
    const request = { filterBy: health ? { health } : undefined, nextToken, maxResults };
    const out = await callIvs(() => ctx.ivs.send(new ListStreamsCommand(request)));
    const items = out.streams ?? [];
    // Streams carry no tags: a tenant sees those of its channels (one batched lookup per page).
    if (!ctx.principal.tenant) return { items, nextToken: out.nextToken };
    const allowed = await allowedChannelArns(
      ctx,
      items.map((s) => s.channelArn as string),
    );
    return { items: items.filter((s) => allowed.has(s.channelArn as string)), nextToken: out.nextToken };
  });
}

/**
 * A stream's playback URL. Summaries lack it; it is the channel's playback URL, so it comes through
 * the batched channel loader (⌈n/50⌉ calls for a page) rather than one GetStream per stream.
 */
export function streamPlaybackUrl(ctx: GatewayContext, s: StreamShape): MaybePromise<string> {
  const own = (s as Stream).playbackUrl;
  if (own !== undefined) return own;
  return andThen(ctx.loaders.channel.get(s.channelArn as string), (c) => c?.playbackUrl ?? "");
}

async function channelAfter(ctx: GatewayContext, channelArn: string): Promise<Channel> {
  const found = await channel(ctx, { arn: channelArn });
  if (!found) throw new NotFoundError(`Channel ${channelArn} no longer exists`, channelArn);
  return found;
}

/**
 * Disconnects the channel's encoder and returns the channel. Encoders often reconnect on their own;
 * delete the stream key first to stop for good.
 */
export async function stopStream(
  ctx: GatewayContext,
  { input }: { input: { channelArn: string } },
): Promise<Channel> {
  validateIvsInput("StopStreamRequest", { channelArn: input.channelArn });
  await callIvs(() => ctx.ivs.send(new StopStreamCommand({ channelArn: input.channelArn })));
  // Offline now, whatever the event pipeline has heard so far.
  ctx.loaders.stream.clear(input.channelArn).prime(input.channelArn, null);
  // The live session has just ended: a copy loaded earlier in this request would still say it is live.
  ctx.loaders.streamSession.clearAll();
  return channelAfter(ctx, input.channelArn);
}

/** Inserts timed metadata into the channel's live stream and returns the channel. */
export async function putMetadata(
  ctx: GatewayContext,
  { input }: { input: { channelArn: string; metadata: string } },
): Promise<Channel> {
  const request = { channelArn: input.channelArn, metadata: input.metadata };
  validateIvsInput("PutMetadataRequest", request);
  if (Buffer.byteLength(input.metadata, "utf8") > METADATA_MAX_BYTES)
    throw new ValidationError(
      `metadata is ${Buffer.byteLength(input.metadata, "utf8")} bytes; IVS takes at most ${METADATA_MAX_BYTES}`,
      "input.metadata",
    );
  await callIvs(() => ctx.ivs.send(new PutMetadataCommand(request)));
  return channelAfter(ctx, input.channelArn);
}
