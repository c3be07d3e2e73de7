import { IvsClient } from "@aws-sdk/client-ivs";
import { afterAll, beforeAll } from "vitest";
import { createEmulator, type Emulator, type EmulatorOptions } from "../../emulator/index.ts";
import { createGatewayApp, type GatewayYoga } from "../../src/app.ts";
import { createLiveEvents, type LiveEvents } from "../../src/live/index.ts";
import { type MirrorRuntime, startMirror } from "../../src/mirror/index.ts";
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
  /** The gateway's mirror of the emulator's account (memory, synced at start). */
  mirror: MirrorRuntime;
  /** Waits until what the emulator's events said is in the mirror and confirmed with IVS. */
  settle(): Promise<void>;
  /** Runs an operation in-process through `yoga.fetch` (no port). */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResult<T>>;
  /** Emulator request count of one operation since the last `resetCounts()`. */
  count(operation: string): number;
  /** Lets the mirror settle (what it does after events is not counted), then zeroes the counts. */
  resetCounts(): Promise<void>;
}

/** Starts an emulator (quotas off) and a gateway app on it for the file's tests. */
export function useGateway(options: EmulatorOptions = {}): GatewayHarness {
  const h = {} as GatewayHarness;
  let gatewayIvs: IvsClient | undefined;
  let live: LiveEvents | undefined;
  let mirror: MirrorRuntime | undefined;
  const ingesting = new Set<Promise<unknown>>();
  const settle = async () => {
    for (let i = 0; i < 400; i++) {
      await Promise.all([...ingesting]);
      const m = mirror;
      const synced = m && Object.values(m.status().synced).every(Boolean);
      if (ingesting.size === 0 && m && synced && !m.sync.confirming && m.mirror.channelFetcher.waiting === 0)
        return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error("the mirror did not settle within 2 s");
  };
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
    mirror = await startMirror({
      ivs: gatewayIvs,
      settings: {
        resyncMs: 3600_000,
        channelResyncMs: 3600_000,
        windowMs: 0,
        // In-process events arrive in microseconds: short waits keep tests quick and deterministic.
        delays: { ownWriteGraceMs: 50, sessionEndMs: 20, creatingPollMs: 20 },
      },
    });
    mirror.watch(live.hub);
    await live.start();
    await mirror.start();
    await mirror.synced();
    // The emulator's events reach the hub as EventBridge would deliver them, so that live status
    // (Channel.isLive and stream, read from the hub) and the mirror (CloudTrail events of calls made
    // straight to the emulator) follow what happens there.
    const events = live;
    emulator.bus.addSink({
      deliver: (event) => {
        const done = events.ingestor.ingest(event).finally(() => ingesting.delete(done));
        ingesting.add(done);
      },
    });
    const yoga = createGatewayApp({
      ivs: gatewayIvs,
      live: live.hub,
      mirror: mirror.mirror,
      graphiql: false,
      security: TEST_SECURITY,
    });
    Object.assign(h, {
      emulator,
      live,
      mirror,
      settle,
      ivs: mk(),
      yoga,
      async gql(query: string, variables?: Record<string, unknown>) {
        await settle();
        const res = await yoga.fetch("http://gateway/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", ...TEST_AUTH_HEADERS },
          body: JSON.stringify({ query, variables }),
        });
        return res.json();
      },
      count: (operation: string) => emulator.counters.get(operation).total,
      async resetCounts() {
        await settle();
        emulator.counters.reset();
      },
    });
  });
  afterAll(async () => {
    await mirror?.stop();
    await live?.stop();
    gatewayIvs?.destroy();
    h.ivs?.destroy();
    await h.emulator?.stop();
  });
  return h;
}
