import type { IvsClient } from "@aws-sdk/client-ivs";
import type { IvsReads } from "../ivs/reads.ts";
import type { LiveHub } from "../subscriptions/live-hub.ts";
import { adConfigurationLoader } from "./ad-configuration.ts";
import { channelLoader } from "./channel.ts";
import { playbackKeyPairLoader } from "./playback-key-pair.ts";
import { playbackRestrictionPolicyLoader } from "./playback-restriction-policy.ts";
import { recordingConfigurationLoader } from "./recording-configuration.ts";
import { streamLoader } from "./stream.ts";
import { channelStreamKeysLoader, streamKeyLoader } from "./stream-key.ts";
import { streamSessionLoader } from "./stream-session.ts";

/**
 * One set per GraphQL request, over the process-wide `reads`: what is shared across requests (cache,
 * coalescing) lives there; a request's loaders keep its answers consistent from field to field.
 */
export function createLoaders(ivs: IvsClient, reads: IvsReads, live: LiveHub) {
  return {
    recordingConfiguration: recordingConfigurationLoader(reads),
    playbackRestrictionPolicy: playbackRestrictionPolicyLoader(reads),
    adConfiguration: adConfigurationLoader(reads),
    playbackKeyPair: playbackKeyPairLoader(reads),
    channel: channelLoader(reads),
    streamKey: streamKeyLoader(reads),
    channelStreamKeys: channelStreamKeysLoader(reads),
    stream: streamLoader(live, reads),
    streamSession: streamSessionLoader(ivs),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
