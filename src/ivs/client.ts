import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { IvsClient, type IvsClientConfig } from "@aws-sdk/client-ivs";
import type { IvsConfig } from "../config/gateway.ts";
import type { Logger } from "../logger.ts";
import { type GatewayMetrics, OK } from "../metrics.ts";
import { useTracedCalls } from "../telemetry/ivs-middleware.ts";
import type { Tracing } from "../telemetry/tracing.ts";
import type { RequestBudget } from "./budget.ts";
import { useBudget } from "./budget-middleware.ts";
import { useObservedCalls } from "./observe-middleware.ts";
import { outcomeOf } from "./outcome.ts";

export interface IvsClientOptions {
  /** Overrides `config.endpoint`; the embedded backend passes the emulator's URL here. Default none. */
  endpoint?: string;
  /** Where each call's operation, outcome and duration are counted. Default none (not recorded). */
  metrics?: GatewayMetrics;
  /** Logs each call at debug level (operation, outcome, duration, request id; never inputs). Default none. */
  logger?: Logger;
  /** The request budget every call (every attempt) takes a slot from. Default none (unpaced). */
  budget?: RequestBudget;
  /** A span per call (src/telemetry/ivs-middleware.ts). Default none (no middleware installed). */
  tracing?: Tracing;
}

/**
 * A signer that leaves requests as they are. The SDK lets a client replace its SigV4 signer through the
 * `signer` option; this is how unsigned (anonymous) requests are made.
 */
export const UNSIGNED = { sign: async <T>(request: T): Promise<T> => request };

/** Builds the gateway's IVS client from the validated configuration. */
export function createIvsClient(config: IvsConfig, options: IvsClientOptions = {}): IvsClient {
  const agent = { keepAlive: config.keepAlive };
  const client = new IvsClient({
    ...(config.region ? { region: config.region } : {}),
    ...endpointOf(config, options),
    ...credentialsOf(config),
    maxAttempts: config.maxAttempts,
    requestHandler: {
      connectionTimeout: config.connectTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      // Without this the SDK only warns when a request outlives requestTimeout.
      throwOnRequestTimeout: config.requestTimeoutMs > 0,
      // keepAlive false closes each connection after its response, for proxies that dislike idle sockets.
      httpAgent: new HttpAgent(agent),
      httpsAgent: new HttpsAgent(agent),
    },
  });
  if (options.metrics || options.logger) instrument(client, options.metrics, options.logger);
  if (options.budget) useBudget(client, options.budget);
  // Inside the budget's own throttle retries: the audit trail sees every attempt IVS answered.
  useObservedCalls(client, options.budget ? "ivsBudget" : "retryMiddleware");
  if (options.tracing) useTracedCalls(client, options.tracing);
  return client;
}

function endpointOf(config: IvsConfig, options: IvsClientOptions): Pick<IvsClientConfig, "endpoint"> {
  const endpoint = options.endpoint ?? config.endpoint;
  if (endpoint) return { endpoint };
  if (config.backend !== "aws") throw new Error(`the ${config.backend} IVS backend needs an endpoint`);
  return {};
}

function credentialsOf(config: IvsConfig): Partial<IvsClientConfig> {
  const c = config.credentials;
  switch (c.kind) {
    case "static":
      return {
        credentials: {
          accessKeyId: c.accessKeyId,
          secretAccessKey: c.secretAccessKey,
          ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
        },
      };
    case "profile":
      // The client's `profile` feeds the SDK's default chain (shared files, SSO, credential_process).
      return { profile: c.profile };
    case "anonymous":
      // Placeholder credentials keep the SDK from searching the default chain; UNSIGNED never uses them.
      return { credentials: { accessKeyId: "anonymous", secretAccessKey: "anonymous" }, signer: UNSIGNED };
    case "default":
      return {};
  }
}

/**
 * One middleware at the initialize step, so that a call counts once however many retries it took and
 * its duration includes them.
 */
function instrument(
  client: IvsClient,
  metrics: GatewayMetrics | undefined,
  logger: Logger | undefined,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
      const start = performance.now();
      const done = (outcome: string, requestId?: string) => {
        const seconds = (performance.now() - start) / 1000;
        metrics?.ivsRequests.inc({ operation, outcome });
        metrics?.ivsDuration.observe({ operation, outcome }, seconds);
        logger?.debug({ operation, outcome, ms: Math.round(seconds * 1000), requestId }, "ivs call");
      };
      try {
        const result = await next(args);
        done(OK, (result.output as { $metadata?: { requestId?: string } }).$metadata?.requestId);
        return result;
      } catch (error) {
        done(outcomeOf(error), (error as { $metadata?: { requestId?: string } }).$metadata?.requestId);
        throw error;
      }
    },
    { step: "initialize", name: "gatewayMetrics", override: true },
  );
}
