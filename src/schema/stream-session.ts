import type {
  AudioConfiguration as SdkAudio,
  IngestConfiguration as SdkIngest,
  IngestConfigurations as SdkIngests,
  StreamEvent as SdkStreamEvent,
  VideoConfiguration as SdkVideo,
} from "@aws-sdk/client-ivs";
import { tenancyScope } from "../auth/tenancy-scopes.ts";
import {
  fullSession,
  type StreamSessionShape,
  sessionChannel,
  sessionNodeId,
  sessionRecordingConfiguration,
  streamSession,
  streamSessionByNodeId,
} from "../resolvers/stream-session.ts";
import { builder } from "./builder.ts";
import { ChannelRef, RecordingConfigurationRef, StreamSessionRef } from "./refs.ts";

const Video = builder.objectRef<SdkVideo>("VideoConfiguration").implement({
  description: "One video track as the encoder sent it.",
  fields: (t) => ({
    codec: t.string({ resolve: (v) => v.codec ?? "" }),
    encoder: t.string({ resolve: (v) => v.encoder ?? "" }),
    profile: t.string({ resolve: (v) => v.profile ?? "" }),
    level: t.string({ resolve: (v) => v.level ?? "" }),
    avcProfile: t.string({
      deprecationReason: "IVS fills it only in the deprecated single-track ingestConfiguration; use profile.",
      resolve: (v) => v.avcProfile ?? "",
    }),
    avcLevel: t.string({
      deprecationReason: "IVS fills it only in the deprecated single-track ingestConfiguration; use level.",
      resolve: (v) => v.avcLevel ?? "",
    }),
    targetBitrate: t.int({ description: "Bits per second.", resolve: (v) => v.targetBitrate ?? 0 }),
    targetFramerate: t.int({ resolve: (v) => v.targetFramerate ?? 0 }),
    videoWidth: t.int({ resolve: (v) => v.videoWidth ?? 0 }),
    videoHeight: t.int({ resolve: (v) => v.videoHeight ?? 0 }),
    track: t.string({ description: "Track0 when single-track.", resolve: (v) => v.track ?? "" }),
  }),
});

const Audio = builder.objectRef<SdkAudio>("AudioConfiguration").implement({
  fields: (t) => ({
    codec: t.string({ resolve: (a) => a.codec ?? "" }),
    targetBitrate: t.int({ resolve: (a) => a.targetBitrate ?? 0 }),
    sampleRate: t.int({ resolve: (a) => a.sampleRate ?? 0 }),
    channels: t.int({ resolve: (a) => a.channels ?? 0 }),
    track: t.string({ resolve: (a) => a.track ?? "" }),
  }),
});

const Ingest = builder.objectRef<SdkIngest>("IngestConfiguration").implement({
  fields: (t) => ({
    video: t.field({ type: Video, nullable: true, resolve: (i) => i.video }),
    audio: t.field({ type: Audio, nullable: true, resolve: (i) => i.audio }),
  }),
});

const Ingests = builder.objectRef<SdkIngests>("IngestConfigurations").implement({
  description: "Every track the encoder sent (several video tracks with multitrack input).",
  fields: (t) => ({
    videoConfigurations: t.field({ type: [Video], resolve: (i) => i.videoConfigurations ?? [] }),
    audioConfigurations: t.field({ type: [Audio], resolve: (i) => i.audioConfigurations ?? [] }),
  }),
});

const StreamEvent = builder.objectRef<SdkStreamEvent>("StreamEvent").implement({
  fields: (t) => ({
    name: t.string({ description: "e.g. Session Created, Stream Start.", resolve: (e) => e.name ?? "" }),
    type: t.string({ description: "The EventBridge detail-type.", resolve: (e) => e.type ?? "" }),
    eventTime: t.field({ type: "DateTime", resolve: (e) => e.eventTime as Date }),
    code: t.string({ nullable: true, description: "Why, for refusals.", resolve: (e) => e.code }),
  }),
});

/** A broadcast session; list pages carry summaries, upgraded through GetStreamSession when needed. */
builder.node(StreamSessionRef, {
  description: "One broadcast on a channel, from encoder connect to disconnect (live or past).",
  authScopes: tenancyScope((s: StreamSessionShape) => ({ channel: s.channelArn })),
  id: { resolve: (s) => sessionNodeId(s) },
  loadOne: (id, ctx) => streamSessionByNodeId(ctx, id),
  fields: (t) => ({
    channelArn: t.exposeString("channelArn"),
    streamId: t.exposeString("streamId"),
    startTime: t.field({
      type: "DateTime",
      resolve: async (s, _args, ctx) => s.startTime ?? ((await fullSession(ctx, s)).startTime as Date),
    }),
    endTime: t.field({
      type: "DateTime",
      nullable: true,
      description: "Null while the session is live.",
      resolve: (s) => s.endTime,
    }),
    hasErrorEvent: t.boolean({
      nullable: true,
      description:
        "Whether the session hit a limit breach or failure. IVS reports it only in session lists: null elsewhere.",
      resolve: (s) => s.hasErrorEvent,
    }),
    channel: t.field({
      type: ChannelRef,
      description: "The channel as configured when the session went live (IVS's snapshot).",
      resolve: (s, _args, ctx) => sessionChannel(ctx, s),
    }),
    ingestConfiguration: t.field({
      type: Ingest,
      nullable: true,
      deprecationReason: "Single-track only; use ingestConfigurations.",
      resolve: async (s, _args, ctx) => (await fullSession(ctx, s)).ingestConfiguration,
    }),
    ingestConfigurations: t.field({
      type: Ingests,
      resolve: async (s, _args, ctx) =>
        (await fullSession(ctx, s)).ingestConfigurations ?? {
          videoConfigurations: [],
          audioConfigurations: [],
        },
    }),
    recordingConfiguration: t.field({
      type: RecordingConfigurationRef,
      nullable: true,
      description: "The configuration recorded with, as it was when the session went live.",
      resolve: (s, _args, ctx) => sessionRecordingConfiguration(ctx, s),
    }),
    truncatedEvents: t.field({
      type: [StreamEvent],
      description: "The session's latest events (at most 500), newest first.",
      resolve: async (s, _args, ctx) => (await fullSession(ctx, s)).truncatedEvents ?? [],
    }),
  }),
});

builder.queryFields((t) => ({
  streamSession: t.field({
    type: StreamSessionRef,
    nullable: true,
    description: "A channel's session by stream id, or its most recent one; null when there is none.",
    args: { channelArn: t.arg.string({ required: true }), streamId: t.arg.string() },
    resolve: (_root, args, ctx) => streamSession(ctx, args),
  }),
}));
