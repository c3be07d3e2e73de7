/** Stored resources, in the API's own shapes (timestamps as RFC 3339 strings). */
export type Tags = Record<string, string>;

export interface Channel {
  arn: string;
  name: string;
  latencyMode: "NORMAL" | "LOW";
  type: "BASIC" | "STANDARD" | "ADVANCED_SD" | "ADVANCED_HD";
  recordingConfigurationArn: string;
  ingestEndpoint: string;
  playbackUrl: string;
  authorized: boolean;
  tags: Tags;
  insecureIngest: boolean;
  preset: "" | "HIGHER_BANDWIDTH_DELIVERY" | "CONSTRAINED_BANDWIDTH_DELIVERY";
  srt: { endpoint: string; passphrase: string };
  playbackRestrictionPolicyArn: string;
  multitrackInputConfiguration: {
    enabled: boolean;
    policy: "ALLOW" | "REQUIRE";
    maximumResolution: "SD" | "HD" | "FULL_HD";
  };
  containerFormat: "TS" | "FRAGMENTED_MP4";
  adConfigurationArn: string;
}

export interface StreamKey {
  arn: string;
  value: string;
  channelArn: string;
  tags: Tags;
}

export interface RecordingConfiguration {
  arn: string;
  name: string;
  destinationConfiguration: { s3?: { bucketName: string } };
  state: "CREATING" | "CREATE_FAILED" | "ACTIVE";
  tags: Tags;
  thumbnailConfiguration: {
    recordingMode: "DISABLED" | "INTERVAL";
    targetIntervalSeconds: number;
    resolution?: string;
    storage: string[];
  };
  recordingReconnectWindowSeconds: number;
  renditionConfiguration: { renditionSelection: "ALL" | "NONE" | "CUSTOM"; renditions: string[] };
  /** Internal: when the configuration becomes ACTIVE (epoch ms). */
  activeAt?: number;
}

export interface PlaybackKeyPair {
  arn: string;
  name: string;
  fingerprint: string;
  tags: Tags;
  /** Internal: the imported PEM, kept to detect duplicate imports. Never returned. */
  publicKeyMaterial?: string;
}

export interface PlaybackRestrictionPolicy {
  arn: string;
  allowedCountries: string[];
  allowedOrigins: string[];
  enableStrictOriginEnforcement: boolean;
  name: string;
  tags: Tags;
}

export interface AdConfiguration {
  arn: string;
  name: string;
  mediaTailorPlaybackConfigurations: { playbackConfigurationArn: string }[];
  postRollConfiguration: { enabled: boolean; durationSeconds: number };
  tags: Tags;
}

export interface VideoConfiguration {
  avcProfile: string;
  avcLevel: string;
  codec: string;
  encoder: string;
  targetBitrate: number;
  targetFramerate: number;
  videoHeight: number;
  videoWidth: number;
  level: string;
  track: string;
  profile: string;
}

export interface AudioConfiguration {
  codec: string;
  targetBitrate: number;
  sampleRate: number;
  channels: number;
  track: string;
}

export interface StreamEvent {
  name: string;
  type: string;
  eventTime: string;
  code?: string;
}

/** A live stream, present only while its channel is broadcasting. */
export interface Stream {
  channelArn: string;
  streamId: string;
  playbackUrl: string;
  startTime: string;
  state: "LIVE";
  health: "HEALTHY" | "STARVING" | "UNKNOWN";
  viewerCount: number;
}

export interface StreamSession {
  streamId: string;
  startTime: string;
  endTime?: string;
  channel: Channel;
  ingestConfiguration: { video: VideoConfiguration; audio: AudioConfiguration };
  ingestConfigurations: {
    videoConfigurations: VideoConfiguration[];
    audioConfigurations: AudioConfiguration[];
  };
  recordingConfiguration?: RecordingConfiguration;
  /** Newest first, at most 500 (the API's limit). */
  truncatedEvents: StreamEvent[];
  hasErrorEvent: boolean;
}

/** Everything the emulator persists. Maps keep creation order, which is the order lists return. */
export interface StateSnapshot {
  version: 1;
  seq: number;
  order: Record<string, number>;
  channels: Channel[];
  streamKeys: StreamKey[];
  recordingConfigurations: RecordingConfiguration[];
  playbackKeyPairs: PlaybackKeyPair[];
  playbackRestrictionPolicies: PlaybackRestrictionPolicy[];
  adConfigurations: AdConfiguration[];
  streams: Stream[];
  sessions: Record<string, StreamSession[]>;
}

/** The store's keyed collections, by their names in the snapshot and the write-ahead log. */
export const COLLECTIONS = [
  "channels",
  "streamKeys",
  "recordingConfigurations",
  "playbackKeyPairs",
  "playbackRestrictionPolicies",
  "adConfigurations",
  "streams",
  "sessions",
  "order",
] as const;
export type Collection = (typeof COLLECTIONS)[number];

/** One line of the write-ahead log: every entry that changed since the previous line, as it is now. */
export interface StateChange {
  seq: number;
  /** The store was cleared (the control API's reset) before these changes. */
  reset?: true;
  /** Entries removed; applied before `put`. */
  del: [Collection, string][];
  /** Entries to set: existing ones first, then new ones in creation order. */
  put: [Collection, string, unknown][];
}
