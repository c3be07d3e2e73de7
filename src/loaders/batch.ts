import DataLoader from "dataloader";
import { fromIvsError, isNotFound } from "../ivs/errors.ts";

/** IVS batch calls take at most 50 ARNs. */
export const IVS_BATCH_LIMIT = 50;

/**
 * A loader over an IVS Batch* call: keys are ARNs, at most 50 per call; an ARN the batch reports in
 * `errors` (or omits) resolves to null for that key only; a failure of the whole call fails every key.
 */
export function batchArnLoader<T extends { arn?: string }>(
  fetch: (arns: string[]) => Promise<{ items: T[] }>,
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(
    async (arns) => {
      try {
        const { items } = await fetch([...arns]);
        const byArn = new Map(items.map((item) => [item.arn, item]));
        return arns.map((arn) => byArn.get(arn) ?? null);
      } catch (error) {
        const mapped = fromIvsError(error);
        return arns.map(() => (mapped instanceof Error ? mapped : new Error(String(mapped))));
      }
    },
    { maxBatchSize: IVS_BATCH_LIMIT },
  );
}

/**
 * A loader that deduplicates single-resource lookups within a request (IVS has no batch call for
 * them); "not found" resolves to null.
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
            const mapped = fromIvsError(error);
            return mapped instanceof Error ? mapped : new Error(String(mapped));
          }
        }),
      ),
    { batch: false, cacheKeyFn: cacheKey ?? ((k) => String(k)) },
  );
}
