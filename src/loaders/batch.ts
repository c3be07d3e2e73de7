import { fromIvsError, isNotFound } from "../ivs/errors.ts";
import { MemoLoader } from "./memo.ts";

/** An IVS failure as the gateway's own error (unknown ones unchanged), for a loader's result. */
export const asGatewayError = (error: unknown): Error => {
  const mapped = fromIvsError(error);
  return mapped instanceof Error ? mapped : new Error(String(mapped));
};

/**
 * A per-request loader over the mirror (src/mirror), which answers from what it holds and asks IVS
 * (batched across every request) for the rest; this one keeps a request's answers consistent and
 * deduplicated. A key `valid` refuses (an ARN IVS would reject) is null without a lookup. "Not found"
 * is null; any other failure fails its key only. `held` gives what the mirror holds at once (its `held*` reads),
 * so that `get` answers without a promise.
 */
export function mirrorLoader<T>(
  read: (key: string) => Promise<T | null>,
  valid?: (key: string) => boolean,
  held?: (key: string) => T | null | undefined,
) {
  return new MemoLoader<string, T | null>({
    // The mirror batches across requests already; waiting here for other keys would only add latency.
    read: async (key) => {
      if (valid && !valid(key)) return null;
      try {
        return await read(key);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw asGatewayError(error);
      }
    },
    peek: (key) => {
      if (valid && !valid(key)) return null;
      return held?.(key);
    },
  });
}

/** A loader that deduplicates single lookups within a request; "not found" resolves to null. */
export function singleLoader<K, T>(get: (key: K) => Promise<T | undefined>, cacheKey?: (key: K) => string) {
  return new MemoLoader<K, T | null>({
    read: async (key) => {
      try {
        return (await get(key)) ?? null;
      } catch (error) {
        if (isNotFound(error)) return null;
        throw asGatewayError(error);
      }
    },
    ...(cacheKey ? { cacheKey } : {}),
  });
}
