import {
  CreateStreamKeyCommand,
  DeleteStreamKeyCommand,
  type StreamKey,
  type StreamKeySummary,
} from "@aws-sdk/client-ivs";
import { channelAllowed } from "../auth/tenancy.ts";
import type { GatewayContext } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import { callIvs } from "../ivs/errors.ts";
import { validateIvsInput, violations } from "../ivs/validate.ts";
import { andThen, type MaybePromise } from "../loaders/memo.ts";
import type { TagShape } from "../schema/tag.ts";
import { tagsRequest } from "./tags.ts";

/** What the StreamKey type resolves from: a full key (with its secret value), or a ListStreamKeys summary. */
export type StreamKeyShape = StreamKey | StreamKeySummary;

/**
 * The full key behind `k`: itself, or for a summary its BatchGetStreamKey copy, batched with every other
 * summary's in the request (≤ 50 ARNs a call).
 */
export function fullStreamKey(ctx: GatewayContext, k: StreamKeyShape): MaybePromise<StreamKey> {
  if ((k as StreamKey).value !== undefined) return k as StreamKey;
  return andThen(ctx.loaders.streamKeyValue.get(k.arn as string), (full) => {
    if (!full) throw new NotFoundError(`Stream key ${k.arn} no longer exists`, k.arn);
    return full;
  });
}

/** A stream key by ARN, or null; a malformed ARN never reaches (and so never fails) a batch. */
export async function streamKey(ctx: GatewayContext, args: { arn: string }): Promise<StreamKeyShape | null> {
  if (violations("GetStreamKeyRequest", { arn: args.arn }).length > 0) return null;
  const found = await ctx.loaders.streamKey.load(args.arn);
  // Another tenant's key reads as missing, like its channel.
  return found && (await channelAllowed(ctx, found.channelArn as string)) ? found : null;
}

/**
 * A channel's stream keys (every page of ListStreamKeys). IVS allows one key per channel, so this is a
 * list rather than a connection.
 */
export function channelStreamKeys(ctx: GatewayContext, channelArn: string): MaybePromise<StreamKeySummary[]> {
  return ctx.loaders.channelStreamKeys.get(channelArn);
}

/** Creates a channel's key; IVS allows one per channel, so this follows a deleteStreamKey (rotation). */
export async function createStreamKey(
  ctx: GatewayContext,
  { input }: { input: { channelArn: string; tags?: readonly TagShape[] | null } },
): Promise<StreamKey> {
  const request = { channelArn: input.channelArn, tags: tagsRequest(input.tags) };
  validateIvsInput("CreateStreamKeyRequest", request);
  const out = await callIvs(() => ctx.ivs.send(new CreateStreamKeyCommand(request)));
  const created = out.streamKey as StreamKey;
  ctx.loaders.streamKeyValue.prime(created.arn as string, created);
  ctx.loaders.channelStreamKeys.clear(input.channelArn);
  // IVS allows one key per channel: the channel's list is now exactly this key.
  ctx.mirror.keyed(input.channelArn, [created], out);
  return created;
}

export async function deleteStreamKey(
  ctx: GatewayContext,
  { input }: { input: { arn: string } },
): Promise<{ arn: string }> {
  validateIvsInput("DeleteStreamKeyRequest", { arn: input.arn });
  const out = await callIvs(() => ctx.ivs.send(new DeleteStreamKeyCommand({ arn: input.arn })));
  ctx.mirror.removed("stream-key", input.arn, out);
  ctx.loaders.streamKey.clear(input.arn);
  ctx.loaders.streamKeyValue.clear(input.arn);
  // Which channel's list held the key is unknown here; later fields of this request list afresh.
  ctx.loaders.channelStreamKeys.clearAll();
  return { arn: input.arn };
}
