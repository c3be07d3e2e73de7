import type { Mirror } from "../mirror/mirror.ts";
import type { LiveHub } from "../subscriptions/live-hub.ts";
import { adConfigurationLoader } from "./ad-configuration.ts";
import { channelLoader, channelSecretLoader } from "./channel.ts";
import { playbackKeyPairLoader } from "./playback-key-pair.ts";
import { playbackRestrictionPolicyLoader } from "./playback-restriction-policy.ts";
import { recordingConfigurationLoader } from "./recording-configuration.ts";
import { type LiveStreams, streamLoader } from "./stream.ts";
import { channelStreamKeysLoader, streamKeyLoader, streamKeyValueLoader } from "./stream-key.ts";
import { streamSessionLoader } from "./stream-session.ts";

/**
 * One set per GraphQL request, over the process-wide mirror: what is shared across requests (the
 * mirror, its batched lookups) lives there; a request's loaders keep its answers consistent from
 * field to field.
 */
export function createLoaders(mirror: Mirror, live: LiveHub, liveStreams: LiveStreams) {
  return {
    recordingConfiguration: recordingConfigurationLoader(mirror),
    playbackRestrictionPolicy: playbackRestrictionPolicyLoader(mirror),
    adConfiguration: adConfigurationLoader(mirror),
    playbackKeyPair: playbackKeyPairLoader(mirror),
    channel: channelLoader(mirror),
    channelSecret: channelSecretLoader(mirror),
    streamKey: streamKeyLoader(mirror),
    streamKeyValue: streamKeyValueLoader(mirror),
    channelStreamKeys: channelStreamKeysLoader(mirror),
    stream: streamLoader(live, liveStreams),
    streamSession: streamSessionLoader(mirror),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
