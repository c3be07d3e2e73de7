import type { IvsClient } from "@aws-sdk/client-ivs";
import { Redis } from "ioredis";
import type { GatewayConfig } from "../config.ts";
import type { Logger } from "../logger.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { Tracing } from "../telemetry/tracing.ts";
import { memoryBudgetStore, RequestBudget } from "./budget.ts";
import { createIvsClient } from "./client.ts";
import { redisBudgetStore } from "./redis-budget.ts";

export interface IvsRuntimeOptions {
  /** Overrides `config.ivs.endpoint`; the embedded backend passes the emulator's URL. Default none. */
  endpoint?: string;
  /** Default none (nothing recorded). */
  metrics?: GatewayMetrics;
  /** Default none (nothing logged). */
  logger?: Logger;
  /** Default none (calls not traced). */
  tracing?: Tracing;
}

/** The gateway's side of IVS: the budgeted client, and the Redis connection that shares the budget. */
export interface IvsRuntime {
  ivs: IvsClient;
  budget: RequestBudget;
  /** The shared command connection, when REDIS_URL is set. */
  redis?: Redis;
  /** Opens another connection to the same Redis (for blocking readers). */
  connectRedis(): Promise<Redis>;
  stop(): Promise<void>;
}

/** Connects (failing fast rather than retrying for ever on a gateway that is not starting). */
async function connect(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return redis;
}

/**
 * Builds the IVS client with its request budget from the configuration: paced in this process, or
 * across every replica through Redis when REDIS_URL is set.
 */
export async function startIvsRuntime(
  config: GatewayConfig,
  options: IvsRuntimeOptions = {},
): Promise<IvsRuntime> {
  const { metrics, logger } = options;
  const opened: Redis[] = [];
  const redis = config.redisUrl ? await connect(config.redisUrl) : undefined;
  if (redis) opened.push(redis);
  const budget = new RequestBudget({
    store: redis ? redisBudgetStore(redis, config.redisKeyPrefix) : memoryBudgetStore(),
    share: config.budget.share,
    rates: config.budget.rates,
    deadlineMs: config.budget.deadlineMs,
    onWait: (operation, priority, ms) => metrics?.ivsBudgetWait.observe({ operation, priority }, ms / 1000),
    onRefused: (operation, priority, cause) => metrics?.ivsBudgetRefused.inc({ operation, priority, cause }),
  });
  const ivs = createIvsClient(config.ivs, {
    budget,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(metrics ? { metrics } : {}),
    ...(logger ? { logger } : {}),
    ...(options.tracing ? { tracing: options.tracing } : {}),
  });
  return {
    ivs,
    budget,
    ...(redis ? { redis } : {}),
    async connectRedis() {
      if (!config.redisUrl) throw new Error("REDIS_URL is not set");
      const extra = await connect(config.redisUrl);
      opened.push(extra);
      return extra;
    },
    async stop() {
      ivs.destroy();
      for (const r of opened.splice(0)) r.disconnect();
    },
  };
}
