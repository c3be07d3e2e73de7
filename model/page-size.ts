import type { ServiceModel } from "./types.ts";

/**
 * The largest `maxResults` a List operation's request accepts, as the model states it (its
 * `maxResults` member's range), so that page sizes follow the model instead of a literal per resolver.
 * Throws for a request without a bounded `maxResults`: a page size there would be a guess.
 */
export function pageSizeMax(model: ServiceModel, request: string): number {
  const member = model.shapes[request]?.members?.maxResults;
  const max = member ? model.shapes[member.shape]?.max : undefined;
  if (max === undefined) throw new Error(`pageSizeMax: ${request} has no bounded maxResults in the model`);
  return max;
}
