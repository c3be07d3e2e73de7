import DataLoader from "dataloader";
import { fromIvsError, isNotFound } from "../ivs/errors.ts";

/** An IVS failure as the gateway's own error (unknown ones unchanged), for a loader's result. */
export const asGatewayError = (error: unknown): Error => {
  const mapped = fromIvsError(error);
  return mapped instanceof Error ? mapped : new Error(String(mapped));
};

/**
 * A per-request loader over the mirror (src/mirror), which answers from what it holds and asks IVS
 * (batched across every request) for the rest; this one keeps a request's answers consistent and
 * deduplicated. A key `valid` refuses (an ARN IVS would reject) is null without a lookup. "Not found"
 * is null; any other failure fails its key only.
 */
export function mirrorLoader<T>(read: (key: string) => Promise<T | null>, valid?: (key: string) => boolean) {
  return new DataLoader<string, T | null>(
    (keys) =>
      Promise.all(
        keys.map(async (key) => {
          if (valid && !valid(key)) return null;
          try {
            return await read(key);
          } catch (error) {
            return isNotFound(error) ? null : asGatewayError(error);
          }
        }),
      ),
    // The mirror batches across requests already; waiting here for other keys would only add latency.
    { batch: false },
  );
}

/** A loader that deduplicates single lookups within a request; "not found" resolves to null. */
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
