import {
  batchStartViewerSessionRevocation,
  startViewerSessionRevocation,
  type ViewerSessionRevocation,
  type ViewerSessionRevocationFailure,
} from "../resolvers/viewer-session.ts";
import { builder } from "./builder.ts";
import { MUTATION_ERRORS } from "./errors.ts";

const Revocation = builder.objectRef<ViewerSessionRevocation>("ViewerSessionRevocation").implement({
  description:
    "A started revocation: the viewer's sessions on the channel with a version ≤ the given one end (asynchronously).",
  fields: (t) => ({
    channelArn: t.exposeString("channelArn"),
    viewerId: t.exposeString("viewerId"),
    viewerSessionVersionsLessThanOrEqualTo: t.exposeInt("viewerSessionVersionsLessThanOrEqualTo"),
  }),
});

const Failure = builder
  .objectRef<ViewerSessionRevocationFailure>("BatchStartViewerSessionRevocationError")
  .implement({
    description: "A batch entry IVS refused; `code` and `message` are IVS's own.",
    fields: (t) => ({
      channelArn: t.exposeString("channelArn"),
      viewerId: t.exposeString("viewerId"),
      code: t.exposeString("code", { nullable: true }),
      message: t.exposeString("message", { nullable: true }),
    }),
  });

const BatchResult = builder
  .objectRef<{ revocations: ViewerSessionRevocation[]; errors: ViewerSessionRevocationFailure[] }>(
    "BatchStartViewerSessionRevocationPayload",
  )
  .implement({
    fields: (t) => ({
      revocations: t.field({ type: [Revocation], resolve: (r) => r.revocations }),
      errors: t.field({ type: [Failure], resolve: (r) => r.errors }),
    }),
  });

const VIEWER_ID = "1–40 characters: the playback token's aws:viewer-id.";

const StartInput = builder.inputType("StartViewerSessionRevocationInput", {
  fields: (t) => ({
    channelArn: t.string({ required: true }),
    viewerId: t.string({ required: true, description: VIEWER_ID }),
    viewerSessionVersionsLessThanOrEqualTo: t.int({
      description: "Revoke sessions whose aws:viewer-session-version is at most this (≥ 0; default 0).",
    }),
  }),
});

const BatchSessionInput = builder.inputType("BatchStartViewerSessionRevocationViewerSessionInput", {
  fields: (t) => ({
    channelArn: t.string({ required: true }),
    viewerId: t.string({ required: true, description: VIEWER_ID }),
    viewerSessionVersionsLessThanOrEqualTo: t.int({ description: "≥ 0; default 0." }),
  }),
});

const BatchInput = builder.inputType("BatchStartViewerSessionRevocationInput", {
  fields: (t) => ({
    viewerSessions: t.field({ type: [BatchSessionInput], required: true, description: "1 to 20." }),
  }),
});

builder.mutationFields((t) => ({
  startViewerSessionRevocation: t.field({
    type: Revocation,
    args: { input: t.arg({ type: StartInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    // ivs:admin alone (not also ivs:write): revoking viewers is an operator's action, not an editor's.
    authScopes: (_root, args) => ({ "ivs:admin": true, channel: args.input.channelArn }),
    skipTypeScopes: true,
    resolve: (_root, args, ctx) => startViewerSessionRevocation(ctx, args),
  }),
  batchStartViewerSessionRevocation: t.field({
    type: BatchResult,
    description: "Entries IVS refuses are returned in `errors`; the others in `revocations`.",
    args: { input: t.arg({ type: BatchInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    authScopes: (_root, args) => ({
      "ivs:admin": true,
      channels: args.input.viewerSessions.map((s) => s.channelArn),
    }),
    skipTypeScopes: true,
    resolve: (_root, args, ctx) => batchStartViewerSessionRevocation(ctx, args),
  }),
}));
