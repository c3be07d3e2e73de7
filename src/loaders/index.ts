import type { IvsClient } from "@aws-sdk/client-ivs";
import { adConfigurationLoader } from "./ad-configuration.ts";
import { channelLoader } from "./channel.ts";
import { playbackKeyPairLoader } from "./playback-key-pair.ts";
import { playbackRestrictionPolicyLoader } from "./playback-restriction-policy.ts";
import { recordingConfigurationLoader } from "./recording-configuration.ts";
import { streamLoader } from "./stream.ts";
import { channelStreamKeysLoader, streamKeyLoader } from "./stream-key.ts";
import { streamSessionLoader } from "./stream-session.ts";

/** One set per GraphQL request, so that caching never crosses requests. */
export function createLoaders(ivs: IvsClient) {
  return {
    recordingConfiguration: recordingConfigurationLoader(ivs),
    playbackRestrictionPolicy: playbackRestrictionPolicyLoader(ivs),
    adConfiguration: adConfigurationLoader(ivs),
    playbackKeyPair: playbackKeyPairLoader(ivs),
    channel: channelLoader(ivs),
    streamKey: streamKeyLoader(ivs),
    channelStreamKeys: channelStreamKeysLoader(ivs),
    stream: streamLoader(ivs),
    streamSession: streamSessionLoader(ivs),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
