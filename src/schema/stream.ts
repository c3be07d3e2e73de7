import { StreamHealth, StreamState } from "@aws-sdk/client-ivs";
import { hiddenAsNull } from "../auth/scope-auth.ts";
import { tenancyScope } from "../auth/tenancy-scopes.ts";
import { channel } from "../resolvers/channel.ts";
import {
  liveStream,
  putMetadata,
  type StreamShape,
  stopStream,
  streamPlaybackUrl,
  streams,
} from "../resolvers/stream.ts";
import { streamSession } from "../resolvers/stream-session.ts";
import { builder } from "./builder.ts";
import { MUTATION_ERRORS } from "./errors.ts";
import { ChannelRef, StreamRef, StreamSessionRef } from "./refs.ts";

const StreamStateEnum = builder.enumType("StreamState", { values: Object.values(StreamState) });
export const StreamHealthEnum = builder.enumType("StreamHealth", { values: Object.values(StreamHealth) });

/** A channel's live stream (IVS reports streams only while live). */
StreamRef.implement({
  description: "A live broadcast on a channel.",
  authScopes: tenancyScope((s: StreamShape) => ({ channel: s.channelArn as string })),
  fields: (t) => ({
    channelArn: t.string({ resolve: (s) => s.channelArn as string }),
    streamId: t.string({
      description: "st- and 23 alphanumerics; new for every session.",
      resolve: (s) => s.streamId as string,
    }),
    playbackUrl: t.string({ resolve: (s, _args, ctx) => streamPlaybackUrl(ctx, s) }),
    startTime: t.field({ type: "DateTime", resolve: (s) => s.startTime as Date }),
    state: t.field({ type: StreamStateEnum, resolve: (s) => s.state ?? StreamState.StreamLive }),
    health: t.field({
      type: StreamHealthEnum,
      description: "From IVS's starvation events, repaired by each reconciliation with ListStreams.",
      resolve: (s) => s.health ?? StreamHealth.Unknown,
    }),
    viewerCount: t.int({
      description:
        "Concurrent views as of the last reconciliation with ListStreams (RECONCILE_INTERVAL_MS; IVS's own count is ~15 s behind); -1 when IVS timed out counting. Events do not carry it.",
      resolve: (s) => s.viewerCount ?? 0,
    }),
    channel: t.field({
      type: ChannelRef,
      nullable: true,
      description: "Null only if the channel was deleted meanwhile.",
      resolve: (s, _args, ctx) => channel(ctx, { arn: s.channelArn as string }),
    }),
    session: t.field({
      type: StreamSessionRef,
      nullable: true,
      resolve: (s, _args, ctx) =>
        streamSession(ctx, { channelArn: s.channelArn as string, streamId: s.streamId }),
    }),
  }),
});

const StreamConnection = builder.connectionObject(
  { type: StreamRef, name: "StreamConnection" },
  { name: "StreamEdge" },
);

const StreamFilterInput = builder.inputType("StreamFilter", {
  fields: (t) => ({ health: t.field({ type: StreamHealthEnum }) }),
});

const StopInput = builder.inputType("StopStreamInput", {
  fields: (t) => ({ channelArn: t.string({ required: true }) }),
});

const PutMetadataInput = builder.inputType("PutMetadataInput", {
  fields: (t) => ({
    channelArn: t.string({ required: true }),
    metadata: t.string({ required: true, description: "1 byte to 1 KB; 5 requests a second per channel." }),
  }),
});

builder.queryFields((t) => ({
  stream: t.field({
    type: StreamRef,
    nullable: true,
    description: "The channel's live stream; null when it is offline or does not exist.",
    args: { channelArn: t.arg.string({ required: true }) },
    authScopes: (_root, args) => ({ channel: args.channelArn }),
    unauthorizedResolver: hiddenAsNull,
    resolve: (_root, args, ctx) => liveStream(ctx, args.channelArn),
  }),
  streams: t.field({
    type: StreamConnection,
    description:
      "Live streams in the account and region, in channel ARN order: from live status (IVS events and ListStreams reconciliation), or ListStreams itself while reconciliation has not vouched for it.",
    args: {
      first: t.arg.int({ description: "Page size; default 20, at most 100." }),
      after: t.arg.string(),
      filter: t.arg({ type: StreamFilterInput }),
    },
    resolve: (_root, args, ctx) => streams(ctx, args),
  }),
}));

builder.mutationFields((t) => ({
  stopStream: t.field({
    type: ChannelRef,
    description:
      "Disconnects the encoder and returns the channel. Encoders often reconnect: delete the stream key first to stop for good.",
    args: { input: t.arg({ type: StopInput, required: true }) },
    authScopes: (_root, args) => ({ channel: args.input.channelArn }),
    errors: { types: MUTATION_ERRORS, directResult: true },
    resolve: (_root, args, ctx) => stopStream(ctx, args),
  }),
  putMetadata: t.field({
    type: ChannelRef,
    description: "Inserts timed metadata into the live stream and returns the channel.",
    args: { input: t.arg({ type: PutMetadataInput, required: true }) },
    authScopes: (_root, args) => ({ channel: args.input.channelArn }),
    errors: { types: MUTATION_ERRORS, directResult: true },
    resolve: (_root, args, ctx) => putMetadata(ctx, args),
  }),
}));
