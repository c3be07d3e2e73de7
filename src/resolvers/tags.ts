import { ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand } from "@aws-sdk/client-ivs";
import type { ShapeName } from "../../model/ivs-model.generated.ts";
import type { GatewayContext } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { callIvs, fromIvsError, isNotFound } from "../ivs/errors.ts";
import { validateIvsInput, violations } from "../ivs/validate.ts";
import { kindOfArn } from "../mirror/changes.ts";
import { type TagShape, tagList, tagMap } from "../schema/tag.ts";

/** A resource's ARN and the tags it has after a tag mutation. */
export interface ResourceTags {
  arn: string;
  tags: TagShape[];
}

/**
 * GraphQL tag list → IVS tag map. Two entries with one key would silently collapse into one in the
 * map, so that is refused, naming the second entry.
 */
export function tagsRequest(
  tags: readonly TagShape[] | null | undefined,
  field = "input.tags",
): Record<string, string> | undefined {
  if (!tags) return undefined;
  const seen = new Set<string>();
  for (const [i, tag] of tags.entries()) {
    if (seen.has(tag.key))
      throw new ValidationError(`Tag key '${tag.key}' appears more than once`, `${field}[${i}].key`);
    seen.add(tag.key);
  }
  return tagMap(tags);
}

/** The tag operations call the ARN `resourceArn`; the GraphQL inputs call it `arn`, so errors must too. */
function validateTagRequest(shape: ShapeName, request: object): void {
  try {
    validateIvsInput(shape, request);
  } catch (error) {
    if (error instanceof ValidationError && error.field?.startsWith("input.resourceArn"))
      throw new ValidationError(error.message.replaceAll("input.resourceArn", "input.arn"), "input.arn");
    throw error;
  }
}

/**
 * Tags are part of every resource's data: the mirror takes the tags IVS reports after the change, and
 * copies this request loaded earlier are dropped.
 */
function retagged(
  ctx: GatewayContext,
  arn: string,
  tags: Record<string, string>,
  at: number,
  answer: { $metadata?: { requestId?: string } },
): void {
  const kind = kindOfArn(arn);
  if (kind) ctx.mirror.record({ op: "tags", kind, arn, at, replace: tags }, answer);
  const {
    channel,
    channelSecret,
    streamKey,
    streamKeyValue,
    recordingConfiguration,
    playbackKeyPair,
    playbackRestrictionPolicy,
    adConfiguration,
  } = ctx.loaders;
  for (const loader of [
    channel,
    channelSecret,
    streamKey,
    streamKeyValue,
    recordingConfiguration,
    playbackKeyPair,
    playbackRestrictionPolicy,
    adConfiguration,
  ])
    loader.clear(arn);
  if (kind === "stream-key") ctx.loaders.channelStreamKeys.clearAll();
}

/**
 * The tags IVS has for `arn` now (one ListTagsForResource), recorded into the mirror as the outcome
 * of the tag change IVS answered with `change`.
 */
async function readBack(
  ctx: GatewayContext,
  arn: string,
  change: { $metadata?: { requestId?: string } },
): Promise<ResourceTags> {
  const at = Date.now();
  const out = await callIvs(() => ctx.ivs.send(new ListTagsForResourceCommand({ resourceArn: arn })));
  retagged(ctx, arn, out.tags ?? {}, at, change);
  return { arn, tags: tagList(out.tags) };
}

/** `tags(arn)`: the tags of any taggable resource, or null when the ARN names nothing. */
export async function resourceTags(ctx: GatewayContext, args: { arn: string }): Promise<TagShape[] | null> {
  // An ARN IVS would reject names no resource: null, without a request.
  if (violations("ListTagsForResourceRequest", { resourceArn: args.arn }).length > 0) return null;
  try {
    const tags = await ctx.mirror.tags(kindOfArn(args.arn), args.arn);
    return tags ? tagList(tags) : null;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw fromIvsError(error);
  }
}

/**
 * Adds or overwrites tags. IVS answers TagResource with nothing, so the resulting tags are read back
 * (one ListTagsForResource) rather than guessed from a merge with tags the gateway never saw.
 */
export async function tagResource(
  ctx: GatewayContext,
  { input }: { input: { arn: string; tags: readonly TagShape[] } },
): Promise<ResourceTags> {
  const request = { resourceArn: input.arn, tags: tagsRequest(input.tags) ?? {} };
  validateTagRequest("TagResourceRequest", request);
  const out = await callIvs(() => ctx.ivs.send(new TagResourceCommand(request)));
  return readBack(ctx, input.arn, out);
}

/** Removes tags by key (keys the resource lacks are ignored) and returns what is left. */
export async function untagResource(
  ctx: GatewayContext,
  { input }: { input: { arn: string; tagKeys: readonly string[] } },
): Promise<ResourceTags> {
  const request = { resourceArn: input.arn, tagKeys: [...input.tagKeys] };
  validateTagRequest("UntagResourceRequest", request);
  const out = await callIvs(() => ctx.ivs.send(new UntagResourceCommand(request)));
  return readBack(ctx, input.arn, out);
}
