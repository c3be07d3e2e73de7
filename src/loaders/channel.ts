import type { Channel } from "@aws-sdk/client-ivs";
import type { IvsReads } from "../ivs/reads.ts";
import { lookupLoader } from "./batch.ts";

/** Channel by ARN → BatchGetChannel (≤ 50 ARNs a call), shared with concurrent requests. */
export function channelLoader(reads: IvsReads) {
  return lookupLoader<Channel>(reads.channel);
}
