import type { PlaybackRestrictionPolicy } from "@aws-sdk/client-ivs";
import { violations } from "../ivs/validate.ts";
import type { Mirror } from "../mirror/mirror.ts";
import { mirrorLoader } from "./batch.ts";

/** Policies by ARN from the mirror; what it lacks comes from GetPlaybackRestrictionPolicy. */
export function playbackRestrictionPolicyLoader(mirror: Mirror) {
  // An ARN IVS would reject names no policy: answer null without spending a request on it.
  return mirrorLoader<PlaybackRestrictionPolicy>(
    (arn) => mirror.full("playback-restriction-policy", arn) as Promise<PlaybackRestrictionPolicy | null>,
    (arn) => violations("GetPlaybackRestrictionPolicyRequest", { arn }).length === 0,
    (arn) =>
      mirror.heldFull("playback-restriction-policy", arn) as PlaybackRestrictionPolicy | null | undefined,
  );
}
