import type {
  GetStreamRequest,
  ListStreamsRequest,
  PutMetadataRequest,
  StopStreamRequest,
} from "@aws-sdk/client-ivs";
import { notBroadcasting, validation } from "../errors.ts";
import { paginate } from "../protocol/pagination.ts";
import type { Stream } from "../state/types.ts";
import { getChannel } from "./channel.ts";
import { type OperationContext, op } from "./context.ts";

/** IVS service quotas: PutMetadata payloads are at most 1 KB. */
const METADATA_LIMIT = 1024;

/** The live stream of an existing channel; unknown channel → 404 ResourceNotFound, offline → 404 ChannelNotBroadcasting. */
function liveStream(ctx: OperationContext, channelArn: string): Stream {
  const channel = getChannel(ctx, channelArn);
  const stream = ctx.store.streams.get(channel.arn);
  if (!stream) throw notBroadcasting(channel.arn);
  return stream;
}

export const streamOperations = {
  // Never a Stream with state OFFLINE: the doc says an offline channel answers ChannelNotBroadcasting.
  GetStream: op<GetStreamRequest>((input, ctx) => ({ stream: liveStream(ctx, input.channelArn as string) })),

  ListStreams: op<ListStreamsRequest>((input, ctx) => {
    const health = input.filterBy?.health;
    const streams = [...ctx.store.streams.values()].filter((s) => !health || s.health === health);
    streams.sort((a, b) => ctx.store.orderOf(a.streamId) - ctx.store.orderOf(b.streamId));
    const page = paginate("ListStreams", streams, (s) => ctx.store.orderOf(s.streamId), input, 100);
    return {
      // StreamSummary has no playbackUrl.
      streams: page.items.map(({ channelArn, streamId, state, health, viewerCount, startTime }) => ({
        channelArn,
        streamId,
        state,
        health,
        viewerCount,
        startTime,
      })),
      nextToken: page.nextToken,
    };
  }),

  StopStream: op<StopStreamRequest>((input, ctx) => {
    const stream = liveStream(ctx, input.channelArn as string);
    ctx.broadcasts.stop(stream.channelArn);
    return {};
  }),

  PutMetadata: op<PutMetadataRequest>((input, ctx) => {
    const metadata = input.metadata as string;
    // A property of the payload alone, so it is reported whatever state the channel is in.
    if (Buffer.byteLength(metadata, "utf8") > METADATA_LIMIT)
      throw validation("Metadata size exceeds payload limit");
    liveStream(ctx, input.channelArn as string);
  }),
};
