import { builder } from "./builder.ts";

export interface TagShape {
  key: string;
  value: string;
}

/** IVS tags are a string map; GraphQL gets them as a list of pairs. */
export const Tag = builder.objectRef<TagShape>("Tag").implement({
  description: "A resource tag (at most 50 per resource; key 1–128, value 0–256 characters).",
  fields: (t) => ({
    key: t.exposeString("key"),
    value: t.exposeString("value"),
  }),
});

export const TagInput = builder.inputType("TagInput", {
  fields: (t) => ({
    key: t.string({ required: true }),
    value: t.string({ required: true }),
  }),
});

export function tagList(tags: Record<string, string> | undefined): TagShape[] {
  return Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));
}

export function tagMap(tags: readonly TagShape[] | null | undefined): Record<string, string> | undefined {
  return tags ? Object.fromEntries(tags.map((t) => [t.key, t.value])) : undefined;
}
