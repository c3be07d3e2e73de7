import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll } from "vitest";
import { loadConfig } from "../../src/config/gateway.ts";
import { createLogger } from "../../src/logger.ts";
import { buildGateway, type Gateway, type GatewayDeps } from "../../src/server.ts";

export interface TracedGateway {
  gateway: Gateway;
  /** POST /graphql with the development token and any extra headers. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ data?: T; errors?: { message: string; extensions?: { code?: string } }[] }>;
}

/**
 * A real gateway (HTTP, graphql-ws, the embedded emulator with its demo data) on free ports for the
 * file's tests, stopped after them; `env` on top of PORT=0, EMULATOR_PORT=0, LOG_LEVEL=silent.
 */
export function useTracedGateway(
  env: Record<string, string>,
  deps: () => Pick<GatewayDeps, "tracerProvider"> = () => ({}),
): TracedGateway {
  const h = {} as TracedGateway;
  beforeAll(async () => {
    const config = loadConfig({
      PORT: "0",
      EMULATOR_PORT: "0",
      LOG_LEVEL: "silent",
      // Demo broadcasts would cycle on their own; the tests make the events they look for.
      DEMO_BROADCASTS: "false",
      ...env,
    });
    const gateway = buildGateway(config, { logger: createLogger({ level: "silent" }), ...deps() });
    await gateway.start();
    await gateway.mirror.synced();
    const authorization = `Bearer ${gateway.devToken}`;
    Object.assign(h, {
      gateway,
      async gql(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
        const res = await fetch(`${gateway.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization, ...headers },
          body: JSON.stringify({ query, variables }),
        });
        return res.json();
      },
    });
  });
  afterAll(async () => {
    await h.gateway?.stop();
  });
  return h;
}

export const DASHBOARD = `query Dashboard { channels(first: 50) { edges { node {
  arn name isLive stream { viewerCount } streamKeys { arn } recordingConfiguration { name }
} } } }`;

/** The spans of one trace, and helpers to walk it. */
export function treeOf(spans: readonly ReadableSpan[], traceId: string) {
  const own = spans.filter((s) => s.spanContext().traceId === traceId);
  return {
    spans: own,
    childrenOf: (parent: ReadableSpan) =>
      own.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId),
  };
}

export const isOperation = (s: ReadableSpan) => s.attributes["graphql.operation.type"] !== undefined;
export const isIvsCall = (s: ReadableSpan) => s.attributes["rpc.system"] === "aws-api";
