import { tenancyScope } from "../auth/tenancy-scopes.ts";
import { andThen } from "../loaders/memo.ts";
import { channel } from "../resolvers/channel.ts";
import {
  createStreamKey,
  deleteStreamKey,
  fullStreamKey,
  type StreamKeyShape,
  streamKey,
} from "../resolvers/stream-key.ts";
import { builder } from "./builder.ts";
import { MUTATION_ERRORS } from "./errors.ts";
import { ChannelRef, StreamKeyRef } from "./refs.ts";
import { Tag, TagInput, tagList } from "./tag.ts";

/** A stream key; ListStreamKeys summaries lack `value`, which is fetched in batches when selected. */
builder.node(StreamKeyRef, {
  description: "The secret an encoder presents to broadcast to a channel.",
  authScopes: tenancyScope((k: StreamKeyShape) => ({ channel: k.channelArn as string })),
  id: { resolve: (k) => k.arn as string },
  loadOne: (arn, ctx) => streamKey(ctx, { arn }),
  fields: (t) => ({
    arn: t.string({ resolve: (k) => k.arn as string }),
    channelArn: t.string({ resolve: (k) => k.channelArn as string }),
    // A secret: the gateway never logs it (variables and results are not logged), and only ivs:secrets reads it.
    value: t.string({
      description:
        "The secret key value encoders use. Anyone holding it can broadcast to the channel. Needs the ivs:secrets scope.",
      authScopes: { "ivs:secrets": true },
      resolve: (k, _args, ctx) => andThen(fullStreamKey(ctx, k), (full) => full.value ?? ""),
    }),
    channel: t.field({
      type: ChannelRef,
      nullable: true,
      description: "Null only if the channel was deleted meanwhile.",
      resolve: (k, _args, ctx) => channel(ctx, { arn: k.channelArn as string }),
    }),
    tags: t.field({ type: [Tag], resolve: (k) => tagList(k.tags) }),
  }),
});

const CreateInput = builder.inputType("CreateStreamKeyInput", {
  fields: (t) => ({
    channelArn: t.string({ required: true }),
    tags: t.field({ type: [TagInput] }),
  }),
});

const DeleteInput = builder.inputType("DeleteStreamKeyInput", {
  fields: (t) => ({ arn: t.string({ required: true }) }),
});

const Deleted = builder.objectRef<{ arn: string }>("DeleteStreamKeyPayload").implement({
  description: "The stream key that was deleted; encoders can no longer start a stream with it.",
  fields: (t) => ({
    deletedId: t.globalID({
      description:
        "Global id of the deleted node, for Relay's @deleteRecord (this payload is not that node).",
      resolve: (d) => ({ type: StreamKeyRef, id: d.arn }),
    }),
    arn: t.exposeString("arn"),
  }),
});

builder.queryFields((t) => ({
  streamKey: t.field({
    type: StreamKeyRef,
    nullable: true,
    description: "Null when no stream key has this ARN.",
    args: { arn: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => streamKey(ctx, args),
  }),
}));

builder.mutationFields((t) => ({
  createStreamKey: t.field({
    type: StreamKeyRef,
    description: "QuotaExceededError while the channel has a key (IVS allows one): delete it first.",
    args: { input: t.arg({ type: CreateInput, required: true }) },
    authScopes: (_root, args) => ({ channel: args.input.channelArn }),
    errors: { types: MUTATION_ERRORS, directResult: true },
    resolve: (_root, args, ctx) => createStreamKey(ctx, args),
  }),
  deleteStreamKey: t.field({
    type: Deleted,
    description: "Stops new broadcasts with the key; to end a live one as well, also stopStream.",
    args: { input: t.arg({ type: DeleteInput, required: true }) },
    authScopes: (_root, args) => ({ streamKey: args.input.arn }),
    errors: { types: MUTATION_ERRORS, directResult: true },
    resolve: (_root, args, ctx) => deleteStreamKey(ctx, args),
  }),
}));
