import type { Authenticator } from "./authenticate.ts";
import type { LimitsConfig } from "./config.ts";
import type { PlaybackTokenSigner } from "./playback-token.ts";
import type { RateLimiter } from "./rate-limit.ts";

/**
 * Everything createGatewayApp needs to let in only who belongs and bound what each caller costs. It
 * is a required option: an app without an authenticator cannot be built by accident.
 */
export interface GatewaySecurity {
  authenticator: Authenticator;
  limits: LimitsConfig;
  /** Per-principal operation budget. Default none. */
  rateLimit?: RateLimiter;
  /** Signs playback tokens for private channels. Default none (createPlaybackToken is off). */
  playbackTokens?: PlaybackTokenSigner;
}
