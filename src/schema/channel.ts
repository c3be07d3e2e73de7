import {
  ChannelLatencyMode,
  ChannelType,
  ContainerFormat,
  MultitrackMaximumResolution,
  MultitrackPolicy,
  type MultitrackInputConfiguration as SdkMultitrack,
  type Srt as SdkSrt,
  TranscodePreset,
} from "@aws-sdk/client-ivs";
import { tagsAllow, withTenantTag } from "../auth/tenancy.ts";
import { tenancyScope } from "../auth/tenancy-scopes.ts";
import type { GatewayContext } from "../context.ts";
import { andThen } from "../loaders/memo.ts";
import {
  type ChannelShape,
  channel,
  channels,
  createChannel,
  deleteChannel,
  fullChannel,
  srtPassphrase,
  updateChannel,
} from "../resolvers/channel.ts";
import { liveStream } from "../resolvers/stream.ts";
import { channelStreamKeys } from "../resolvers/stream-key.ts";
import { channelSessions, streamSession } from "../resolvers/stream-session.ts";
import { builder } from "./builder.ts";
import { MUTATION_ERRORS } from "./errors.ts";
import {
  AdConfigurationRef,
  ChannelConnection,
  ChannelRef,
  PlaybackRestrictionPolicyRef,
  RecordingConfigurationRef,
  StreamKeyRef,
  StreamRef,
  StreamSessionConnection,
  StreamSessionRef,
} from "./refs.ts";
import { Tag, TagInput, tagList } from "./tag.ts";

// GraphQL enum values are IVS's values; the SDK's constants keep them in step with the client.
export const ChannelLatencyModeEnum = builder.enumType("ChannelLatencyMode", {
  values: Object.values(ChannelLatencyMode),
});
export const ChannelTypeEnum = builder.enumType("ChannelType", { values: Object.values(ChannelType) });
const TranscodePresetEnum = builder.enumType("TranscodePreset", {
  values: Object.values(TranscodePreset),
});
const ContainerFormatEnum = builder.enumType("ContainerFormat", {
  values: Object.values(ContainerFormat),
});
const MultitrackPolicyEnum = builder.enumType("MultitrackPolicy", {
  values: Object.values(MultitrackPolicy),
});
const MultitrackResolutionEnum = builder.enumType("MultitrackMaximumResolution", {
  values: Object.values(MultitrackMaximumResolution),
});

/** A channel's SRT settings, with the channel they belong to (the passphrase may have to be fetched). */
type SrtShape = SdkSrt & { channelArn: string };

const Srt = builder.objectRef<SrtShape>("Srt").implement({
  description: "SRT ingest: the endpoint and the passphrase encoders use with it.",
  fields: (t) => ({
    endpoint: t.string({ resolve: (s) => s.endpoint ?? "" }),
    passphrase: t.string({
      description: "A secret, like a stream key. Needs the ivs:secrets scope.",
      authScopes: { "ivs:secrets": true },
      resolve: (s, _args, ctx) => srtPassphrase(ctx, s),
    }),
  }),
});

const Multitrack = builder.objectRef<SdkMultitrack>("MultitrackInputConfiguration").implement({
  fields: (t) => ({
    enabled: t.boolean({ resolve: (m) => m.enabled ?? false }),
    policy: t.field({ type: MultitrackPolicyEnum, nullable: true, resolve: (m) => m.policy }),
    maximumResolution: t.field({
      type: MultitrackResolutionEnum,
      nullable: true,
      resolve: (m) => m.maximumResolution,
    }),
  }),
});

/** The configuration a channel names by ARN, through its loader; null when it names none (IVS sends ""). */
const linked = <T>(loader: { get(arn: string): T }, arn: string | undefined): T | null =>
  arn ? loader.get(arn) : null;

