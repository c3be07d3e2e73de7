import type { LiveHub } from "../live/live-hub.ts";
import type { Mirror } from "../mirror/mirror.ts";
import { adConfigurationLoader } from "./ad-configuration.ts";
import { channelLoader, channelSecretLoader } from "./channel.ts";
import { playbackKeyPairLoader } from "./playback-key-pair.ts";
import { playbackRestrictionPolicyLoader } from "./playback-restriction-policy.ts";
import { recordingConfigurationLoader } from "./recording-configuration.ts";
import { type LiveStreams, streamLoader } from "./stream.ts";
import { channelStreamKeysLoader, streamKeyLoader, streamKeyValueLoader } from "./stream-key.ts";
import { streamSessionLoader } from "./stream-session.ts";

/** What a request's loaders are made from: the process-wide mirror and live state. */
interface Sources {
  mirror: Mirror;
  live: LiveHub;
  liveStreams: LiveStreams;
}

/** Each loader of a request, by the name resolvers use, and how it is made. */
const MAKE = {
  recordingConfiguration: (s: Sources) => recordingConfigurationLoader(s.mirror),
  playbackRestrictionPolicy: (s: Sources) => playbackRestrictionPolicyLoader(s.mirror),
  adConfiguration: (s: Sources) => adConfigurationLoader(s.mirror),
  playbackKeyPair: (s: Sources) => playbackKeyPairLoader(s.mirror),
  channel: (s: Sources) => channelLoader(s.mirror),
  channelSecret: (s: Sources) => channelSecretLoader(s.mirror),
  streamKey: (s: Sources) => streamKeyLoader(s.mirror),
  streamKeyValue: (s: Sources) => streamKeyValueLoader(s.mirror),
  channelStreamKeys: (s: Sources) => channelStreamKeysLoader(s.mirror),
  stream: (s: Sources) => streamLoader(s.live, s.liveStreams),
  streamSession: (s: Sources) => streamSessionLoader(s.mirror),
};

/**
 * One set per GraphQL request, over the process-wide mirror: what is shared across requests (the
 * mirror, its batched lookups) lives there; a request's loaders keep its answers consistent from
 * field to field. Each is made when the request first uses it (most requests use two or three).
 */
export type Loaders = { readonly [N in keyof typeof MAKE]: ReturnType<(typeof MAKE)[N]> };

/** The loaders' holder: one getter per name on its prototype, each making its loader once. */
class LazyLoaders {
  readonly made: Partial<Record<string, unknown>> = {};
  constructor(readonly sources: Sources) {}
}
for (const [name, make] of Object.entries(MAKE) as [string, (s: Sources) => unknown][])
  Object.defineProperty(LazyLoaders.prototype, name, {
    get(this: LazyLoaders) {
      this.made[name] ??= make(this.sources);
      return this.made[name];
    },
  });

export function createLoaders(mirror: Mirror, live: LiveHub, liveStreams: LiveStreams): Loaders {
  return new LazyLoaders({ mirror, live, liveStreams }) as unknown as Loaders;
}
