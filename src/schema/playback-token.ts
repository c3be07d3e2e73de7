import { createPlaybackToken, type IssuedPlaybackToken } from "../resolvers/playback-token.ts";
import { builder } from "./builder.ts";
import { MUTATION_ERRORS } from "./errors.ts";

const MaximumResolution = builder.enumType("PlaybackMaximumResolution", {
  description: "aws:maximum-resolution: renditions above it are filtered out of the playlist.",
  values: ["SD", "HD", "FULL_HD"] as const,
});

const PlaybackTokenRef = builder.objectRef<IssuedPlaybackToken>("PlaybackToken").implement({
  description:
    "A signed ES384 token that lets a viewer start playback of a private channel (authorized: true). A secret for its lifetime.",
  fields: (t) => ({
    token: t.exposeString("token", { description: "Append as ?token= to the channel's playback URL." }),
    expiresAt: t.field({
      type: "DateTime",
      description: "Playback must start before then; IVS does not re-check it during a session.",
      resolve: (p) => p.expiresAt,
    }),
    channelArn: t.exposeString("channelArn"),
    playbackUrl: t.exposeString("playbackUrl", { description: "The channel's playback URL with the token." }),
    singleUseId: t.exposeString("singleUseId", {
      nullable: true,
      description: "aws:single-use-uuid, if single-use.",
    }),
  }),
});

const CreateInput = builder.inputType("CreatePlaybackTokenInput", {
  fields: (t) => ({
    channelArn: t.string({ required: true }),
    viewerId: t.string({
      description:
        "aws:viewer-id, 1–40 characters, no personal data; needed to revoke the viewer. Caps the lifetime at 600 s.",
    }),
    origins: t.stringList({
      description:
        "aws:access-control-allow-origin: scheme://host[:port], host may start with *. (≤ 5 when strict).",
    }),
    strictOriginEnforcement: t.boolean({
      description: "Check the Origin on every playback request. Default false.",
    }),
    singleUse: t.boolean({
      description: "Valid for one playback start (aws:single-use-uuid). Caps the lifetime at 600 s.",
    }),
    viewerSessionVersion: t.int({
      description: "aws:viewer-session-version (≥ 0), compared by revocation; needs viewerId.",
    }),
    maximumResolution: t.field({ type: MaximumResolution }),
    expiresInSeconds: t.int({
      description: "Default 600; at most 600 with viewerId or singleUse (IVS's bound), otherwise 86400.",
    }),
  }),
});

builder.mutationFields((t) => ({
  createPlaybackToken: t.field({
    type: PlaybackTokenRef,
    description:
      "Signs a playback token with PLAYBACK_PRIVATE_KEY for a channel you can see. Import the matching public key once with importPlaybackKeyPair.",
    args: { input: t.arg({ type: CreateInput, required: true }) },
    // ivs:write (the Mutation type's scope): a token lets someone watch a private channel, more than reading it.
    authScopes: (_root, args) => ({ channel: args.input.channelArn }),
    errors: { types: MUTATION_ERRORS, directResult: true },
    resolve: (_root, args, ctx) => createPlaybackToken(ctx, args),
  }),
}));
