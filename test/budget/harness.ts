import { IvsClient } from "@aws-sdk/client-ivs";
import { afterAll, beforeAll } from "vitest";
import type { EmulatorOptions } from "../../emulator/index.ts";
import { loadConfig } from "../../src/config/gateway.ts";
import { createLogger } from "../../src/logger.ts";
import { buildGateway, type Gateway, type GatewayDeps } from "../../src/server.ts";

export interface GraphQLResult<T = Record<string, unknown>> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface OperationCount {
  total: number;
  byStatus: Record<string, number>;
}

/** A real gateway process-in-a-test: HTTP server, budgeted IVS client, cache, hub. */
export interface RunningGateway {
  gateway: Gateway;
  /** The emulator every IVS call goes to (this gateway's own, or the one it was pointed at). */
  emulatorUrl: string;
  /** An SDK client straight to the emulator, outside any budget: for arranging state. */
  direct: IvsClient;
  /** The development token's header (empty with other auth settings). */
  authHeaders: Record<string, string>;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResult<T>>;
  /** The emulator's request counts per operation since the last reset. */
  counts(): Promise<Record<string, OperationCount>>;
  resetCounts(): Promise<void>;
  control(path: string, body?: unknown, method?: string): Promise<unknown>;
  /**
   * Runs `fn` with the emulator's quotas off, so that setup never spends the budget under test, and
   * lets the mirror take in what it did (its CloudTrail events).
   */
  arrange<T>(fn: () => Promise<T>): Promise<T>;
  /** Delivers the emulator's pending events and waits until the mirror has taken them in. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Every test gateway: quiet, no demo data, no per-caller rate limit (the tests are one caller), and
 * reconciliation only at start, so that no background ListStreams shows up in the counts.
 */
const BASE_ENV = {
  PORT: "0",
  SEED_DEMO_DATA: "false",
  LOG_LEVEL: "silent",
  RATE_LIMIT_PER_MINUTE: "0",
  RECONCILE_INTERVAL_MS: "3600000",
};

/**
 * Starts a gateway from environment variables, as main.ts would. Without IVS_ENDPOINT it embeds an
 * emulator enforcing IVS's real request quotas; with one (another gateway's emulator) it needs some
 * auth setting, e.g. AUTH_DISABLED=true.
 */
export async function startGateway(
  env: Record<string, string> = {},
  emulator: Partial<EmulatorOptions> = {},
  jobs: GatewayDeps["jobs"] = {},
): Promise<RunningGateway> {
  const gateway = buildGateway(loadConfig({ ...BASE_ENV, ...env }), {
    jobs,
    logger: createLogger({ level: "silent" }),
    emulator: { recordingActivationMs: 0, ...emulator },
    // Events arrive in milliseconds here: short waits keep tests quick and their counts settled.
    mirrorDelays: { ownWriteGraceMs: 100, sessionEndMs: 50, creatingPollMs: 50 },
  });
  await gateway.start();
  await gateway.mirror.synced();
  const emulatorUrl = gateway.emulatorUrl ?? (env.IVS_ENDPOINT as string);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (gateway.devToken) headers.authorization = `Bearer ${gateway.devToken}`;
  const direct = new IvsClient({
    region: "us-west-2",
    endpoint: emulatorUrl,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  const control = async (path: string, body?: unknown, method = "POST") => {
    const res = await fetch(`${emulatorUrl}/_emulator${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = res.status === 204 ? undefined : await res.json();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  /** Nothing the emulator said is still on its way, and the mirror has nothing left to confirm. */
  const settle = async () => {
    const until = Date.now() + 5000;
    for (;;) {
      await control("/event-deliveries/flush");
      const m = gateway.mirror;
      const synced = Object.values(m.status().synced).every(Boolean);
      if (synced && !m.sync.confirming && m.mirror.channelFetcher.waiting + m.mirror.keyFetcher.waiting === 0)
        return;
      if (Date.now() > until)
        throw new Error(
          `the mirror did not settle within 5 s: ${JSON.stringify({
            synced: m.status().synced,
            progress: m.status().progress,
            confirming: m.sync.confirming,
            waiting: m.mirror.channelFetcher.waiting + m.mirror.keyFetcher.waiting,
          })}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    gateway,
    emulatorUrl,
    direct,
    authHeaders: gateway.devToken ? { authorization: `Bearer ${gateway.devToken}` } : {},
    async gql(query, variables) {
      const res = await fetch(`${gateway.url}/graphql`, {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return res.json();
    },
    async counts() {
      const snapshot = (await control("/requests", undefined, "GET")) as {
        operations: Record<string, OperationCount>;
      };
      return snapshot.operations;
    },
    async resetCounts() {
      await settle();
      await control("/requests", undefined, "DELETE");
    },
    control,
    settle,
    async arrange(fn) {
      await control("/quotas", { enabled: false }, "PUT");
      try {
        const out = await fn();
        await settle();
        return out;
      } finally {
        await control("/quotas", { enabled: true }, "PUT");
      }
    },
    async stop() {
      direct.destroy();
      await gateway.stop();
    },
  };
}

/** A gateway for the file's tests (see startGateway), stopped after them. */
export function useGateway(env: Record<string, string> = {}, emulator: Partial<EmulatorOptions> = {}) {
  const h = {} as RunningGateway;
  beforeAll(async () => {
    Object.assign(h, await startGateway(env, emulator));
  });
  afterAll(async () => {
    await h.stop?.();
  });
  return h;
}

/** Total of one operation in counts, and its 429s. */
export function callsOf(counts: Record<string, OperationCount>, operation: string) {
  const c = counts[operation];
  return { total: c?.total ?? 0, throttled: c?.byStatus["429"] ?? 0 };
}
