import type { Channel } from "@aws-sdk/client-ivs";
import type { Mirror } from "../mirror/mirror.ts";
import { mirrorLoader } from "./batch.ts";

/** Full channels by ARN from the mirror; what it lacks comes from shared BatchGetChannel calls (≤ 50 ARNs). */
export function channelLoader(mirror: Mirror) {
  return mirrorLoader<Channel>(
    (arn) => mirror.full("channel", arn) as Promise<Channel | null>,
    undefined,
    (arn) => mirror.heldFull("channel", arn) as Channel | null | undefined,
  );
}

/** Full channels with their SRT passphrase, which the mirror may not hold (a source that could not see it). */
export function channelSecretLoader(mirror: Mirror) {
  return mirrorLoader<Channel>(
    (arn) => mirror.withSecret("channel", arn) as Promise<Channel | null>,
    undefined,
    (arn) => mirror.heldWithSecret("channel", arn) as Channel | undefined,
  );
}
