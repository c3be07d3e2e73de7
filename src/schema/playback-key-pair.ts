import {
  deletePlaybackKeyPair,
  importPlaybackKeyPair,
  playbackKeyPair,
  playbackKeyPairFingerprint,
  playbackKeyPairs,
} from "../resolvers/playback-key-pair.ts";
import { builder } from "./builder.ts";
import { MUTATION_ERRORS } from "./errors.ts";
import { PlaybackKeyPairRef } from "./refs.ts";
import { Tag, TagInput, tagList } from "./tag.ts";

/** A playback key pair; list pages carry summaries without the fingerprint, loaded when selected. */
builder.node(PlaybackKeyPairRef, {
  description:
    "The public half of a key pair whose private half signs playback tokens of private channels (at most 3).",
  id: { resolve: (p) => p.arn as string },
  loadOne: (arn, ctx) => playbackKeyPair(ctx, { arn }),
  fields: (t) => ({
    arn: t.string({ resolve: (p) => p.arn as string }),
    name: t.string({ resolve: (p) => p.name ?? "" }),
    fingerprint: t.string({
      nullable: true,
      description: "Identifies the public key (16 colon-separated hex bytes).",
      resolve: (p, _args, ctx) => playbackKeyPairFingerprint(ctx, p),
    }),
    tags: t.field({ type: [Tag], resolve: (p) => tagList(p.tags) }),
  }),
});

const PlaybackKeyPairConnection = builder.connectionObject(
  { type: PlaybackKeyPairRef, name: "PlaybackKeyPairConnection" },
  { name: "PlaybackKeyPairEdge" },
);

const ImportInput = builder.inputType("ImportPlaybackKeyPairInput", {
  fields: (t) => ({
    publicKeyMaterial: t.string({ required: true, description: "PEM public key, ECDSA P-384." }),
    name: t.string({ description: "0–128 of a-z A-Z 0-9 - _" }),
    tags: t.field({ type: [TagInput] }),
  }),
});

const DeleteInput = builder.inputType("DeletePlaybackKeyPairInput", {
  fields: (t) => ({ arn: t.string({ required: true }) }),
});

const Deleted = builder.objectRef<{ arn: string }>("DeletePlaybackKeyPairPayload").implement({
  description: "The playback key pair that was deleted; tokens signed with it no longer start playback.",
  fields: (t) => ({
    deletedId: t.globalID({
      description:
        "Global id of the deleted node, for Relay's @deleteRecord (this payload is not that node).",
      resolve: (d) => ({ type: PlaybackKeyPairRef, id: d.arn }),
    }),
    arn: t.exposeString("arn"),
  }),
});

builder.queryFields((t) => ({
  playbackKeyPair: t.field({
    type: PlaybackKeyPairRef,
    nullable: true,
    description: "Null when no playback key pair has this ARN.",
    args: { arn: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => playbackKeyPair(ctx, args),
  }),
  playbackKeyPairs: t.field({
    type: PlaybackKeyPairConnection,
    args: {
      first: t.arg.int({ description: "Page size; default 20, at most 100." }),
      after: t.arg.string(),
    },
    resolve: (_root, args, ctx) => playbackKeyPairs(ctx, args),
  }),
}));

builder.mutationFields((t) => ({
  importPlaybackKeyPair: t.field({
    type: PlaybackKeyPairRef,
    description: "ConflictError when the key was already imported; QuotaExceededError past 3 key pairs.",
    args: { input: t.arg({ type: ImportInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    // Account-wide: any key pair verifies tokens of every channel.
    authScopes: { "ivs:admin": true, allTenants: true },
    skipTypeScopes: true,
    resolve: (_root, args, ctx) => importPlaybackKeyPair(ctx, args),
  }),
  deletePlaybackKeyPair: t.field({
    type: Deleted,
    args: { input: t.arg({ type: DeleteInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    // Account-wide: any key pair verifies tokens of every channel.
    authScopes: { "ivs:admin": true, allTenants: true },
    skipTypeScopes: true,
    resolve: (_root, args, ctx) => deletePlaybackKeyPair(ctx, args),
  }),
}));
