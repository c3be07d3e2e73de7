import DataLoader from "dataloader";
import type { Lookup } from "../ivs/coalesce.ts";
import { fromIvsError, isNotFound } from "../ivs/errors.ts";

/** An IVS failure as the gateway's own error (unknown ones unchanged), for a loader's result. */
export const asGatewayError = (error: unknown): Error => {
  const mapped = fromIvsError(error);
  return mapped instanceof Error ? mapped : new Error(String(mapped));
};

/**
 * A per-request loader over a process-wide lookup (src/ivs/reads.ts), which batches, caches and
 * coalesces across requests; this one keeps a request's answers consistent and deduplicated. A key
 * `valid` refuses (an ARN IVS would reject) is null without a lookup: in a batch, one malformed ARN
 * would fail every key. "Not found" is null; any other failure fails its keys only.
 */
export function lookupLoader<T>(lookup: Lookup<T>, valid?: (key: string) => boolean) {
  return new DataLoader<string, T | null>(async (keys) => {
    const asked = valid ? keys.filter(valid) : [...keys];
    const found = await lookup.loadMany(asked);
    const byKey = new Map(asked.map((key, i) => [key, found[i]]));
    return keys.map((key) => {
      const result = byKey.get(key) ?? null;
      if (!(result instanceof Error)) return result;
      return isNotFound(result) ? null : asGatewayError(result);
    });
  });
}

/**
 * A loader that deduplicates single-resource lookups within a request, for lookups not shared
 * across requests; "not found" resolves to null.
 */
export function singleLoader<K, T>(get: (key: K) => Promise<T | undefined>, cacheKey?: (key: K) => string) {
  return new DataLoader<K, T | null, string>(
    (keys) =>
      Promise.all(
        keys.map(async (key) => {
          try {
            return (await get(key)) ?? null;
          } catch (error) {
            if (isNotFound(error)) return null;
            return asGatewayError(error);
          }
        }),
      ),
    { batch: false, cacheKeyFn: cacheKey ?? ((k) => String(k)) },
  );
}