builder.node(ChannelRef, {
  description: "An IVS channel: where one broadcast at a time is ingested and played back.",
  // Wherever a channel turns up, a tenant principal sees it only if it carries the tenant's tag.
  authScopes: tenancyScope((c: ChannelShape, ctx: GatewayContext) => tagsAllow(ctx.principal, c.tags)),
  id: { resolve: (c) => c.arn as string },
  loadOne: (arn, ctx) => channel(ctx, { arn }),
  fields: (t) => ({
    arn: t.string({ resolve: (c) => c.arn as string }),
    name: t.string({ resolve: (c) => c.name ?? "" }),
    latencyMode: t.field({
      type: ChannelLatencyModeEnum,
      resolve: (c) => c.latencyMode ?? ChannelLatencyMode.LowLatency,
    }),
    type: t.field({ type: ChannelTypeEnum, resolve: (c) => c.type ?? ChannelType.StandardChannelType }),
    authorized: t.boolean({
      description: "Whether playback needs a signed token (a private channel).",
      resolve: (c) => c.authorized ?? false,
    }),
    insecureIngest: t.boolean({ resolve: (c) => c.insecureIngest ?? false }),
    preset: t.field({
      type: TranscodePresetEnum,
      nullable: true,
      description: "Null for BASIC and STANDARD channels, which have none.",
      resolve: (c) => c.preset || null,
    }),
    recordingConfigurationArn: t.string({
      nullable: true,
      description: "Null when recording is off.",
      resolve: (c) => c.recordingConfigurationArn || null,
    }),
    playbackRestrictionPolicyArn: t.string({
      nullable: true,
      resolve: (c) => c.playbackRestrictionPolicyArn || null,
    }),
    adConfigurationArn: t.string({ nullable: true, resolve: (c) => c.adConfigurationArn || null }),
    tags: t.field({ type: [Tag], resolve: (c) => tagList(c.tags) }),
    ingestEndpoint: t.string({
      description: "Host encoders connect to: rtmps://<ingestEndpoint>:443/app/",
      resolve: (c, _args, ctx) => andThen(fullChannel(ctx, c), (full) => full.ingestEndpoint ?? ""),
    }),
    playbackUrl: t.string({
      resolve: (c, _args, ctx) => andThen(fullChannel(ctx, c), (full) => full.playbackUrl ?? ""),
    }),
    srt: t.field({
      type: Srt,
      nullable: true,
      resolve: (c, _args, ctx) =>
        andThen(fullChannel(ctx, c), ({ srt }) => (srt ? { ...srt, channelArn: c.arn as string } : null)),
    }),
    multitrackInputConfiguration: t.field({
      type: Multitrack,
      resolve: (c, _args, ctx) =>
        andThen(fullChannel(ctx, c), (full) => full.multitrackInputConfiguration ?? {}),
    }),
    containerFormat: t.field({
      type: ContainerFormatEnum,
      resolve: (c, _args, ctx) =>
        andThen(fullChannel(ctx, c), (full) => full.containerFormat ?? ContainerFormat.TS),
    }),
    streamKeys: t.field({
      type: [StreamKeyRef],
      description: "IVS allows one key per channel; rotate with deleteStreamKey then createStreamKey.",
      resolve: (c, _args, ctx) => channelStreamKeys(ctx, c.arn as string),
    }),
    stream: t.field({
      type: StreamRef,
      nullable: true,
      description: "The live stream; null while the channel is offline.",
      resolve: (c, _args, ctx) => liveStream(ctx, c.arn as string),
    }),
    isLive: t.boolean({
      resolve: (c, _args, ctx) => andThen(liveStream(ctx, c.arn as string), (s) => s !== null),
    }),
    sessions: t.field({
      type: StreamSessionConnection,
      description: "The channel's current and past sessions.",
      args: {
        first: t.arg.int({ description: "Page size; default 20, at most 100." }),
        after: t.arg.string(),
      },
      resolve: (c, args, ctx) => channelSessions(ctx, c.arn as string, args),
    }),
    session: t.field({
      type: StreamSessionRef,
      nullable: true,
      description: "A session by stream id, or the most recent one without it; null when there is none.",
      args: { streamId: t.arg.string() },
      resolve: (c, args, ctx) => streamSession(ctx, { channelArn: c.arn as string, streamId: args.streamId }),
    }),
    recordingConfiguration: t.field({
      type: RecordingConfigurationRef,
      nullable: true,
      description: "Null when recording is off.",
      resolve: (c, _args, ctx) => linked(ctx.loaders.recordingConfiguration, c.recordingConfigurationArn),
    }),
    playbackRestrictionPolicy: t.field({
      type: PlaybackRestrictionPolicyRef,
      nullable: true,
      resolve: (c, _args, ctx) =>
        linked(ctx.loaders.playbackRestrictionPolicy, c.playbackRestrictionPolicyArn),
    }),
    adConfiguration: t.field({
      type: AdConfigurationRef,
      nullable: true,
      resolve: (c, _args, ctx) => linked(ctx.loaders.adConfiguration, c.adConfigurationArn),
    }),
  }),
});

const ChannelFilterInput = builder.inputType("ChannelFilter", {
  description: "IVS's ListChannels filters; give at most one.",
  fields: (t) => ({
    name: t.string({ description: "Channels with exactly this name." }),
    recordingConfigurationArn: t.string(),
    playbackRestrictionPolicyArn: t.string(),
    adConfigurationArn: t.string(),
  }),
});

