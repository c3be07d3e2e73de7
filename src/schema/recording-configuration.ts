import {
  RecordingConfigurationState,
  RecordingMode,
  RenditionConfigurationRendition,
  RenditionConfigurationRenditionSelection,
  type RenditionConfiguration as SdkRenditionConfiguration,
  type ThumbnailConfiguration as SdkThumbnailConfiguration,
  ThumbnailConfigurationResolution,
  ThumbnailConfigurationStorage,
} from "@aws-sdk/client-ivs";
import {
  createRecordingConfiguration,
  deleteRecordingConfiguration,
  fullRecordingConfiguration,
  recordingConfiguration,
  recordingConfigurationChannels,
  recordingConfigurations,
} from "../resolvers/recording-configuration.ts";
import { builder } from "./builder.ts";
import { MUTATION_ERRORS } from "./errors.ts";
import { ChannelConnection, RecordingConfigurationRef } from "./refs.ts";
import { Tag, TagInput, tagList } from "./tag.ts";

// GraphQL enum values are IVS's values; the SDK's constants keep them in step with the client.
const StateEnum = builder.enumType("RecordingConfigurationState", {
  values: Object.values(RecordingConfigurationState),
});
const RecordingModeEnum = builder.enumType("RecordingMode", { values: Object.values(RecordingMode) });
const ResolutionEnum = builder.enumType("ThumbnailConfigurationResolution", {
  values: Object.values(ThumbnailConfigurationResolution),
});
const StorageEnum = builder.enumType("ThumbnailConfigurationStorage", {
  values: Object.values(ThumbnailConfigurationStorage),
});
const SelectionEnum = builder.enumType("RenditionConfigurationRenditionSelection", {
  values: Object.values(RenditionConfigurationRenditionSelection),
});
const RenditionEnum = builder.enumType("RenditionConfigurationRendition", {
  values: Object.values(RenditionConfigurationRendition),
});

const S3Destination = builder.objectRef<{ bucketName?: string }>("S3DestinationConfiguration").implement({
  fields: (t) => ({ bucketName: t.string({ resolve: (s) => s.bucketName ?? "" }) }),
});

const Destination = builder
  .objectRef<{ s3?: { bucketName?: string } }>("DestinationConfiguration")
  .implement({
    description: "Where recordings are written. IVS defines one kind of destination today: S3.",
    fields: (t) => ({ s3: t.field({ type: S3Destination, nullable: true, resolve: (d) => d.s3 }) }),
  });

const Thumbnails = builder.objectRef<SdkThumbnailConfiguration>("ThumbnailConfiguration").implement({
  fields: (t) => ({
    recordingMode: t.field({ type: RecordingModeEnum, nullable: true, resolve: (c) => c.recordingMode }),
    targetIntervalSeconds: t.int({ nullable: true, resolve: (c) => c.targetIntervalSeconds }),
    resolution: t.field({
      type: ResolutionEnum,
      nullable: true,
      description: "Null means the source resolution.",
      resolve: (c) => c.resolution,
    }),
    storage: t.field({ type: [StorageEnum], resolve: (c) => c.storage ?? [] }),
  }),
});

const Renditions = builder.objectRef<SdkRenditionConfiguration>("RenditionConfiguration").implement({
  fields: (t) => ({
    renditionSelection: t.field({
      type: SelectionEnum,
      nullable: true,
      resolve: (c) => c.renditionSelection,
    }),
    renditions: t.field({ type: [RenditionEnum], resolve: (c) => c.renditions ?? [] }),
  }),
});

builder.node(RecordingConfigurationRef, {
  description: "Where and how a channel's streams are recorded (only an ACTIVE configuration records).",
  id: { resolve: (rc) => rc.arn as string },
  loadOne: (arn, ctx) => recordingConfiguration(ctx, { arn }),
  fields: (t) => ({
    arn: t.string({ resolve: (rc) => rc.arn as string }),
    name: t.string({ resolve: (rc) => rc.name ?? "" }),
    state: t.field({ type: StateEnum, resolve: (rc) => rc.state as RecordingConfigurationState }),
    destinationConfiguration: t.field({
      type: Destination,
      resolve: (rc) => rc.destinationConfiguration ?? {},
    }),
    tags: t.field({ type: [Tag], resolve: (rc) => tagList(rc.tags) }),
    thumbnailConfiguration: t.field({
      type: Thumbnails,
      nullable: true,
      resolve: async (rc, _args, ctx) => (await fullRecordingConfiguration(ctx, rc)).thumbnailConfiguration,
    }),
    recordingReconnectWindowSeconds: t.int({
      description: "Seconds a broadcast may be interrupted and still be recorded as one (0 = merging off).",
      resolve: async (rc, _args, ctx) =>
        (await fullRecordingConfiguration(ctx, rc)).recordingReconnectWindowSeconds ?? 0,
    }),
    renditionConfiguration: t.field({
      type: Renditions,
      nullable: true,
      resolve: async (rc, _args, ctx) => (await fullRecordingConfiguration(ctx, rc)).renditionConfiguration,
    }),
    channels: t.field({
      type: ChannelConnection,
      description: "Channels that record with this configuration.",
      args: {
        first: t.arg.int({ description: "Page size; default 20, at most 100." }),
        after: t.arg.string(),
      },
      resolve: (rc, args, ctx) => recordingConfigurationChannels(ctx, rc, args),
    }),
  }),
});

