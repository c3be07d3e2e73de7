import type { PlaybackKeyPair } from "@aws-sdk/client-ivs";
import { violations } from "../ivs/validate.ts";
import type { Mirror } from "../mirror/mirror.ts";
import { mirrorLoader } from "./batch.ts";

/** Full key pairs (with fingerprints) by ARN from the mirror; what it lacks comes from GetPlaybackKeyPair. */
export function playbackKeyPairLoader(mirror: Mirror) {
  // An ARN IVS would reject names no key pair: answer null without spending a request on it.
  return mirrorLoader<PlaybackKeyPair>(
    (arn) => mirror.full("playback-key-pair", arn) as Promise<PlaybackKeyPair | null>,
    (arn) => violations("GetPlaybackKeyPairRequest", { arn }).length === 0,
    (arn) => mirror.heldFull("playback-key-pair", arn) as PlaybackKeyPair | null | undefined,
  );
}
