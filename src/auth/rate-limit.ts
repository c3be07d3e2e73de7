import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { rateLimited } from "./errors.ts";
import type { Principal } from "./principal.ts";

export interface RateLimitOptions {
  /** Operations per principal per minute; 0 turns the limit off. */
  perMinute: number;
  /** Shares the budget among replicas. Default: this process only. */
  redis?: Redis;
  /** Prefix of the Redis keys. Default `ivs-gateway:rate:`. */
  keyPrefix?: string;
}

/** Admits one GraphQL operation of a principal, or throws a 429 error. */
export type RateLimiter = (principal: Principal) => Promise<void>;

/**
 * A fixed one-minute window per principal id. With Redis every replica draws from one budget; when
 * Redis fails, a per-process budget of the same size takes over (rate-limiter-flexible's insurance
 * limiter), so an outage neither blocks everyone nor lifts the limit.
 */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  if (options.perMinute <= 0) return async () => {};
  const base = { points: options.perMinute, duration: 60 };
  const memory = new RateLimiterMemory(base);
  const limiter = options.redis
    ? new RateLimiterRedis({
        ...base,
        storeClient: options.redis,
        keyPrefix: options.keyPrefix ?? "ivs-gateway:rate:",
        // While the connection is down, straight to the per-process limiter: no wait for a timeout.
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      })
    : memory;
  return async (principal) => {
    try {
      await limiter.consume(principal.id);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw rateLimited(rejection.msBeforeNext);
      throw rejection;
    }
  };
}
