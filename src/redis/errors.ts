import { ServiceUnavailableError } from "../errors.ts";

/**
 * True for a failure to reach Redis (not connected, timed out, connection lost), as opposed to an answer
 * Redis gave (a ReplyError such as WRONGTYPE or NOPERM), which retrying does not fix.
 */
export function isRedisUnreachable(error: unknown): boolean {
  if (!(error instanceof Error) || error.name === "ReplyError") return false;
  if (error.name === "MaxRetriesPerRequestError") return true;
  return /Stream isn't writeable|Connection is closed|Command timed out|Socket|ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN/i.test(
    error.message,
  );
}

/** What a caller gets when something must be stored in Redis and Redis cannot be reached. */
export function redisUnavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError(
    "The gateway's shared store (Redis) is unreachable right now; retry shortly",
  );
}

/** Rethrows Redis reachability failures as a typed, retriable ServiceUnavailableError; others as they are. */
export function asUnavailable(error: unknown): never {
  throw isRedisUnreachable(error) ? redisUnavailable() : error;
}

/**
 * Wraps every method of a store built on Redis so that an outage surfaces as ServiceUnavailableError
 * (code SERVICE_UNAVAILABLE, retriable) instead of a masked internal error.
 */
export function failingTyped<T extends object>(store: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(store))
    wrapped[name] =
      typeof member === "function"
        ? (...args: unknown[]) => Promise.resolve(member.apply(store, args)).catch(asUnavailable)
        : member;
  return wrapped as T;
}
