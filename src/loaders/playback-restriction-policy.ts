import type { PlaybackRestrictionPolicy } from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { checkShape } from "../../model/validate.ts";
import type { IvsReads } from "../ivs/reads.ts";
import { lookupLoader } from "./batch.ts";

/** PlaybackRestrictionPolicy by ARN → GetPlaybackRestrictionPolicy, shared with concurrent requests (coalescing and cache). */
export function playbackRestrictionPolicyLoader(reads: IvsReads) {
  // An ARN IVS would reject names no policy: answer null without spending a request on it.
  return lookupLoader<PlaybackRestrictionPolicy>(
    reads.playbackRestrictionPolicy,
    (arn) => checkShape(MODEL, "GetPlaybackRestrictionPolicyRequest", { arn }).length === 0,
  );
}
