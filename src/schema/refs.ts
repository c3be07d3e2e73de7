import type { AdConfiguration, PlaybackRestrictionPolicy } from "@aws-sdk/client-ivs";
import type { ChannelShape } from "../resolvers/channel.ts";
import type { PlaybackKeyPairShape } from "../resolvers/playback-key-pair.ts";
import type { RecordingConfigurationShape } from "../resolvers/recording-configuration.ts";
import type { StreamShape } from "../resolvers/stream.ts";
import type { StreamKeyShape } from "../resolvers/stream-key.ts";
import type { StreamSessionShape } from "../resolvers/stream-session.ts";
import { builder } from "./builder.ts";

/**
 * The resource types that lead to one another (a channel to its keys and sessions, each back to its channel,
 * a configuration to its channels), declared apart from their fields. Each type's file implements its ref
 * with all of its fields and imports the others from here, so no type file imports another.
 */

/** A channel; list pages carry summaries, upgraded through the loader only by fields that need it. */
export const ChannelRef = builder.objectRef<ChannelShape>("Channel");
export const StreamKeyRef = builder.objectRef<StreamKeyShape>("StreamKey");
export const StreamRef = builder.objectRef<StreamShape>("Stream");
export const StreamSessionRef = builder.objectRef<StreamSessionShape>("StreamSession");
/** A recording configuration; list pages carry summaries, upgraded on demand (see `fullRecordingConfiguration`). */
export const RecordingConfigurationRef =
  builder.objectRef<RecordingConfigurationShape>("RecordingConfiguration");
export const PlaybackRestrictionPolicyRef =
  builder.objectRef<PlaybackRestrictionPolicy>("PlaybackRestrictionPolicy");
export const AdConfigurationRef = builder.objectRef<AdConfiguration>("AdConfiguration");
export const PlaybackKeyPairRef = builder.objectRef<PlaybackKeyPairShape>("PlaybackKeyPair");

export const ChannelConnection = builder.connectionObject(
  { type: ChannelRef, name: "ChannelConnection" },
  { name: "ChannelEdge" },
);

export const StreamSessionConnection = builder.connectionObject(
  { type: StreamSessionRef, name: "StreamSessionConnection" },
  { name: "StreamSessionEdge" },
);
