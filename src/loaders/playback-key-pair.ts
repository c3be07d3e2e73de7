import type { PlaybackKeyPair } from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { checkShape } from "../../model/validate.ts";
import type { IvsReads } from "../ivs/reads.ts";
import { lookupLoader } from "./batch.ts";

/** PlaybackKeyPair by ARN → GetPlaybackKeyPair, shared with concurrent requests (coalescing and cache). */
export function playbackKeyPairLoader(reads: IvsReads) {
  // An ARN IVS would reject names no key pair: answer null without spending a request on it.
  return lookupLoader<PlaybackKeyPair>(
    reads.playbackKeyPair,
    (arn) => checkShape(MODEL, "GetPlaybackKeyPairRequest", { arn }).length === 0,
  );
}
