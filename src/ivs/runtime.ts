import type { IvsClient } from "@aws-sdk/client-ivs";
import { Redis } from "ioredis";
import type { GatewayConfig } from "../config.ts";
import type { Logger } from "../logger.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { LiveHub } from "../subscriptions/live-hub.ts";
import { memoryBudgetStore, RequestBudget } from "./budget.ts";
import { IvsCache, memoryCacheStore } from "./cache.ts";
import { createIvsClient } from "./client.ts";
import { createIvsReads, type IvsReads } from "./reads.ts";
import { redisBudgetStore } from "./redis-budget.ts";
import { redisCacheStore } from "./redis-cache.ts";
import { createSecretBox } from "./secret-box.ts";

export interface IvsRuntimeOptions {
  /** Overrides `config.ivs.endpoint`; the embedded backend passes the emulator's URL. Default none. */
  endpoint?: string;
  /** Default none (nothing recorded). */
  metrics?: GatewayMetrics;
  /** Default none (nothing logged). */
  logger?: Logger;
}

/** The gateway's side of IVS: the budgeted client and the process-wide reads over it. */
export interface IvsRuntime {
  ivs: IvsClient;
  reads: IvsReads;
  /** Drops what the hub's events make stale (live streams), on this replica and in Redis. */
  watch(hub: LiveHub): void;
  stop(): Promise<void>;
}

/**
 * Builds the IVS client with its request budget, and the reads (cache, coalescing) over it, from the
 * configuration: in this process's memory, or shared by every replica through Redis when REDIS_URL is set.
 */
export async function startIvsRuntime(
  config: GatewayConfig,
  options: IvsRuntimeOptions = {},
): Promise<IvsRuntime> {
  const { metrics, logger } = options;
  let redis: Redis | undefined;
  if (config.redisUrl) {
    redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
    try {
      await redis.connect();
    } catch (error) {
      // ioredis would keep reconnecting, and keep the process alive, for a gateway that is not starting.
      redis.disconnect();
      throw error;
    }
  }
  const prefix = config.redisKeyPrefix;
  const budget = new RequestBudget({
    store: redis ? redisBudgetStore(redis, prefix) : memoryBudgetStore(),
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
  });

  let cache: IvsCache | undefined;
  if (config.cache.enabled) {
    const memory = memoryCacheStore(config.cache.maxEntries);
    const box = config.cache.secretKey ? createSecretBox(config.cache.secretKey) : undefined;
    const store = redis ? redisCacheStore({ redis, prefix, ...(box ? { box } : {}) }) : memory;
    cache = new IvsCache({
      store,
      // Secrets reach Redis only sealed; without a key they stay in this process.
      secretStore: redis && !box ? memory : store,
      ttlMs: config.cache.ttlMs,
      staleMs: config.cache.staleMs,
    });
  }
  const reads = createIvsReads({
    ivs,
    ...(cache ? { cache } : {}),
    ...(config.coalesce.enabled ? { coalesce: { windowMs: config.coalesce.windowMs } } : {}),
    onError: (err, where) => logger?.warn({ err, where }, "IVS reads"),
    onLookup: (kind, outcome, count) => {
      if (count > 0) metrics?.cacheLookups.inc({ kind, outcome }, count);
    },
  });

  const unwatch: (() => void)[] = [];
  return {
    ivs,
    reads,
    watch(hub) {
      const stale = (work: Promise<void>) =>
        work.catch((err: unknown) => logger?.warn({ err }, "dropping cached IVS data after an event"));
      unwatch.push(
        hub.observe((entry) => {
          // A stream started, ended or changed health: ListStreams answers are out of date.
          if (
            entry.type === "event" &&
            (entry.event.kind === "STREAM_STATE" || entry.event.kind === "STREAM_HEALTH")
          )
            void stale(reads.liveChanged());
          // deleteChannel on any replica: its cached copy goes on every replica.
          else if (entry.type === "deleted") void stale(reads.changed(entry.channelArn));
        }),
      );
    },
    async stop() {
      for (const off of unwatch.splice(0)) off();
      ivs.destroy();
      redis?.disconnect();
    },
  };
}
