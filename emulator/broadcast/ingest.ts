import { ControlError } from "../control/router.ts";
import type { AudioConfiguration, Channel, StreamSession, VideoConfiguration } from "../state/types.ts";

/** What an encoder sends for one video track. Bitrates in bits per second. */
export interface VideoSettings {
  width: number;
  height: number;
  bitrate: number;
  framerate: number;
  /** RFC 6381 codec string as IVS reports it, e.g. `avc1.64002A` (H.264 High 4.2). */
  codec: string;
  profile: string;
  level: string;
  encoder: string;
}

export interface AudioSettings {
  codec: string;
  bitrate: number;
  sampleRate: number;
  channels: number;
}

/** Ingest settings of a broadcast; anything left out takes the defaults below. */
export interface IngestSettings {
  video?: Partial<VideoSettings>;
  audio?: Partial<AudioSettings>;
  /** Multitrack input: one entry per video track, highest first; replaces `video`. */
  tracks?: Partial<VideoSettings>[];
}

export interface Ingest {
  videos: VideoSettings[];
  audio: AudioSettings;
  session: Pick<StreamSession, "ingestConfiguration" | "ingestConfigurations">;
}

export interface IngestBreach {
  limitName: "Ingest Bitrate" | "Ingest Resolution";
  limitValue: number;
  exceededBy: number;
  limitUnit: "bits per second" | "total pixels" | "pixels per edge";
}

/** Channel types whose ingest ceiling is 8.5 Mbps (IVS service quotas). */
const FULL_BITRATE = 8_500_000;
const BASIC_SD_BITRATE = 1_500_000;
const BASIC_HD_BITRATE = 3_500_000;
/** Every channel type takes at most 1080p (IVS service quotas). */
const MAX_PIXELS = 1920 * 1080;
const MAX_EDGE = 1920;

const DEFAULT_AUDIO: AudioSettings = {
  codec: "mp4a.40.2",
  bitrate: 160_000,
  sampleRate: 48_000,
  channels: 2,
};

/**
 * A typical 1080p30 H.264 encoder. BASIC channels get 3 Mbps instead of 6 so that a broadcast with
 * defaults stays under their 3.5 Mbps ceiling; a limit breach should be something a test asks for.
 */
function defaultVideo(type: Channel["type"]): VideoSettings {
  return {
    width: 1920,
    height: 1080,
    bitrate: type === "BASIC" ? 3_000_000 : 6_000_000,
    framerate: 30,
    codec: "avc1.64002A",
    profile: "High",
    level: "4.2",
    encoder: "ivs-emulator",
  };
}

function checkNumber(where: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max)
    throw new ControlError(400, `${where} must be a number from ${min} to ${max}`);
}

function checkString(where: string, value: unknown): void {
  if (value !== undefined && (typeof value !== "string" || value === ""))
    throw new ControlError(400, `${where} must be a non-empty string`);
}

function video(where: string, given: Partial<VideoSettings> | undefined, base: VideoSettings): VideoSettings {
  if (given !== undefined && (typeof given !== "object" || given === null || Array.isArray(given)))
    throw new ControlError(400, `${where} must be an object`);
  const v = given ?? {};
  checkNumber(`${where}.width`, v.width, 1, 16_384);
  checkNumber(`${where}.height`, v.height, 1, 16_384);
  checkNumber(`${where}.bitrate`, v.bitrate, 1, 1_000_000_000);
  checkNumber(`${where}.framerate`, v.framerate, 1, 240);
  for (const key of ["codec", "profile", "level", "encoder"] as const) checkString(`${where}.${key}`, v[key]);
  return { ...base, ...v };
}

/** Validates the settings a caller gave and fills in the rest. */
export function normalizeIngest(type: Channel["type"], settings: IngestSettings): Ingest {
  const base = defaultVideo(type);
  let videos: VideoSettings[];
  if (settings.tracks !== undefined) {
    if (!Array.isArray(settings.tracks) || settings.tracks.length === 0)
      throw new ControlError(400, "tracks must be a non-empty list of video settings");
    videos = settings.tracks.map((t, i) => video(`tracks[${i}]`, t, base));
  } else videos = [video("video", settings.video, base)];

  const a = settings.audio ?? {};
  if (typeof a !== "object" || a === null || Array.isArray(a))
    throw new ControlError(400, "audio must be an object");
  checkNumber("audio.bitrate", a.bitrate, 1, 10_000_000);
  checkNumber("audio.sampleRate", a.sampleRate, 1, 384_000);
  checkNumber("audio.channels", a.channels, 1, 16);
  checkString("audio.codec", a.codec);
  const audio = { ...DEFAULT_AUDIO, ...a };
  return { videos, audio, session: sessionIngest(videos, audio) };
}

