import type {
  ListTagsForResourceRequest,
  TagResourceRequest,
  UntagResourceRequest,
} from "@aws-sdk/client-ivs";
import { notFound, validation } from "../errors.ts";
import type { Tags } from "../state/types.ts";
import { type OperationContext, op } from "./context.ts";

/** Tags per resource, not adjustable (IVS service quotas). */
const MAX_TAGS = 50;

function tagged(ctx: OperationContext, arn: string): { tags: Tags } {
  const resource = ctx.store.taggable(arn);
  if (!resource) throw notFound(arn);
  return resource;
}

export const tagOperations = {
  TagResource: op<TagResourceRequest>((input, ctx) => {
    const resource = tagged(ctx, input.resourceArn as string);
    const merged = { ...resource.tags, ...input.tags };
    // The model caps one request at 50; the limit that matters is the resource's total after the merge.
    const count = Object.keys(merged).length;
    if (count > MAX_TAGS)
      throw validation(
        `tags: a resource can have at most ${MAX_TAGS} tags; this request would leave ${input.resourceArn} with ${count}`,
      );
    // A fresh object rather than an in-place edit: snapshots (e.g. a stream session's copy of its channel)
    // may share the old tags object and must keep the tags they had.
    resource.tags = merged;
    return {};
  }),

  UntagResource: op<UntagResourceRequest>((input, ctx) => {
    const resource = tagged(ctx, input.resourceArn as string);
    // Keys the resource does not have are ignored: removal is idempotent (the operation is @idempotent).
    const remaining = { ...resource.tags };
    for (const key of input.tagKeys ?? []) delete remaining[key];
    resource.tags = remaining;
    return {};
  }),

  ListTagsForResource: op<ListTagsForResourceRequest>((input, ctx) => ({
    tags: tagged(ctx, input.resourceArn as string).tags,
  })),
};
