import { Redis } from "ioredis";
import { ConfigError, redactUrl } from "../config/primitives.ts";
import { redactSecrets } from "../redact.ts";
import type { RedisMonitor } from "./monitor.ts";

export interface RedisClientOptions {
  /** Connect and command timeout (REDIS_TIMEOUT_MS). Default 1000 ms. */
  timeoutMs?: number;
  /** Takes the connection's error events and state (logs, /ready) once connected. Default none. */
  monitor?: RedisMonitor;
  /** Names the connection in logs and /health. Default `redis`. */
  name?: string;
  /**
   * For a connection that only runs blocking reads (XREAD BLOCK): no command timeout (it would cut the
   * block short) but a client-side limit of the block plus `timeoutMs`. Default false.
   */
  blocking?: boolean;
}

/** Reconnect delays: 100 ms doubling to 5 s, with jitter so that replicas do not reconnect in step; for ever. */
function reconnectDelayMs(attempt: number): number {
  const base = Math.min(5000, 100 * 2 ** Math.min(attempt, 6));
  return Math.round(base / 2 + (Math.random() * base) / 2);
}

/**
 * The one way the gateway makes an ioredis client. Fails fast rather than stalls: a command sent while
 * the connection is down is refused at once (no offline queue), one that Redis does not answer within
 * `timeoutMs` fails, and the connection is retried in the background for ever. Every error event goes to
 * the monitor (so none reaches stderr as "[ioredis] Unhandled error event"). Not connected yet: call
 * `connect()`, or use `connectRedis`.
 */
function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const timeoutMs = options.timeoutMs ?? 1000;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    ...(options.blocking
      ? { blockingTimeout: timeoutMs, blockingTimeoutGrace: timeoutMs }
      : { commandTimeout: timeoutMs }),
    enableOfflineQueue: false,
    // A command in flight when the connection drops is failed after one reconnect attempt, not resent later.
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelayMs,
  });
  // Until a monitor watches it (connectRedis, once connected), errors are kept from ioredis's stderr print.
  client.on("error", () => {});
  return client;
}

/**
 * Creates a client and connects it; a Redis that cannot be reached within `timeoutMs` is a ConfigError
 * naming REDIS_URL (its password masked), and the client is closed.
 */
export async function connectRedis(url: string, options: RedisClientOptions = {}): Promise<Redis> {
  const client = createRedisClient(url, options);
  // ioredis rejects connect() with "Connection is closed"; the error event before it says why.
  let cause: unknown;
  const noteCause = (error: unknown) => {
    cause ??= error;
  };
  client.on("error", noteCause);
  try {
    await withTimeout(client.connect(), (options.timeoutMs ?? 1000) * 2);
  } catch (error) {
    client.disconnect();
    const why = cause ?? error;
    const reason = redactSecrets(why instanceof Error ? why.message : String(why));
    throw new ConfigError(
      "REDIS_URL",
      `(${redactUrl(url)}) cannot be reached: ${reason}; is Redis running there? (REDIS_TIMEOUT_MS=${options.timeoutMs ?? 1000})`,
    );
  } finally {
    client.off("error", noteCause);
  }
  // Watched only once connected: a Redis unreachable at start is the REDIS_URL error above, not an outage.
  options.monitor?.watch(client, options.name ?? "redis");
  return client;
}

/** connect() settles on the first failure in practice; this bounds it should a handshake hang. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