function videoConfiguration(v: VideoSettings, track: string, deprecated: boolean): VideoConfiguration {
  return {
    // The model: avcProfile/avcLevel are deprecated and only filled in the single-track structure.
    avcProfile: deprecated ? v.profile : "",
    avcLevel: deprecated ? v.level : "",
    codec: v.codec,
    encoder: v.encoder,
    targetBitrate: v.bitrate,
    targetFramerate: v.framerate,
    videoHeight: v.height,
    videoWidth: v.width,
    level: v.level,
    track,
    profile: v.profile,
  };
}

function sessionIngest(videos: VideoSettings[], audio: AudioSettings): Ingest["session"] {
  const audioConfiguration: AudioConfiguration = {
    codec: audio.codec,
    targetBitrate: audio.bitrate,
    sampleRate: audio.sampleRate,
    channels: audio.channels,
    track: "Track0",
  };
  const first = videos[0] as VideoSettings;
  return {
    ingestConfiguration: { video: videoConfiguration(first, "Track0", true), audio: audioConfiguration },
    ingestConfigurations: {
      videoConfigurations: videos.map((v, i) => videoConfiguration(v, `Track${i}`, false)),
      audioConfigurations: [audioConfiguration],
    },
  };
}

/** The ingest bitrate ceiling of a channel type; BASIC depends on the resolution (≤480p or above). */
export function bitrateLimit(
  type: Channel["type"],
  videos: Pick<VideoSettings, "width" | "height">[],
): number {
  if (type !== "BASIC") return FULL_BITRATE;
  const shortEdge = Math.max(...videos.map((v) => Math.min(v.width, v.height)));
  return shortEdge <= 480 ? BASIC_SD_BITRATE : BASIC_HD_BITRATE;
}

/** A resolution over 1080p, as IVS words it: too many pixels in total, or one edge too long. */
export function resolutionBreach(width: number, height: number): IngestBreach | undefined {
  const pixels = width * height;
  if (pixels > MAX_PIXELS)
    return {
      limitName: "Ingest Resolution",
      limitValue: MAX_PIXELS,
      exceededBy: pixels - MAX_PIXELS,
      limitUnit: "total pixels",
    };
  const edge = Math.max(width, height);
  if (edge > MAX_EDGE)
    return {
      limitName: "Ingest Resolution",
      limitValue: MAX_EDGE,
      exceededBy: edge - MAX_EDGE,
      limitUnit: "pixels per edge",
    };
  return undefined;
}

/** The first ingest limit the settings break (resolution before bitrate), or undefined. */
export function ingestBreach(type: Channel["type"], ingest: Ingest): IngestBreach | undefined {
  for (const v of ingest.videos) {
    const breach = resolutionBreach(v.width, v.height);
    if (breach) return breach;
  }
  // The ceiling is on what arrives at the ingest server: every video track plus the audio.
  const total = ingest.videos.reduce((sum, v) => sum + v.bitrate, 0) + ingest.audio.bitrate;
  const limit = bitrateLimit(type, ingest.videos);
  if (total > limit)
    return {
      limitName: "Ingest Bitrate",
      limitValue: limit,
      exceededBy: total - limit,
      limitUnit: "bits per second",
    };
  return undefined;
}

/** Session Ended code when the channel's multitrack policy refuses the input, else undefined. */
export function multitrackRefusal(channel: Channel, tracks: number): string | undefined {
  const mt = channel.multitrackInputConfiguration;
  if (tracks > 1 && !mt.enabled) return "MultitrackInputNotAllowed";
  if (tracks === 1 && mt.enabled && mt.policy === "REQUIRE") return "MultitrackInputRequired";
  // IVS multitrack takes 2 to 5 video tracks (unverified upper bound; the streaming guide's ladder tops at 5).
  if (tracks > 5) return "InvalidMultitrackInputTrackCount";
  return undefined;
}
