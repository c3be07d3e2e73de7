import { ControlError } from "../control/router.ts";
import type { Channel, VideoConfiguration } from "../state/types.ts";
import { bitrateLimit, type IngestBreach, resolutionBreach } from "./ingest.ts";

export const BREACH_LIMITS = ["bitrate", "resolution", "viewers", "broadcasts"] as const;

/** A limit breach a test asks for. Observed values default to just over the limit. */
export interface BreachRequest {
  limit: (typeof BREACH_LIMITS)[number];
  /** Observed value: bits per second (bitrate), viewers, or active streams. */
  value?: number;
  /** Observed resolution (resolution); default 3840x2160. */
  width?: number;
  height?: number;
  /** Ingest breaches disconnect the broadcast, as the API doc says they probably will. Default true. */
  disconnect?: boolean;
}

export type ResolvedBreach =
  | { level: "channel"; breach: IngestBreach }
  | {
      level: "account";
      limitName: "Concurrent Broadcasts" | "Concurrent Viewers";
      limitValue: number;
      exceededBy: number;
    };

export interface BreachContext {
  channelType: Channel["type"];
  /** The live session's video tracks (BASIC's bitrate ceiling depends on them). */
  videos: Pick<VideoConfiguration, "videoWidth" | "videoHeight">[];
  concurrentBroadcasts: number;
  concurrentViewers: number;
}

function observed(value: unknown, limit: number, what: string): number {
  if (value === undefined) return limit + Math.max(1, Math.round(limit * 0.1));
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new ControlError(400, `value must be a number (${what})`);
  if (value <= limit)
    throw new ControlError(400, `value ${value} does not exceed the ${what} limit of ${limit}`);
  return value;
}

function dimension(value: unknown, fallback: number, key: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    throw new ControlError(400, `${key} must be a whole number ≥ 1`);
  return value;
}

/** Works out the Limit Breach fields for a request, validating what the caller gave. */
export function resolveBreach(request: BreachRequest, ctx: BreachContext): ResolvedBreach {
  switch (request.limit) {
    case "bitrate": {
      const tracks = ctx.videos.map((v) => ({ width: v.videoWidth, height: v.videoHeight }));
      // A stream without a session (restored from a state file) is taken to be 1080p.
      const limit = bitrateLimit(
        ctx.channelType,
        tracks.length > 0 ? tracks : [{ width: 1920, height: 1080 }],
      );
      const value = observed(request.value, limit, "ingest bitrate");
      return {
        level: "channel",
        breach: {
          limitName: "Ingest Bitrate",
          limitValue: limit,
          exceededBy: value - limit,
          limitUnit: "bits per second",
        },
      };
    }
    case "resolution": {
      const width = dimension(request.width, 3840, "width");
      const height = dimension(request.height, 2160, "height");
      const breach = resolutionBreach(width, height);
      if (!breach) throw new ControlError(400, `${width}x${height} is within the 1080p ingest limit`);
      return { level: "channel", breach };
    }
    case "viewers": {
      const limit = ctx.concurrentViewers;
      const value = observed(request.value, limit, "concurrent viewers");
      return {
        level: "account",
        limitName: "Concurrent Viewers",
        limitValue: limit,
        exceededBy: value - limit,
      };
    }
    case "broadcasts": {
      const limit = ctx.concurrentBroadcasts;
      const value = observed(request.value, limit, "concurrent broadcasts");
      return {
        level: "account",
        limitName: "Concurrent Broadcasts",
        limitValue: limit,
        exceededBy: value - limit,
      };
    }
    default:
      throw new ControlError(400, `limit must be one of ${BREACH_LIMITS.join(", ")}`);
  }
}
