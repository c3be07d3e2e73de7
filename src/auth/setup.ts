import type { Redis } from "ioredis";
import type { GatewayConfig } from "../config/gateway.ts";
import { ConfigError } from "../config/primitives.ts";
import type { Logger } from "../logger.ts";
import { connectRedis } from "../redis/client.ts";
import type { RedisMonitor } from "../redis/monitor.ts";
import { createAuthenticator, devAuthenticatorOptions } from "./authenticate.ts";
import { createDevCredentials } from "./dev-token.ts";
import { createPlaybackTokenSigner, loadPlaybackPrivateKey } from "./playback-token.ts";
import { createRateLimiter } from "./rate-limit.ts";
import type { GatewaySecurity } from "./security.ts";

export interface SecuritySetup {
  security: GatewaySecurity;
  /** The token minted in development mode, for main.ts to print; never logged. */
  devToken?: string;
  /** Closes the rate limiter's Redis connection. */
  stop(): Promise<void>;
}

/**
 * Builds authentication, rate limiting and playback signing from the configuration. Refuses to run
 * with no authentication against anything but the embedded emulator, unless AUTH_DISABLED=true says
 * so explicitly, and then warns.
 */
export async function setUpSecurity(
  config: GatewayConfig,
  logger: Logger,
  /** Takes the rate limiter's Redis errors and state (src/redis/monitor.ts). Default one that logs nothing. */
  redisMonitor?: RedisMonitor,
): Promise<SecuritySetup> {
  const { auth } = config;
  const tenancy = {
    tenantTagKey: auth.tenantTagKey,
    ...(auth.tenantClaim ? { tenantClaim: auth.tenantClaim } : {}),
  };
  let devToken: string | undefined;
  let authenticator: GatewaySecurity["authenticator"];
  switch (auth.mode) {
    case "unconfigured":
      throw new ConfigError(
        "AUTH_JWT_SECRET",
        "(or AUTH_JWKS_URL or AUTH_API_KEYS) is required outside the embedded emulator; AUTH_DISABLED=true runs without authentication",
      );
    case "disabled":
      logger.warn("AUTH_DISABLED=true: every caller gets every scope; do not expose this gateway");
      authenticator = createAuthenticator({ disabled: true });
      break;
    case "dev": {
      const dev = await createDevCredentials();
      devToken = dev.token;
      authenticator = createAuthenticator({ ...devAuthenticatorOptions(dev.secret), ...tenancy });
      logger.info(
        { expiresAt: dev.expiresAt.toISOString() },
        "development mode: no authentication configured, so a bearer token was minted (printed once on stdout, never logged)",
      );
      break;
    }
    default:
      authenticator = createAuthenticator({
        ...(auth.jwt ? { jwt: auth.jwt } : {}),
        apiKeys: auth.apiKeys,
        ...tenancy,
      });
  }

  let redis: Redis | undefined;
  if (config.redisUrl && config.limits.rateLimitPerMinute > 0) {
    // Unreachable at start: a ConfigError naming REDIS_URL. Later outages fall back to a per-process limit.
    redis = await connectRedis(config.redisUrl, {
      timeoutMs: config.redisTimeoutMs,
      name: "rate-limit",
      ...(redisMonitor ? { monitor: redisMonitor } : {}),
    });
  }
  const rateLimit = createRateLimiter({
    perMinute: config.limits.rateLimitPerMinute,
    ...(redis ? { redis, keyPrefix: `${config.redisKeyPrefix}rate:` } : {}),
  });
  const playbackTokens = config.playback
    ? createPlaybackTokenSigner(loadPlaybackPrivateKey(config.playback.privateKeyPem))
    : undefined;
  return {
    security: {
      authenticator,
      limits: config.limits,
      rateLimit,
      ...(playbackTokens ? { playbackTokens } : {}),
    },
    ...(devToken ? { devToken } : {}),
    async stop() {
      redis?.disconnect();
    },
  };
}
