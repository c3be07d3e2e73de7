import { adConfigurationOperations } from "./ad-configuration.ts";
import { channelOperations } from "./channel.ts";
import type { Handler } from "./context.ts";
import { playbackKeyPairOperations } from "./playback-key-pair.ts";
import { playbackRestrictionPolicyOperations } from "./playback-restriction-policy.ts";
import { recordingConfigurationOperations } from "./recording-configuration.ts";
import { streamOperations } from "./stream.ts";
import { streamKeyOperations } from "./stream-key.ts";
import { streamSessionOperations } from "./stream-session.ts";
import { tagOperations } from "./tags.ts";
import { viewerSessionOperations } from "./viewer-session.ts";

/** Every IVS operation the emulator serves, by operation name. */
export const OPERATIONS: Record<string, Handler> = {
  ...channelOperations,
  ...streamKeyOperations,
  ...recordingConfigurationOperations,
  ...playbackKeyPairOperations,
  ...playbackRestrictionPolicyOperations,
  ...adConfigurationOperations,
  ...tagOperations,
  ...viewerSessionOperations,
  ...streamOperations,
  ...streamSessionOperations,
};
