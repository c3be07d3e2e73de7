import { ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand } from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { checkShape } from "../../model/validate.ts";
import type { GatewayContext } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { callIvs, isNotFound } from "../ivs/errors.ts";
import { validateIvsInput } from "../ivs/validate.ts";
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
function validateTagRequest(shape: string, request: object): void {
  try {
    validateIvsInput(shape, request);
  } catch (error) {
    if (error instanceof ValidationError && error.field?.startsWith("input.resourceArn"))
      throw new ValidationError(error.message.replaceAll("input.resourceArn", "input.arn"), "input.arn");
    throw error;
  }
}

/**
 * Tags are part of every resource's data, so a loaded or cached copy is stale once they change; a stream
 * key's tags are also in its channel's key list.
 */
async function forget(ctx: GatewayContext, arn: string): Promise<void> {
  await ctx.reads.changed(arn);
  const {
    channel,
    streamKey,
    recordingConfiguration,
    playbackKeyPair,
    playbackRestrictionPolicy,
    adConfiguration,
  } = ctx.loaders;
  for (const loader of [
    channel,
    streamKey,
    recordingConfiguration,
    playbackKeyPair,
    playbackRestrictionPolicy,
    adConfiguration,
  ])
    loader.clear(arn);
}

async function listTags(ctx: GatewayContext, arn: string): Promise<TagShape[]> {
  const out = await callIvs(() => ctx.ivs.send(new ListTagsForResourceCommand({ resourceArn: arn })));
  return tagList(out.tags);
}

/** `tags(arn)`: the tags of any taggable resource, or null when the ARN names nothing. */
export async function resourceTags(ctx: GatewayContext, args: { arn: string }): Promise<TagShape[] | null> {
  // An ARN IVS would reject names no resource: null, without a request.
  if (checkShape(MODEL, "ListTagsForResourceRequest", { resourceArn: args.arn }).length > 0) return null;
  try {
    return await listTags(ctx, args.arn);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
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
  await callIvs(() => ctx.ivs.send(new TagResourceCommand(request)));
  await forget(ctx, input.arn);
  return { arn: input.arn, tags: await listTags(ctx, input.arn) };
}

/** Removes tags by key (keys the resource lacks are ignored) and returns what is left. */
export async function untagResource(
  ctx: GatewayContext,
  { input }: { input: { arn: string; tagKeys: readonly string[] } },
): Promise<ResourceTags> {
  const request = { resourceArn: input.arn, tagKeys: [...input.tagKeys] };
  validateTagRequest("UntagResourceRequest", request);
  await callIvs(() => ctx.ivs.send(new UntagResourceCommand(request)));
  await forget(ctx, input.arn);
  return { arn: input.arn, tags: await listTags(ctx, input.arn) };
}
