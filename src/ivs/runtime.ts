import { randomUUID } from "node:crypto";
import { type IvsClient, ListStreamsCommand } from "@aws-sdk/client-ivs";
import type { Redis } from "ioredis";
import type { GatewayConfig } from "../config/gateway.ts";
import { ConfigError } from "../config/primitives.ts";
import type { Logger } from "../logger.ts";
import type { GatewayMetrics } from "../metrics.ts";
import { connectRedis } from "../redis/client.ts";
import type { RedisMonitor } from "../redis/monitor.ts";
import type { Tracing } from "../telemetry/tracing.ts";
import { memoryBudgetStore, RequestBudget } from "./budget.ts";
import { createIvsClient } from "./client.ts";
import { type SharedBudgetStore, sharedBudgetStore } from "./redis-budget.ts";
import { inBackground } from "./scope.ts";

export interface IvsRuntimeOptions {
  /** Overrides `config.ivs.endpoint`; the embedded backend passes the emulator's URL. Default none. */
  endpoint?: string;
  /** Default none (nothing recorded). */
  metrics?: GatewayMetrics;
  /** Default none (nothing logged). */
  logger?: Logger;
  /** Default none (calls not traced). */
  tracing?: Tracing;
  /** Takes the Redis connections' errors and state (src/redis/monitor.ts). Default one that logs nothing. */
  redisMonitor?: RedisMonitor;
  /** How long IVS may go unasked before a probe asks it (one ListStreams, background priority). Default 15 s. */
  probeMs?: number;
}

/** What /ready and /health say of IVS. */
export interface IvsReachability {
  reachable: boolean;
  /** ISO time of the last answer IVS gave (any answer, errors included). */
  lastAnswerAt?: string;
  /** Why the last attempt got no answer, while unreachable. */
  lastError?: string;
}

