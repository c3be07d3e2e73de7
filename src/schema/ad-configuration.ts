import {
  type AdBreak,
  adConfiguration,
  adConfigurationChannels,
  adConfigurations,
  createAdConfiguration,
  deleteAdConfiguration,
  insertAdBreak,
  updateAdConfiguration,
} from "../resolvers/ad-configuration.ts";
import { channel } from "../resolvers/channel.ts";
import { builder } from "./builder.ts";
import { MUTATION_ERRORS } from "./errors.ts";
import { AdConfigurationRef, ChannelConnection, ChannelRef } from "./refs.ts";
import { Tag, TagInput, tagList } from "./tag.ts";

const MediaTailorConfiguration = builder
  .objectRef<{ playbackConfigurationArn?: string }>("MediaTailorPlaybackConfiguration")
  .implement({
    fields: (t) => ({
      playbackConfigurationArn: t.string({ resolve: (c) => c.playbackConfigurationArn ?? "" }),
    }),
  });

const PostRoll = builder
  .objectRef<{ enabled?: boolean; durationSeconds?: number }>("PostRollConfiguration")
  .implement({
    description: "An ad break played when a broadcast ends.",
    fields: (t) => ({
      enabled: t.boolean({ resolve: (p) => p.enabled ?? false }),
      durationSeconds: t.int({ resolve: (p) => p.durationSeconds ?? 15 }),
    }),
  });

builder.node(AdConfigurationRef, {
  description: "Server-side ad insertion through AWS Elemental MediaTailor for the channels using it.",
  id: { resolve: (a) => a.arn as string },
  loadOne: (arn, ctx) => adConfiguration(ctx, { arn }),
  fields: (t) => ({
    arn: t.string({ resolve: (a) => a.arn as string }),
    name: t.string({ resolve: (a) => a.name ?? "" }),
    mediaTailorPlaybackConfigurations: t.field({
      type: [MediaTailorConfiguration],
      description: "One to three; the first is the default.",
      resolve: (a) => a.mediaTailorPlaybackConfigurations ?? [],
    }),
    // The service documents this default (disabled, 15 s) when the member is absent.
    postRollConfiguration: t.field({ type: PostRoll, resolve: (a) => a.postRollConfiguration ?? {} }),
    tags: t.field({ type: [Tag], resolve: (a) => tagList(a.tags) }),
    channels: t.field({
      type: ChannelConnection,
      description: "Channels inserting ads with this configuration.",
      args: {
        first: t.arg.int({ description: "Page size; default 20, at most 100." }),
        after: t.arg.string(),
      },
      resolve: (a, args, ctx) => adConfigurationChannels(ctx, a, args),
    }),
  }),
});

const AdConfigurationConnection = builder.connectionObject(
  { type: AdConfigurationRef, name: "AdConfigurationConnection" },
  { name: "AdConfigurationEdge" },
);

const MediaTailorInput = builder.inputType("MediaTailorPlaybackConfigurationInput", {
  fields: (t) => ({
    playbackConfigurationArn: t.string({
      required: true,
      description: "arn:aws:mediatailor:<region>:<account>:playbackConfiguration/<name>",
    }),
  }),
});

const PostRollInput = builder.inputType("PostRollConfigurationInput", {
  fields: (t) => ({
    enabled: t.boolean({ required: true }),
    durationSeconds: t.int({ required: true }),
  }),
});

const CreateInput = builder.inputType("CreateAdConfigurationInput", {
  fields: (t) => ({
    name: t.string({ description: "0–128 of a-z A-Z 0-9 - _" }),
    mediaTailorPlaybackConfigurations: t.field({
      type: [MediaTailorInput],
      required: true,
      description: "One to three; the first is the default.",
    }),
    postRollConfiguration: t.field({ type: PostRollInput, description: "Default disabled, 15 s." }),
    tags: t.field({ type: [TagInput] }),
  }),
});

const UpdateInput = builder.inputType("UpdateAdConfigurationInput", {
  description: "Members left out (or null) keep their value.",
  fields: (t) => ({
    arn: t.string({ required: true }),
    name: t.string(),
    mediaTailorPlaybackConfigurations: t.field({ type: [MediaTailorInput] }),
    postRollConfiguration: t.field({ type: PostRollInput }),
  }),
});

const DeleteInput = builder.inputType("DeleteAdConfigurationInput", {
  fields: (t) => ({ arn: t.string({ required: true }) }),
});

const InsertAdBreakInput = builder.inputType("InsertAdBreakInput", {
  fields: (t) => ({
    channelArn: t.string({ required: true }),
    durationSeconds: t.int({ required: true, description: "1–300." }),
  }),
});

const Deleted = builder.objectRef<{ arn: string }>("DeleteAdConfigurationPayload").implement({
  description: "The ad configuration that was deleted.",
  fields: (t) => ({
    deletedId: t.globalID({
      description:
        "Global id of the deleted node, for Relay's @deleteRecord (this payload is not that node).",
      resolve: (d) => ({ type: AdConfigurationRef, id: d.arn }),
    }),
    arn: t.exposeString("arn"),
  }),
});

export const AdBreakRef = builder.objectRef<AdBreak>("AdBreak").implement({
  description: "An ad break inserted into a live channel.",
  fields: (t) => ({
    adBreakId: t.exposeString("adBreakId"),
    channelArn: t.exposeString("channelArn"),
    durationSeconds: t.exposeInt("durationSeconds"),
    channel: t.field({
      type: ChannelRef,
      nullable: true,
      description: "The channel the break went into (null if it has been deleted since).",
      resolve: (b, _args, ctx) => channel(ctx, { arn: b.channelArn }),
    }),
  }),
});

builder.queryFields((t) => ({
  adConfiguration: t.field({
    type: AdConfigurationRef,
    nullable: true,
    description: "Null when no ad configuration has this ARN.",
    args: { arn: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => adConfiguration(ctx, args),
  }),
  adConfigurations: t.field({
    type: AdConfigurationConnection,
    args: {
      first: t.arg.int({ description: "Page size; default 20, at most 100." }),
      after: t.arg.string(),
    },
    resolve: (_root, args, ctx) => adConfigurations(ctx, args),
  }),
}));

builder.mutationFields((t) => ({
  createAdConfiguration: t.field({
    type: AdConfigurationRef,
    args: { input: t.arg({ type: CreateInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    // Shared by every tenant's channels: only a principal without a tenant may change it.
    authScopes: { allTenants: true },
    resolve: (_root, args, ctx) => createAdConfiguration(ctx, args),
  }),
  updateAdConfiguration: t.field({
    type: AdConfigurationRef,
    args: { input: t.arg({ type: UpdateInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    // Shared by every tenant's channels: only a principal without a tenant may change it.
    authScopes: { allTenants: true },
    resolve: (_root, args, ctx) => updateAdConfiguration(ctx, args),
  }),
  deleteAdConfiguration: t.field({
    type: Deleted,
    description: "Fails with ConflictError while a channel uses the configuration.",
    args: { input: t.arg({ type: DeleteInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    // Shared by every tenant's channels: only a principal without a tenant may change it.
    authScopes: { allTenants: true },
    resolve: (_root, args, ctx) => deleteAdConfiguration(ctx, args),
  }),
  insertAdBreak: t.field({
    type: AdBreakRef,
    description:
      "ChannelNotBroadcastingError when the channel is offline; ConflictError when it has no ad configuration.",
    args: { input: t.arg({ type: InsertAdBreakInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    authScopes: (_root, args) => ({ channel: args.input.channelArn }),
    resolve: (_root, args, ctx) => insertAdBreak(ctx, args),
  }),
}));