const RecordingConfigurationConnection = builder.connectionObject(
  { type: RecordingConfigurationRef, name: "RecordingConfigurationConnection" },
  { name: "RecordingConfigurationEdge" },
);

const S3DestinationInput = builder.inputType("S3DestinationConfigurationInput", {
  fields: (t) => ({ bucketName: t.string({ required: true, description: "3–63 of a-z 0-9 . -" }) }),
});

const DestinationInput = builder.inputType("DestinationConfigurationInput", {
  fields: (t) => ({ s3: t.field({ type: S3DestinationInput, required: true }) }),
});

const ThumbnailsInput = builder.inputType("ThumbnailConfigurationInput", {
  fields: (t) => ({
    recordingMode: t.field({ type: RecordingModeEnum, description: "Default INTERVAL." }),
    targetIntervalSeconds: t.int({ description: "1–60; default 60." }),
    resolution: t.field({ type: ResolutionEnum, description: "Default: the source resolution." }),
    storage: t.field({ type: [StorageEnum], description: "Default [SEQUENTIAL]." }),
  }),
});

const RenditionsInput = builder.inputType("RenditionConfigurationInput", {
  fields: (t) => ({
    renditionSelection: t.field({ type: SelectionEnum, description: "Default ALL." }),
    renditions: t.field({ type: [RenditionEnum], description: "Required (non-empty) with CUSTOM." }),
  }),
});

const CreateInput = builder.inputType("CreateRecordingConfigurationInput", {
  fields: (t) => ({
    name: t.string({ description: "0–128 of a-z A-Z 0-9 - _" }),
    destinationConfiguration: t.field({ type: DestinationInput, required: true }),
    thumbnailConfiguration: t.field({ type: ThumbnailsInput }),
    recordingReconnectWindowSeconds: t.int({ description: "0–300; default 0." }),
    renditionConfiguration: t.field({ type: RenditionsInput }),
    tags: t.field({ type: [TagInput] }),
  }),
});

const DeleteInput = builder.inputType("DeleteRecordingConfigurationInput", {
  fields: (t) => ({ arn: t.string({ required: true }) }),
});

const Deleted = builder.objectRef<{ arn: string }>("DeleteRecordingConfigurationPayload").implement({
  description: "The recording configuration that was deleted.",
  fields: (t) => ({
    deletedId: t.globalID({
      description:
        "Global id of the deleted node, for Relay's @deleteRecord (this payload is not that node).",
      resolve: (d) => ({ type: RecordingConfigurationRef, id: d.arn }),
    }),
    arn: t.exposeString("arn"),
  }),
});

builder.queryFields((t) => ({
  recordingConfiguration: t.field({
    type: RecordingConfigurationRef,
    nullable: true,
    description: "Null when no recording configuration has this ARN.",
    args: { arn: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => recordingConfiguration(ctx, args),
  }),
  recordingConfigurations: t.field({
    type: RecordingConfigurationConnection,
    args: {
      first: t.arg.int({ description: "Page size; default 20, at most 100." }),
      after: t.arg.string(),
    },
    resolve: (_root, args, ctx) => recordingConfigurations(ctx, args),
  }),
}));

builder.mutationFields((t) => ({
  createRecordingConfiguration: t.field({
    type: RecordingConfigurationRef,
    description: "Creates a configuration; it is CREATING at first and records once ACTIVE.",
    args: { input: t.arg({ type: CreateInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    // Shared by every tenant's channels: only a principal without a tenant may change it.
    authScopes: { allTenants: true },
    resolve: (_root, args, ctx) => createRecordingConfiguration(ctx, args),
  }),
  deleteRecordingConfiguration: t.field({
    type: Deleted,
    description: "Fails with ConflictError while a channel uses the configuration.",
    args: { input: t.arg({ type: DeleteInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    // Shared by every tenant's channels: only a principal without a tenant may change it.
    authScopes: { allTenants: true },
    resolve: (_root, args, ctx) => deleteRecordingConfiguration(ctx, args),
  }),
}));
