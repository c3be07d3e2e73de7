import {
  createPlaybackRestrictionPolicy,
  deletePlaybackRestrictionPolicy,
  playbackRestrictionPolicies,
  playbackRestrictionPolicy,
  playbackRestrictionPolicyChannels,
  updatePlaybackRestrictionPolicy,
} from "../resolvers/playback-restriction-policy.ts";
import { builder } from "./builder.ts";
import { MUTATION_ERRORS } from "./errors.ts";
import { ChannelConnection, PlaybackRestrictionPolicyRef } from "./refs.ts";
import { Tag, TagInput, tagList } from "./tag.ts";

builder.node(PlaybackRestrictionPolicyRef, {
  description: "Limits playback of the channels using it by viewer country and page origin.",
  id: { resolve: (p) => p.arn as string },
  loadOne: (arn, ctx) => playbackRestrictionPolicy(ctx, { arn }),
  fields: (t) => ({
    arn: t.string({ resolve: (p) => p.arn as string }),
    name: t.string({ resolve: (p) => p.name ?? "" }),
    allowedCountries: t.stringList({
      description: "ISO 3166-1 alpha-2 codes; empty means every country.",
      resolve: (p) => p.allowedCountries ?? [],
    }),
    allowedOrigins: t.stringList({
      description: "Origin header values; empty means every origin.",
      resolve: (p) => p.allowedOrigins ?? [],
    }),
    enableStrictOriginEnforcement: t.boolean({
      description: "Whether the origin is checked on every playback request, not only the first.",
      resolve: (p) => p.enableStrictOriginEnforcement ?? false,
    }),
    tags: t.field({ type: [Tag], resolve: (p) => tagList(p.tags) }),
    channels: t.field({
      type: ChannelConnection,
      description: "Channels this policy restricts.",
      args: {
        first: t.arg.int({ description: "Page size; default 20, at most 100." }),
        after: t.arg.string(),
      },
      resolve: (p, args, ctx) => playbackRestrictionPolicyChannels(ctx, p, args),
    }),
  }),
});

const PlaybackRestrictionPolicyConnection = builder.connectionObject(
  { type: PlaybackRestrictionPolicyRef, name: "PlaybackRestrictionPolicyConnection" },
  { name: "PlaybackRestrictionPolicyEdge" },
);

const CreateInput = builder.inputType("CreatePlaybackRestrictionPolicyInput", {
  fields: (t) => ({
    name: t.string({ description: "0–128 of a-z A-Z 0-9 - _" }),
    allowedCountries: t.stringList({ description: "Two-letter country codes; default [] (all)." }),
    allowedOrigins: t.stringList({ description: "Origins (≤ 128 characters each); default [] (all)." }),
    enableStrictOriginEnforcement: t.boolean({ description: "Default false." }),
    tags: t.field({ type: [TagInput] }),
  }),
});

const UpdateInput = builder.inputType("UpdatePlaybackRestrictionPolicyInput", {
  description: "Members left out (or null) keep their value; an empty list means all.",
  fields: (t) => ({
    arn: t.string({ required: true }),
    name: t.string(),
    allowedCountries: t.stringList(),
    allowedOrigins: t.stringList(),
    enableStrictOriginEnforcement: t.boolean(),
  }),
});

const DeleteInput = builder.inputType("DeletePlaybackRestrictionPolicyInput", {
  fields: (t) => ({ arn: t.string({ required: true }) }),
});

const Deleted = builder.objectRef<{ arn: string }>("DeletePlaybackRestrictionPolicyPayload").implement({
  description: "The playback restriction policy that was deleted.",
  fields: (t) => ({
    deletedId: t.globalID({
      description:
        "Global id of the deleted node, for Relay's @deleteRecord (this payload is not that node).",
      resolve: (d) => ({ type: PlaybackRestrictionPolicyRef, id: d.arn }),
    }),
    arn: t.exposeString("arn"),
  }),
});

builder.queryFields((t) => ({
  playbackRestrictionPolicy: t.field({
    type: PlaybackRestrictionPolicyRef,
    nullable: true,
    description: "Null when no playback restriction policy has this ARN.",
    args: { arn: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => playbackRestrictionPolicy(ctx, args),
  }),
  playbackRestrictionPolicies: t.field({
    type: PlaybackRestrictionPolicyConnection,
    args: {
      first: t.arg.int({ description: "Page size; default 20, at most 100." }),
      after: t.arg.string(),
    },
    resolve: (_root, args, ctx) => playbackRestrictionPolicies(ctx, args),
  }),
}));

builder.mutationFields((t) => ({
  createPlaybackRestrictionPolicy: t.field({
    type: PlaybackRestrictionPolicyRef,
    args: { input: t.arg({ type: CreateInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    // Shared by every tenant's channels: only a principal without a tenant may change it.
    authScopes: { allTenants: true },
    resolve: (_root, args, ctx) => createPlaybackRestrictionPolicy(ctx, args),
  }),
  updatePlaybackRestrictionPolicy: t.field({
    type: PlaybackRestrictionPolicyRef,
    args: { input: t.arg({ type: UpdateInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    // Shared by every tenant's channels: only a principal without a tenant may change it.
    authScopes: { allTenants: true },
    resolve: (_root, args, ctx) => updatePlaybackRestrictionPolicy(ctx, args),
  }),
  deletePlaybackRestrictionPolicy: t.field({
    type: Deleted,
    description: "Fails with ConflictError while a channel uses the policy.",
    args: { input: t.arg({ type: DeleteInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    // Shared by every tenant's channels: only a principal without a tenant may change it.
    authScopes: { allTenants: true },
    resolve: (_root, args, ctx) => deletePlaybackRestrictionPolicy(ctx, args),
  }),
}));