const MultitrackInput = builder.inputType("MultitrackInputConfigurationInput", {
  fields: (t) => ({
    enabled: t.boolean({ required: true, description: "Only on STANDARD channels with FRAGMENTED_MP4." }),
    policy: t.field({ type: MultitrackPolicyEnum, description: "Required when enabled." }),
    maximumResolution: t.field({ type: MultitrackResolutionEnum, description: "Required when enabled." }),
  }),
});

export const CreateInput = builder.inputType("CreateChannelInput", {
  fields: (t) => ({
    name: t.string({ description: "0–128 of a-z A-Z 0-9 - _" }),
    latencyMode: t.field({ type: ChannelLatencyModeEnum, description: "Default LOW." }),
    type: t.field({ type: ChannelTypeEnum, description: "Default STANDARD." }),
    authorized: t.boolean({ description: "Default false." }),
    insecureIngest: t.boolean({ description: "Allow RTMP without TLS. Default false." }),
    preset: t.field({ type: TranscodePresetEnum, description: "ADVANCED_SD and ADVANCED_HD only." }),
    recordingConfigurationArn: t.string(),
    playbackRestrictionPolicyArn: t.string(),
    adConfigurationArn: t.string(),
    multitrackInputConfiguration: t.field({ type: MultitrackInput }),
    containerFormat: t.field({ type: ContainerFormatEnum, description: "Default TS." }),
    tags: t.field({ type: [TagInput] }),
  }),
});

export const UpdateInput = builder.inputType("UpdateChannelInput", {
  description: 'Members left out (or null) keep their value; "" for a configuration ARN detaches it.',
  fields: (t) => ({
    arn: t.string({ required: true }),
    name: t.string(),
    latencyMode: t.field({ type: ChannelLatencyModeEnum }),
    type: t.field({ type: ChannelTypeEnum }),
    authorized: t.boolean(),
    insecureIngest: t.boolean(),
    preset: t.field({ type: TranscodePresetEnum }),
    recordingConfigurationArn: t.string(),
    playbackRestrictionPolicyArn: t.string(),
    adConfigurationArn: t.string(),
    multitrackInputConfiguration: t.field({ type: MultitrackInput }),
    containerFormat: t.field({ type: ContainerFormatEnum }),
  }),
});

const DeleteInput = builder.inputType("DeleteChannelInput", {
  fields: (t) => ({ arn: t.string({ required: true }) }),
});

const Created = builder
  .objectRef<Awaited<ReturnType<typeof createChannel>>>("CreateChannelPayload")
  .implement({
    description: "The new channel and the stream key IVS created with it.",
    fields: (t) => ({
      channel: t.field({ type: ChannelRef, resolve: (p) => p.channel }),
      streamKey: t.field({ type: StreamKeyRef, resolve: (p) => p.streamKey }),
    }),
  });

const Deleted = builder.objectRef<{ arn: string }>("DeleteChannelPayload").implement({
  description: "The channel that was deleted, with its stream keys.",
  fields: (t) => ({
    deletedId: t.globalID({
      description:
        "Global id of the deleted node, for Relay's @deleteRecord (this payload is not that node).",
      resolve: (d) => ({ type: ChannelRef, id: d.arn }),
    }),
    arn: t.exposeString("arn"),
  }),
});

builder.queryFields((t) => ({
  channel: t.field({
    type: ChannelRef,
    nullable: true,
    description: "Null when no channel has this ARN.",
    args: { arn: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => channel(ctx, args),
  }),
  channels: t.field({
    type: ChannelConnection,
    args: {
      first: t.arg.int({ description: "Page size; default 20, at most 100." }),
      after: t.arg.string(),
      filter: t.arg({ type: ChannelFilterInput }),
    },
    resolve: (_root, args, ctx) => channels(ctx, args),
  }),
}));

builder.mutationFields((t) => ({
  createChannel: t.field({
    type: Created,
    args: { input: t.arg({ type: CreateInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    resolve: (_root, args, ctx) => createChannel(ctx, { input: withTenantTag(ctx.principal, args.input) }),
  }),
  updateChannel: t.field({
    type: ChannelRef,
    description: "Fails with ConflictError while the channel is live.",
    args: { input: t.arg({ type: UpdateInput, required: true }) },
    authScopes: (_root, args) => ({ channel: args.input.arn }),
    errors: { types: MUTATION_ERRORS, directResult: true },
    resolve: (_root, args, ctx) => updateChannel(ctx, args),
  }),
  deleteChannel: t.field({
    type: Deleted,
    description: "Fails with ConflictError while the channel is live: stopStream first.",
    args: { input: t.arg({ type: DeleteInput, required: true }) },
    authScopes: (_root, args) => ({ channel: args.input.arn }),
    errors: { types: MUTATION_ERRORS, directResult: true },
    resolve: (_root, args, ctx) => deleteChannel(ctx, args),
  }),
}));
