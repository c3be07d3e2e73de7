import type { StreamKey, StreamKeySummary } from "@aws-sdk/client-ivs";
import type { Mirror } from "../mirror/mirror.ts";
import { asGatewayError, mirrorLoader } from "./batch.ts";
import { MemoLoader } from "./memo.ts";

/** Stream keys by ARN from the mirror (a summary when the value is not held). */
export function streamKeyLoader(mirror: Mirror) {
  return mirrorLoader<StreamKeySummary>(
    (arn) => mirror.resource("stream-key", arn) as Promise<StreamKeySummary | null>,
    undefined,
    (arn) => mirror.heldResource("stream-key", arn) as StreamKeySummary | undefined,
  );
}

/** Stream keys with their secret value: from the mirror, or shared BatchGetStreamKey calls (≤ 50 ARNs). */
export function streamKeyValueLoader(mirror: Mirror) {
  return mirrorLoader<StreamKey>(
    (arn) => mirror.withSecret("stream-key", arn) as Promise<StreamKey | null>,
    undefined,
    (arn) => mirror.heldWithSecret("stream-key", arn) as StreamKey | undefined,
  );
}

/**
 * A channel's key summaries by channel ARN, from the mirror; a channel whose key list is not mirrored
 * yet is listed from IVS (ListStreamKeys has no batch form). An unknown channel has no keys.
 */
export function channelStreamKeysLoader(mirror: Mirror) {
  return new MemoLoader<string, StreamKeySummary[]>({
    read: (arn) =>
      (mirror.keysOf(arn) as Promise<StreamKeySummary[]>).catch((error: unknown) => {
        throw asGatewayError(error);
      }),
    peek: (arn) => mirror.heldKeysOf(arn) as StreamKeySummary[] | undefined,
  });
}
