import type { Server } from "node:http";
import { MODEL } from "../model/ivs-model.generated.ts";
import { DemoBroadcasts, type DemoPhases } from "./broadcast/demo.ts";
import { broadcastRoutes } from "./broadcast/routes.ts";
import { BroadcastSimulator, type SimulatorOptions } from "./broadcast/simulator.ts";
import { createControlHandler } from "./control/router.ts";
import { coreRoutes } from "./control/routes.ts";
import { RequestCounters } from "./counters.ts";
import { EventBus } from "./events/bus.ts";
import { CloudTrail } from "./events/cloudtrail.ts";
import { EventDelivery } from "./events/delivery.ts";
import type { DeliveryOptions } from "./events/delivery-options.ts";
import { eventRoutes } from "./events/routes.ts";
import { type ApiFaultOptions, NO_API_FAULTS } from "./faults.ts";
import { Ids } from "./ids.ts";
import { DEFAULT_RESOURCE_LIMITS, type OperationContext, type ResourceLimits } from "./operations/context.ts";
import { type QuotaOptions, RateLimiter } from "./quotas.ts";
import { createRandom } from "./random.ts";
import { createServer, handleApiRequest, listen } from "./server.ts";
import { Persistence } from "./state/persistence.ts";
import { Store } from "./state/store.ts";

export interface EmulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 picks a free one. Default 4566. */
  port?: number;
  /** Region in ARNs, URLs and events. Default `us-west-2`. */
  region?: string;
  /** 12-digit account id in ARNs and events. Default `123456789012`. */
  account?: string;
  /** Request-rate quotas. Default on, at the published rates. */
  quotas?: Partial<QuotaOptions>;
  /** API fault injection. Default none. */
  faults?: Partial<ApiFaultOptions>;
  /** Resource-count quotas. Defaults in DEFAULT_RESOURCE_LIMITS. */
  limits?: Partial<ResourceLimits>;
  /** How long a new recording configuration stays CREATING. Default 1000 ms. */
  recordingActivationMs?: number;
  /**
   * JSON file that keeps resources across restarts; every write is synced to `<stateFile>.wal` before it is
   * answered. Default none (memory only).
   */
  stateFile?: string;
  /** Write-ahead log size that folds it into the state file. Default the larger of 8 MiB and twice the file. */
  stateFileCompactBytes?: number;
  /** Seed for fault draws, for reproducible runs. Default random. */
  seed?: number;
  /** EventBridge-style delivery to HTTP targets. Default no targets, no faults, 8 attempts, seed = `seed`. */
  events?: DeliveryOptions;
  /** "AWS API Call via CloudTrail" events for every successful write; switchable at runtime. Default true. */
  cloudTrailEvents?: boolean;
  /** Broadcast simulator knobs. Default Recording End after the full reconnect window, 15000 viewers. */
  broadcasts?: Partial<SimulatorOptions>;
  /** Phase lengths of `emulator.demo`'s schedule. Default DEFAULT_DEMO_PHASES (20 s live, 10 s offline). */
  demo?: Partial<DemoPhases>;
  /** Run the demo schedule from start() on every channel, present and created later. Default false. */
  demoBroadcasts?: boolean;
}

export interface Emulator {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Base URL once started, e.g. `http://127.0.0.1:4566`. */
  readonly url: string;
  readonly region: string;
  readonly account: string;
  readonly store: Store;
  readonly bus: EventBus;
  readonly broadcasts: BroadcastSimulator;
  /** Demo broadcasts on a loop (start/stop); stopped with the emulator. */
  readonly demo: DemoBroadcasts;
  readonly delivery: EventDelivery;
  /** The CloudTrail events' switch (`enabled`). */
  readonly cloudTrail: CloudTrail;
  readonly counters: RequestCounters;
  readonly limiter: RateLimiter;
  setFaults(faults: Partial<ApiFaultOptions>): void;
}