/** The gateway's side of IVS: the budgeted client, and the Redis connection that shares the budget. */
export interface IvsRuntime {
  ivs: IvsClient;
  budget: RequestBudget;
  /** The shared command connection, when REDIS_URL is set. */
  redis?: Redis;
  /** Opens another connection to the same Redis, for blocking readers. */
  connectRedis(): Promise<Redis>;
  /** Whether IVS answered lately, from the outcome of every call (and of a probe when it was idle). */
  reachability(): IvsReachability;
  /**
   * Asks IVS once (outside the embedded backend). With `fatal` (default) a network failure is a
   * ConfigError naming the variable that points at it: IVS_ENDPOINT, or AWS_REGION for the `aws` backend;
   * without, it is logged and /ready says so (a replica with a saved mirror can answer reads meanwhile).
   */
  checkReachable(fatal?: boolean): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the IVS client with its request budget from the configuration: paced in this process, or
 * across every replica through Redis when REDIS_URL is set (a local share of it while Redis is down).
 */
export async function startIvsRuntime(
  config: GatewayConfig,
  options: IvsRuntimeOptions = {},
): Promise<IvsRuntime> {
  const { metrics, logger } = options;
  const redisOptions = {
    timeoutMs: config.redisTimeoutMs,
    ...(options.redisMonitor ? { monitor: options.redisMonitor } : {}),
  };
  const opened: Redis[] = [];
  const redis = config.redisUrl
    ? await connectRedis(config.redisUrl, { ...redisOptions, name: "commands" })
    : undefined;
  let shared: SharedBudgetStore | undefined;
  if (redis) {
    opened.push(redis);
    shared = sharedBudgetStore(redis, config.redisKeyPrefix, {
      replicaId: randomUUID(),
      onChange: (mode, replicas) =>
        mode === "local"
          ? logger?.warn(
              { replicas },
              "IVS budget: Redis unreachable, pacing this replica at its local share of each quota (1/replicas)",
            )
          : logger?.info("IVS budget: Redis answers again, pacing from the shared budget"),
    });
    await shared.start();
  }
  const budget = new RequestBudget({
    store: shared ?? memoryBudgetStore(),
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
  const tracker = trackReachability(ivs);
  const probeMs = options.probeMs ?? 15_000;
  const probe = () => inBackground(() => ivs.send(new ListStreamsCommand({ maxResults: 1 })), probeMs);
  // Only when no call answered (or failed) lately: the sync loop and reconciliation usually say already.
  const prober = setInterval(() => {
    if (Date.now() - tracker.lastOutcomeAt >= probeMs) probe().catch(() => {});
  }, probeMs);
  prober.unref();

  return {
    ivs,
    budget,
    ...(redis ? { redis } : {}),
    async connectRedis() {
      if (!config.redisUrl) throw new Error("REDIS_URL is not set");
      const extra = await connectRedis(config.redisUrl, { ...redisOptions, name: "reader", blocking: true });
      opened.push(extra);
      return extra;
    },
    reachability: () => tracker.status(),
    async checkReachable(fatal = true) {
      if (config.ivs.backend === "embedded") return;
      try {
        await probe();
      } catch (error) {
        if (!isUnanswered(error)) return; // IVS answered (even with an error): it is reachable.
        const where = options.endpoint ?? config.ivs.endpoint;
        const [variable, what] =
          config.ivs.backend === "aws" && !config.ivs.endpoint
            ? [
                "AWS_REGION",
                `(or IVS_REGION; region ${config.ivs.region ?? "from the AWS profile"}): IVS in that region cannot be reached`,
              ]
            : ["IVS_ENDPOINT", `(${where}) cannot be reached`];
        const failure = new ConfigError(variable, `${what}: ${reasonOf(error)}`);
        if (fatal) throw failure;
        logger?.warn(
          { problem: failure.message },
          "IVS cannot be reached: answering from the mirror saved in Redis; /ready says not ready until it answers",
        );
      }
    },
    async stop() {
      clearInterval(prober);
      await shared?.stop();
      ivs.destroy();
      for (const r of opened.splice(0)) r.disconnect();
    },
  };
}

/** True for a failure with no answer from IVS (refused, reset, timed out, DNS), not an error IVS returned. */
function isUnanswered(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as { $metadata?: { httpStatusCode?: number }; $response?: unknown };
  return e.$metadata?.httpStatusCode === undefined && e.$response === undefined && !isGatewayRefusal(error);
}

/** The budget's own refusals (ThrottledError) are no news about IVS. */
function isGatewayRefusal(error: Error): boolean {
  return error.name === "ThrottledError";
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && !error.message.includes(code)
    ? `${code} ${error.message}`
    : error.message;
}

/** How long a few unanswered attempts after an answer are taken for a blip rather than an outage. */
const UNANSWERED_GRACE_MS = 5000;

/**
 * Records the outcome of every attempt the client sends (below the budget and the SDK's retries): an
 * answer of any kind means reachable, a network failure or timeout means not.
 */
function trackReachability(ivs: IvsClient) {
  let lastOutcomeAt = 0;
  let lastAnswerAt = 0;
  let lastError: string | undefined;
  /** Attempts without an answer since the last answer. */
  let unanswered = 0;
  type Handler = (args: unknown) => Promise<unknown>;
  const middleware = (next: Handler) => async (args: unknown) => {
    try {
      const out = await next(args);
      lastOutcomeAt = lastAnswerAt = Date.now();
      unanswered = 0;
      return out;
    } catch (error) {
      // A caller that gave up (its deadline, a closed request) says nothing about IVS.
      if ((error as Error).name === "AbortError") throw error;
      lastOutcomeAt = Date.now();
      if (isUnanswered(error)) {
        unanswered++;
        lastError = reasonOf(error);
      } else {
        lastAnswerAt = lastOutcomeAt;
        unanswered = 0;
      }
      throw error;
    }
  };
  /**
   * One reset socket (a keep-alive race the SDK retries) is not an outage: unreachable after three attempts
   * in a row without an answer, or any while nothing has answered for UNANSWERED_GRACE_MS (or ever).
   */
  const reachable = () =>
    unanswered === 0 ||
    (unanswered < 3 && lastAnswerAt > 0 && Date.now() - lastAnswerAt < UNANSWERED_GRACE_MS);
  // addRelativeTo takes a union of every step's middleware type, which a lambda cannot be inferred from.
  ivs.middlewareStack.addRelativeTo(
    middleware as unknown as Parameters<IvsClient["middlewareStack"]["addRelativeTo"]>[0],
    { relation: "after", toMiddleware: "ivsBudget", name: "ivsReachability", override: true },
  );
  return {
    get lastOutcomeAt() {
      return lastOutcomeAt;
    },
    status(): IvsReachability {
      const up = reachable();
      return {
        reachable: up,
        ...(lastAnswerAt > 0 ? { lastAnswerAt: new Date(lastAnswerAt).toISOString() } : {}),
        ...(!up && lastError ? { lastError } : {}),
      };
    },
  };
}
