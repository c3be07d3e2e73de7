import { IvsClient } from "@aws-sdk/client-ivs";
import { afterAll, beforeAll } from "vitest";
import { createEmulator, type Emulator, type EmulatorOptions } from "../../emulator/index.ts";
import { createGatewayApp, type GatewayYoga } from "../../src/app.ts";
import { createLiveEvents, type LiveEvents } from "../../src/subscriptions/index.ts";
import { TEST_AUTH_HEADERS, TEST_SECURITY } from "./test-auth.ts";

export interface GraphQLResult<T = Record<string, unknown>> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export interface GatewayHarness {
  emulator: Emulator;
  /** Direct SDK access to the emulator, for arranging state and checking effects. */
  ivs: IvsClient;
  yoga: GatewayYoga;
  /** In-memory live events (no Redis): ingest and hub. */
  live: LiveEvents;
  /** Runs an operation in-process through `yoga.fetch` (no port). */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResult<T>>;
  /** Emulator request count of one operation since the last `resetCounts()`. */
  count(operation: string): number;
  resetCounts(): void;
}

/** Starts an emulator (quotas off) and a gateway app on it for the file's tests. */
export function useGateway(options: EmulatorOptions = {}): GatewayHarness {
  const h = {} as GatewayHarness;
  let gatewayIvs: IvsClient | undefined;
  let live: LiveEvents | undefined;
  beforeAll(async () => {
    const emulator = createEmulator({
      port: 0,
      quotas: { enabled: false },
      recordingActivationMs: 0,
      ...options,
    });
    await emulator.start();
    const mk = () =>
      new IvsClient({
        region: emulator.region,
        endpoint: emulator.url,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 1,
      });
    gatewayIvs = mk();
    live = await createLiveEvents({
      ivs: gatewayIvs,
      ingestApiKey: "test-ingest-key-0123456789",
      reconcileIntervalMs: 3600_000,
    });
    await live.start();
    // The emulator's events reach the hub as EventBridge would deliver them, so that live status
    // (Channel.isLive and stream, read from the hub) follows the emulator's broadcasts.
    const events = live;
    emulator.bus.addSink({ deliver: (event) => void events.ingestor.ingest(event) });
    const yoga = createGatewayApp({
      ivs: gatewayIvs,
      live: live.hub,
      graphiql: false,
      security: TEST_SECURITY,
    });
    Object.assign(h, {
      emulator,
      live,
      ivs: mk(),
      yoga,
      async gql(query: string, variables?: Record<string, unknown>) {
        const res = await yoga.fetch("http://gateway/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", ...TEST_AUTH_HEADERS },
          body: JSON.stringify({ query, variables }),
        });
        return res.json();
      },
      count: (operation: string) => emulator.counters.get(operation).total,
      resetCounts: () => emulator.counters.reset(),
    });
  });
  afterAll(async () => {
    await live?.stop();
    gatewayIvs?.destroy();
    h.ivs?.destroy();
    await h.emulator?.stop();
  });
  return h;
}