/** Creates an IVS emulator; nothing listens until `start()`. */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const host = options.host ?? "127.0.0.1";
  const region = options.region ?? "us-west-2";
  const account = options.account ?? "123456789012";
  if (!/^[0-9]{12}$/.test(account)) throw new Error(`account must be 12 digits, got ${account}`);
  if (!/^[a-z]{2}(-[a-z]+)+-[0-9]$/.test(region)) throw new Error(`region looks wrong: ${region}`);

  const ids = new Ids(region, account);
  const store = new Store();
  const now = () => new Date();
  const random = createRandom(options.seed);
  const counters = new RequestCounters();
  const limiter = new RateLimiter({ enabled: true, scale: 1, ...options.quotas });
  const limits = { ...DEFAULT_RESOURCE_LIMITS, ...options.limits };
  let faults: ApiFaultOptions = { ...NO_API_FAULTS, ...options.faults };
  const bus = new EventBus(ids, now);
  const delivery = new EventDelivery(options.events, options.seed);
  bus.addSink(delivery);
  const cloudTrail = new CloudTrail(bus, MODEL, ids, options.cloudTrailEvents ?? true);

  const persistence = options.stateFile
    ? new Persistence(store, { file: options.stateFile, compactBytes: options.stateFileCompactBytes })
    : undefined;
  // Timer-driven changes (broadcasts) are logged as soon as the log is free; API and control writes also
  // wait for `durable` before they answer. Without a state file both are nothing.
  const onChange = () => persistence?.touch();
  const durable = persistence ? () => persistence.durable() : undefined;

  const broadcasts = new BroadcastSimulator({
    store,
    ids,
    bus,
    limits,
    random,
    now,
    onChange,
    options: options.broadcasts,
  });
  const demo = new DemoBroadcasts({
    store,
    broadcasts,
    limits,
    // Its own generator: viewer counts must not shift a seeded run's fault draws.
    random: createRandom(options.seed === undefined ? undefined : options.seed + 1),
    phases: options.demo,
  });
  const context: OperationContext = {
    store,
    ids,
    region,
    account,
    limits,
    recordingActivationMs: options.recordingActivationMs ?? 1000,
    broadcasts,
    now,
  };

  const control = createControlHandler(
    [
      ...coreRoutes({
        store,
        counters,
        limiter,
        region,
        account,
        getFaults: () => faults,
        setFaults: (f) => {
          faults = f;
        },
        reset: () => {
          broadcasts.dispose();
          store.clear();
          counters.reset();
          limiter.reset();
          bus.clear();
          delivery.reset();
          onChange();
        },
      }),
      ...broadcastRoutes(broadcasts),
      ...eventRoutes(bus, delivery, cloudTrail),
    ],
    durable,
  );

  let server: Server | undefined;
  let url = "";
  const deps = { context, limiter, counters, faults: () => faults, random, durable, cloudTrail, control };

  return {
    get url() {
      if (!url) throw new Error("the emulator is not started");
      return url;
    },
    region,
    account,
    store,
    bus,
    broadcasts,
    demo,
    delivery,
    cloudTrail,
    counters,
    limiter,
    setFaults(f) {
      faults = { ...faults, ...f };
    },
    async start() {
      if (server) return;
      persistence?.open();
      server = createServer((req, res) => {
        handleApiRequest(deps, req, res).catch((error: unknown) => {
          console.error("[ivs-emulator] request failed:", error);
          if (!res.headersSent) res.writeHead(500).end();
        });
      });
      server.keepAliveTimeout = 5_000;
      let address: Awaited<ReturnType<typeof listen>>;
      try {
        address = await listen(server, host, options.port ?? 4566);
      } catch (error) {
        server = undefined;
        await persistence?.close();
        throw error;
      }
      const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
      url = `http://${shownHost}:${address.port}`;
      if (options.demoBroadcasts) demo.start();
    },
    async stop() {
      demo.stop();
      broadcasts.dispose();
      delivery.stop();
      const s = server;
      server = undefined;
      if (s)
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      // After the server: writes still waiting for the log are flushed, then the log is folded in.
      await persistence?.close();
    },
  };
}

export { DEFAULT_DEMO_PHASES, type DemoBroadcasts, type DemoPhases } from "./broadcast/demo.ts";
export type { IvsEvent } from "./events/bus.ts";
export { DEFAULT_RESOURCE_LIMITS, type ResourceLimits } from "./operations/context.ts";
export { RATE_LIMITS } from "./quotas.ts";
