import { hiddenAsNull } from "../auth/scope-auth.ts";
import { type ResourceTags, resourceTags, tagResource, untagResource } from "../resolvers/tags.ts";
import { builder } from "./builder.ts";
import { MUTATION_ERRORS } from "./errors.ts";
import { Tag, TagInput } from "./tag.ts";

const ResourceTagsRef = builder.objectRef<ResourceTags>("ResourceTags").implement({
  description: "A resource's ARN and all its tags after the change.",
  fields: (t) => ({
    arn: t.exposeString("arn"),
    tags: t.field({ type: [Tag], resolve: (r) => r.tags }),
  }),
});

const TagResourceInput = builder.inputType("TagResourceInput", {
  fields: (t) => ({
    arn: t.string({ required: true, description: "Any taggable IVS resource." }),
    tags: t.field({
      type: [TagInput],
      required: true,
      description: "Added, or overwriting the value of a key the resource has (50 tags per resource).",
    }),
  }),
});

const UntagResourceInput = builder.inputType("UntagResourceInput", {
  fields: (t) => ({
    arn: t.string({ required: true }),
    tagKeys: t.stringList({ required: true, description: "Keys the resource does not have are ignored." }),
  }),
});

builder.queryFields((t) => ({
  tags: t.field({
    type: [Tag],
    nullable: true,
    description: "The tags of any IVS resource by ARN; null when the ARN names no resource.",
    args: { arn: t.arg.string({ required: true }) },
    authScopes: (_root, args) => ({ resource: args.arn }),
    unauthorizedResolver: hiddenAsNull,
    resolve: (_root, args, ctx) => resourceTags(ctx, args),
  }),
}));

builder.mutationFields((t) => ({
  tagResource: t.field({
    type: ResourceTagsRef,
    args: { input: t.arg({ type: TagResourceInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    // Tenants tag their own channels and keys, but never move them to another tenant.
    authScopes: (_root, args) => ({
      tagChange: { arn: args.input.arn, keys: args.input.tags.map((tag) => tag.key) },
    }),
    resolve: (_root, args, ctx) => tagResource(ctx, args),
  }),
  untagResource: t.field({
    type: ResourceTagsRef,
    args: { input: t.arg({ type: UntagResourceInput, required: true }) },
    errors: { types: MUTATION_ERRORS, directResult: true },
    authScopes: (_root, args) => ({ tagChange: { arn: args.input.arn, keys: args.input.tagKeys } }),
    resolve: (_root, args, ctx) => untagResource(ctx, args),
  }),
}));
