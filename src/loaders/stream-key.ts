import type { StreamKey, StreamKeySummary } from "@aws-sdk/client-ivs";
import DataLoader from "dataloader";
import { isNotFound } from "../ivs/errors.ts";
import type { IvsReads } from "../ivs/reads.ts";
import { asGatewayError, lookupLoader } from "./batch.ts";

/** StreamKey by ARN → BatchGetStreamKey (≤ 50 ARNs a call), shared with concurrent requests. */
export function streamKeyLoader(reads: IvsReads) {
  return lookupLoader<StreamKey>(reads.streamKey);
}

/**
 * A channel's key summaries by channel ARN → ListStreamKeys (every page). IVS has no batch call for
 * it; the loader exists so that the lists of all channels on a page settle together, and the key
 * values they lead to are then fetched in shared BatchGetStreamKey calls instead of one call each.
 * An unknown channel has no keys.
 */
export function channelStreamKeysLoader(reads: IvsReads) {
  return new DataLoader<string, StreamKeySummary[]>(async (channelArns) => {
    const found = await reads.channelStreamKeys.loadMany(channelArns);
    return found.map((keys) => {
      if (!(keys instanceof Error)) return keys ?? [];
      return isNotFound(keys) ? [] : asGatewayError(keys);
    });
  });
}
