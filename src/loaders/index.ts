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
 * field to field. Each is made when the request first uses it (most requests use two or three).
 */
export class Loaders {
  private made: Partial<Record<string, unknown>> = {};

  constructor(
    private readonly mirror: Mirror,
    private readonly live: LiveHub,
    private readonly liveStreams: LiveStreams,
  ) {}

  private once<T>(name: string, make: () => T): T {
    let loader = this.made[name] as T | undefined;
    if (loader === undefined) {
      loader = make();
      this.made[name] = loader;
    }
    return loader;
  }

  get recordingConfiguration() {
    return this.once("recordingConfiguration", () => recordingConfigurationLoader(this.mirror));
  }
  get playbackRestrictionPolicy() {
    return this.once("playbackRestrictionPolicy", () => playbackRestrictionPolicyLoader(this.mirror));
  }
  get adConfiguration() {
    return this.once("adConfiguration", () => adConfigurationLoader(this.mirror));
  }
  get playbackKeyPair() {
    return this.once("playbackKeyPair", () => playbackKeyPairLoader(this.mirror));
  }
  get channel() {
    return this.once("channel", () => channelLoader(this.mirror));
  }
  get channelSecret() {
    return this.once("channelSecret", () => channelSecretLoader(this.mirror));
  }
  get streamKey() {
    return this.once("streamKey", () => streamKeyLoader(this.mirror));
  }
  get streamKeyValue() {
    return this.once("streamKeyValue", () => streamKeyValueLoader(this.mirror));
  }
  get channelStreamKeys() {
    return this.once("channelStreamKeys", () => channelStreamKeysLoader(this.mirror));
  }
  get stream() {
    return this.once("stream", () => streamLoader(this.live, this.liveStreams));
  }
  get streamSession() {
    return this.once("streamSession", () => streamSessionLoader(this.mirror));
  }
}

export function createLoaders(mirror: Mirror, live: LiveHub, liveStreams: LiveStreams): Loaders {
  return new Loaders(mirror, live, liveStreams);
}
