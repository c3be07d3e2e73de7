import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { IvsClient } from "@aws-sdk/client-ivs";
import type { TracerProvider } from "@opentelemetry/api";
import type { Plugin } from "graphql-yoga";
// The one place the gateway imports the emulator: the embedded backend runs it in-process.
import { createEmulator, type Emulator, type EmulatorOptions } from "../emulator/index.ts";
import { createGatewayApp, type GatewayYoga } from "./app.ts";
import { memoryAuditLog, redisAuditLog } from "./audit/log.ts";
import { originAllowed, sameOrigin } from "./auth/cors.ts";
import { principalCaps } from "./auth/principal-caps.ts";
import { type SecuritySetup, setUpSecurity } from "./auth/setup.ts";
import { describeConfig, type GatewayConfig } from "./config/gateway.ts";
import { ConfigError } from "./config/primitives.ts";
import { type DemoBroadcaster, type DemoSummary, demoBroadcastChannels, seedDemoData } from "./demo/seed.ts";
import { loadTrustedDocuments } from "./documents/index.ts";
import { type DrainReport, drainHttp, InFlightRequests } from "./http/drain.ts";
import { closeAfterRefusal } from "./http/refusal.ts";
import { type SseTransport, sseTransport } from "./http/transport-sse.ts";
import { attachGraphqlWs } from "./http/transport-ws.ts";
import { type IdempotencyStore, memoryIdempotencyStore, redisIdempotencyStore } from "./idempotency/store.ts";
import { type IvsRuntime, startIvsRuntime } from "./ivs/runtime.ts";
import { createSecretBox } from "./ivs/secret-box.ts";
import { redisJobStore } from "./jobs/redis-store.ts";
import { JobRunner, type JobRunnerOptions } from "./jobs/runner.ts";
import { memoryJobStore } from "./jobs/store.ts";
import { createLiveEvents, type LiveEvents } from "./live/index.ts";
import { sharedLiveStreams } from "./loaders/stream.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createMetrics, type GatewayMetrics } from "./metrics.ts";
import { type MirrorRuntime, type MirrorStatus, startMirror } from "./mirror/index.ts";
import type { SyncDelays } from "./mirror/sync.ts";
import { graphiqlOptions } from "./pages/graphiql.ts";
import { serveLiveStatusPage } from "./pages/live-status.ts";
import { useLogging, yogaLogger } from "./plugins/use-logging.ts";
import { useMetrics } from "./plugins/use-metrics.ts";
import { RedisMonitor } from "./redis/monitor.ts";
import { schema } from "./schema/index.ts";
import { noteMirrorLookup } from "./telemetry/plugin.ts";
import { createTracing, type Tracing } from "./telemetry/tracing.ts";

export interface GatewayDeps {
  /** Default: a pino logger at `config.logLevel` writing to stdout. */
  logger?: Logger;
  /** Default: a fresh registry with process metrics. */
  metrics?: GatewayMetrics;
  /** Extra options for the embedded emulator (tests turn quotas off). Default none. */
  emulator?: Partial<EmulatorOptions>;
  /** Yoga plugins added after metrics and logging. Default none. */
  plugins?: Plugin[];
  /** Where Idempotency-Key results are kept. Default Redis when configured (`<prefix>idem:`), else memory. */
  idempotency?: IdempotencyStore;
  /** Job runner settings (tests shorten leases and scans). Default JobRunner's defaults. */
  jobs?: Partial<Pick<JobRunnerOptions, "leaseMs" | "scanMs" | "concurrency" | "attempts">>;
  /** Waits of the mirror's sync loop (tests shorten them). Default SyncDelays' defaults. */
  mirrorDelays?: Partial<SyncDelays>;
  /** Traces into this provider (tests: an in-memory exporter), whatever OTEL_TRACES_EXPORTER says. Default per config. */
  tracerProvider?: TracerProvider & { forceFlush?(): Promise<void> };
}

export interface Gateway {
  start(): Promise<void>;
  /**
   * Stops gracefully: refuses new connections, answers /ready 503, closes graphql-ws sockets with 1001
   * and ends SSE streams (clients reconnect elsewhere and resume with lastEventId), gives in-flight
   * requests up to `timeoutMs` (default DRAIN_TIMEOUT_MS), then stops like `stop()`.
   */
  drain(timeoutMs?: number): Promise<DrainReport>;
  /** Stops now: in-flight requests are cut (a drain under way is cut short), then jobs, mirror, IVS, emulator. */
  stop(): Promise<void>;
  /** True from the start of a drain (or stop) until it is over. */
  readonly draining: boolean;
  /** Base URL once started, e.g. `http://127.0.0.1:4000`; GraphQL is at `${url}/graphql`. */
  readonly url: string;
  /** The embedded emulator's URL, or undefined for the other backends. */
  readonly emulatorUrl: string | undefined;
  /** What the demo seed created, when it ran. */
  readonly demo: DemoSummary | undefined;
  readonly ivs: IvsClient;
  /** Live status hub and event ingest. */
  readonly live: LiveEvents;
  /** The mirror of the IVS account reads are answered from, and its sync loop. */
  readonly mirror: MirrorRuntime;
  /** Bulk jobs run by this replica (and, with Redis, resumed from others). */
  readonly jobs: JobRunner;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** Development mode only (embedded, no auth configured): the bearer token minted at start. */
  readonly devToken: string | undefined;
}

/** Assembles the gateway process from its configuration; nothing listens until `start()`. */
export function buildGateway(config: GatewayConfig, deps: GatewayDeps = {}): Gateway {
  const logger = deps.logger ?? createLogger({ level: config.logLevel });
  const metrics = deps.metrics ?? createMetrics();
  // Every Redis connection's errors, rate-limited into the logger, and their state for /ready (src/redis).
  const redisMonitor = new RedisMonitor({ logger });
  let emulator: Emulator | undefined;
  let ivs: IvsClient | undefined;
  let ivsRuntime: IvsRuntime | undefined;
  let mirror: MirrorRuntime | undefined;
  let jobs: JobRunner | undefined;
  let yoga: GatewayYoga | undefined;
  let server: Server | undefined;
  let live: LiveEvents | undefined;
  let ws: ReturnType<typeof attachGraphqlWs> | undefined;
  let sse: SseTransport | undefined;
  let inFlight = new InFlightRequests();
  let draining: { done: Promise<DrainReport>; cut: () => void } | undefined;
  let url = "";
  let demo: DemoSummary | undefined;
  let security: SecuritySetup | undefined;
  let tracing: Tracing | undefined;

  const health = () => ({
    ok: true,
    ivs: {
      backend: config.ivs.backend,
      region: config.ivs.region,
      endpoint: emulator?.url ?? config.ivs.endpoint,
    },
    emulator: emulator ? { url: emulator.url } : undefined,
    live: live
      ? {
          redis: Boolean(config.redisUrl),
          reconciledAt: live.hub.reconciledAt ? new Date(live.hub.reconciledAt).toISOString() : null,
          ingest: Boolean(ingestKey),
        }
      : undefined,
    mirror: mirror ? mirrorHealth(mirror.status()) : undefined,
    // Liveness stays 200 while draining or while a dependency is down: /ready is what a load balancer watches.
    draining: Boolean(draining),
    ...readiness(),
  });

  /**
   * Readiness: not while starting or draining, nor while IVS does not answer (recent calls, or an idle-time
   * probe), nor while a configured Redis is down, nor until the mirror holds every account-level list.
   */
  const readiness = (ignore: ReadonlySet<string> = new Set()) => {
    const reasons: string[] = [];
    if (draining) reasons.push("draining");
    else if (!yoga) reasons.push("starting");
    const ivsState = ivsRuntime?.reachability();
    if (ivsState && !ivsState.reachable && !ignore.has("ivs")) reasons.push("ivs unreachable");
    const redisState = config.redisUrl ? redisMonitor.status() : undefined;
    if (redisState && !redisState.up && !ignore.has("redis")) reasons.push("redis unreachable");
    const mirrorState = mirror?.readiness();
    if (mirrorState && !mirrorState.ready && !ignore.has("mirror")) reasons.push("mirror syncing");
    return {
      ready: reasons.length === 0,
      ...(reasons[0] ? { reason: reasons[0], reasons } : {}),
      checks: { ivs: ivsState, redis: redisState, mirror: mirrorState },
    };
  };

  // Embedded mode wires the emulator's event delivery to our own ingest, so it needs a key even if none is set.
  const ingestKey =
    config.events.apiKey ?? (config.emulator ? randomBytes(24).toString("base64url") : undefined);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://gateway").pathname;
    // Listening starts before the rest (see start()): until then these say so, and when to come back.
    if ((path === "/graphql" && !yoga) || (path === "/events" && !url))
      return sendUnavailable(res, draining ? "stopping" : "starting");
    if (path === "/graphql" && yoga) return yoga(req, res);
    if (path === "/events") {
      if (!live || !ingestKey)
        return sendJson(res, 503, { error: "event ingest is off: set EVENTS_API_KEY" });
      return live.ingestHandler(req, res);
    }
    if (path === "/health" && req.method === "GET") return sendJson(res, 200, health());
    if (path === "/ready" && req.method === "GET") {
      // `?ignore=redis` (or ivs, mirror): a probe that keeps a replica in rotation through that outage, since
      // every replica sees the same Redis and IVS and would leave together (docs/deployment.md).
      const ignore = new URL(req.url ?? "/", "http://gateway").searchParams.get("ignore");
      const state = readiness(new Set(ignore?.split(",").map((s) => s.trim()) ?? []));
      return sendJson(res, state.ready ? 200 : 503, state);
    }
    if (config.development.livePage && (req.method === "GET" || req.method === "HEAD")) {
      if (path === "/live") return serveLiveStatusPage(req, res, security?.devToken);
      if (path === "/") return void res.writeHead(302, { location: "/live" }).end();
    }
    if (path === "/metrics" && req.method === "GET") {
      const counts = live?.hub.subscriberCounts();
      metrics.subscribers.set({ kind: "channel_status" }, counts?.channelSubscriptions ?? 0);
      // A shared stream is one hub subscription read by many: the gauge counts the subscribers.
      const sharing = ws?.sharing();
      const events = (counts?.events ?? 0) - (sharing?.streams ?? 0) + (sharing?.subscribers ?? 0);
      metrics.subscribers.set({ kind: "events" }, events);
      metrics.subscribers.set({ kind: "websocket" }, ws?.connections() ?? 0);
      metrics.subscribers.set({ kind: "sse" }, sse?.streams() ?? 0);
      if (mirror) sampleMirror(metrics, mirror.status());
      res.writeHead(200, { "content-type": metrics.registry.contentType });
      return void res.end(await metrics.registry.metrics());
    }
    sendJson(res, 404, { error: `nothing at ${req.method} ${path}; GraphQL is at /graphql` });
  };

  /** The HTTP side of a drain (src/http/drain.ts); then the rest of the gateway, in dependency order. */
  const shutDown = async (timeoutMs: number, cut: Promise<void>): Promise<DrainReport> => {
    const s = server;
    const sockets = ws;
    const streams = sse;
    ws = undefined;
    sse = undefined;
    let report: DrainReport = {
      websockets: 0,
      sseStreams: 0,
      requests: 0,
      requestsFinished: 0,
      requestsCut: 0,
      ms: 0,
    };
    if (s) {
      report = await drainHttp({
        server: s,
        requests: inFlight,
        timeoutMs,
        cut,
        closeWebSockets: async () => (await sockets?.close()) ?? 0,
        endStreams: () => streams?.drain() ?? 0,
      });
      logger.info({ ...report, timeoutMs }, "drained");
    }
    server = undefined;
    await yoga?.dispose();
    yoga = undefined;
    await security?.stop();
    security = undefined;
    // Before the mirror and IVS client: a job gives its lease up, for another replica to resume it.
    await jobs?.stop();
    jobs = undefined;
    await mirror?.stop();
    mirror = undefined;
    await live?.stop();
    live = undefined;
    await ivsRuntime?.stop();
    ivsRuntime = undefined;
    await emulator?.stop();
    emulator = undefined;
    // Last: what was traced until here is exported before the process goes.
    await tracing
      ?.shutdown()
      .catch((error: unknown) => logger.warn({ err: error }, "exporting traces failed"));
    tracing = undefined;
    url = "";
    return report;
  };

  const drain = (timeoutMs = config.drainTimeoutMs): Promise<DrainReport> => {
    if (!draining) {
      let cut = () => {};
      const cutting = new Promise<void>((resolve) => {
        cut = resolve;
      });
      const done = shutDown(timeoutMs, cutting).finally(() => {
        draining = undefined;
      });
      draining = { done, cut };
    }
    return draining.done;
  };

  const stop = async (): Promise<void> => {
    if (draining) {
      draining.cut();
      await draining.done;
      return;
    }
    await drain(0);
  };

  return {
    get url() {
      if (!url) throw new Error("the gateway is not started");
      return url;
    },
    get emulatorUrl() {
      return emulator?.url;
    },
    get demo() {
      return demo;
    },
    get devToken() {
      return security?.devToken;
    },
    get ivs() {
      if (!ivs) throw new Error("the gateway is not started");
      return ivs;
    },
    get live() {
      if (!live) throw new Error("the gateway is not started");
      return live;
    },
    get mirror() {
      if (!mirror) throw new Error("the gateway is not started");
      return mirror;
    },
    get jobs() {
      if (!jobs) throw new Error("the gateway is not started");
      return jobs;
    },
    metrics,
    logger,
    async start() {
      if (server) return;
      logger.info({ config: describeConfig(config) }, "starting");
      try {
        // First: a gateway that cannot authenticate must not start an emulator or listen at all.
        security = await setUpSecurity(config, logger, redisMonitor);
        // A bad TRUSTED_DOCUMENTS manifest (unreadable, or a document the schema refuses) stops the start here.
        const documents = await loadTrustedDocuments(config, schema, logger);
        // Bound before anything slow (emulator, IVS checks, the mirror's crawl): a taken PORT fails at once,
        // and /health answers while the rest starts (/graphql and /events answer 503 until it is done).
        // A fresh count per start: a drain leaves the last one closing every connection.
        inFlight = new InFlightRequests();
        const listener = createServer((req, res) => {
          inFlight.track(req, res);
          closeAfterRefusal(req, res);
          handle(req, res).catch((error: unknown) => {
            // The path only: a query string may carry a token someone put there.
            logger.error({ err: error, path: req.url?.split("?")[0] }, "request failed");
            if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
            else res.end();
          });
        });
        const address = await listen(listener, config.host, config.port);
        server = listener;
        const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
        const listeningUrl = `http://${host}:${address.port}`;
        if (config.emulator) {
          emulator = await startEmulator(
            {
              host: "127.0.0.1",
              port: config.emulator.port,
              ...(config.ivs.region ? { region: config.ivs.region } : {}),
              ...deps.emulator,
            },
            config.emulator.portFallback,
            logger,
          );
          logger.info({ url: emulator.url, region: emulator.region }, "embedded IVS emulator started");
        }
        // The budgeted client (src/ivs/runtime.ts).
        // Before the IVS client, which gets its tracing middleware only when tracing is on (src/telemetry).
        tracing = createTracing(
          config.telemetry,
          deps.tracerProvider ? { provider: deps.tracerProvider } : {},
        );
        ivsRuntime = await startIvsRuntime(config, {
          endpoint: emulator?.url,
          metrics,
          logger,
          redisMonitor,
          ...(tracing ? { tracing } : {}),
        });
        ivs = ivsRuntime.ivs;
        await checkRegion(ivs);
        if (emulator && config.emulator?.seedDemoData) {
          demo = await seedDemoData(ivs, demoBroadcaster(emulator), logger);
        }
        if (!ingestKey)
          logger.warn(
            "EVENTS_API_KEY is not set: POST /events is off, live status comes from reconciliation only",
          );
        // The copy of the account every read is answered from: loaded from Redis, or crawled (src/mirror).
        const runtime = ivsRuntime;
        mirror = await startMirror({
          ivs,
          budget: runtime.budget,
          settings: {
            ...config.mirror,
            eventWindow: { clockSkewMs: config.events.clockSkewMs, maxAgeMs: config.events.maxAgeMs },
            ...(deps.mirrorDelays ? { delays: deps.mirrorDelays } : {}),
          },
          ...(runtime.redis
            ? {
                redis: {
                  commands: runtime.redis,
                  connect: () => runtime.connectRedis(),
                  prefix: config.redisKeyPrefix,
                },
              }
            : {}),
          logger,
          onLookup: (kind, outcome) => {
            metrics.mirrorReads.inc({ kind, outcome });
            if (tracing) noteMirrorLookup(tracing, kind, outcome);
          },
        });
        // An IVS_ENDPOINT (or region) nothing answers at fails the start now, naming the variable; unless a
        // mirror saved in Redis lets this replica answer reads meanwhile (it starts not ready).
        await runtime.checkReachable(!mirror.loadedFromRedis);
        live = await createLiveEvents({
          ivs,
          ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
          redisOptions: { timeoutMs: config.redisTimeoutMs, monitor: redisMonitor },
          redisKeyPrefix: config.redisKeyPrefix,
          reconcileIntervalMs: config.events.reconcileIntervalMs,
          clockSkewMs: config.events.clockSkewMs,
          maxAgeMs: config.events.maxAgeMs,
          onOutOfWindow: (side) => metrics.eventsOutOfWindow.inc({ side }),
          replayRetentionMs: config.events.replayRetentionMs,
          logMaxBytes: config.events.logMaxBytes,
          ingestApiKey: ingestKey ?? randomBytes(24).toString("base64url"),
          ingestApiKeyHeader: config.events.apiKeyHeader,
          onIngest: (outcome) => metrics.eventsIngested.inc({ outcome }),
          onError: (err, where) => logger.warn({ err, where }, "live events"),
          ...(tracing ? { tracing } : {}),
        });
        mirror.watch(live.hub);
        await live.start();
        await mirror.replay(live.log);
        await mirror.start();
        // The audit trail: a capped stream every replica reads with Redis, else this process's memory.
        const auditOptions = { maxRecords: config.writes.auditMaxRecords, logger };
        const audit = runtime.redis
          ? redisAuditLog({ ...auditOptions, redis: runtime.redis, key: `${config.redisKeyPrefix}audit` })
          : memoryAuditLog(auditOptions);
        // Bulk jobs: in Redis when configured, where they outlive the replica that ran them (src/jobs).
        const liveStreams = sharedLiveStreams(ivs);
        jobs = new JobRunner({
          store: runtime.redis ? redisJobStore(runtime.redis, config.redisKeyPrefix) : memoryJobStore(),
          ivs,
          mirror: mirror.mirror,
          live: live.hub,
          liveStreams,
          logger,
          retentionMs: config.writes.jobRetentionMs,
          leaseMs: config.writes.jobLeaseMs,
          audit,
          ...deps.jobs,
        });
        jobs.start();
        // SSE subscriptions: written with event ids, and ended by a drain (src/http/transport-sse.ts).
        // One count per principal for SSE and graphql-ws together (src/auth/principal-caps.ts).
        const caps = principalCaps({
          maxSubscriptions: config.limits.maxSubscriptionsPerPrincipal,
          maxConnections: config.limits.maxConnectionsPerPrincipal,
        });
        const streams = sseTransport({ caps });
        sse = streams;
        yoga = createGatewayApp({
          jobs,
          liveStreams,
          audit,
          ivs,
          live: live.hub,
          mirror: mirror.mirror,
          ivsDeadlineMs: config.budget.deadlineMs,
          security: security.security,
          idempotency:
            deps.idempotency ??
            (runtime.redis
              ? redisIdempotencyStore({
                  redis: runtime.redis,
                  prefix: `${config.redisKeyPrefix}idem:`,
                  ttlMs: config.writes.idempotencyTtlMs,
                  // The key that seals the mirror's secrets in Redis seals stored results too.
                  ...(config.mirror.secretKey ? { box: createSecretBox(config.mirror.secretKey) } : {}),
                })
              : memoryIdempotencyStore({ ttlMs: config.writes.idempotencyTtlMs })),
          logging: yogaLogger(logger),
          ...(tracing ? { tracing } : {}),
          ...(documents ? { documents } : {}),
          plugins: [useMetrics({ metrics }), useLogging({ logger }), streams.plugin, ...(deps.plugins ?? [])],
          graphiql:
            config.development.graphiql &&
            graphiqlOptions({
              ...(security.devToken ? { devToken: security.devToken } : {}),
              csrfPrevention: config.limits.csrfPrevention,
              ...(demo
                ? { exampleChannelArn: demo.liveChannelArn, liveExampleArns: Object.values(demo.channels) }
                : {}),
            }),
        });
        url = listeningUrl;
        ws = attachGraphqlWs(listener, yoga, {
          authenticator: security.security.authenticator,
          ...(security.security.rateLimit ? { rateLimit: security.security.rateLimit } : {}),
          maxPayload: config.limits.maxBodyBytes,
          caps,
          ...(documents ? { documents } : {}),
          // Ambient credentials: a page on another site must not open a socket that needs no token.
          ...(config.limits.csrfPrevention
            ? {
                allowOrigin: (origin: string, host: string | undefined) =>
                  sameOrigin(origin, host) || originAllowed(config.limits.corsOrigins, origin),
              }
            : {}),
        });
        if (emulator && ingestKey) {
          // The emulator delivers its events to us the way an EventBridge API destination would.
          emulator.delivery.addTarget({
            url: `${url}/events`,
            apiKeyHeader: config.events.apiKeyHeader,
            apiKey: ingestKey,
          });
        }
        // Once the emulator's events reach us: the first demo start is then an event, not a reconciliation.
        if (emulator && config.emulator?.demoBroadcasts) {
          const cycled = demo ? demoBroadcastChannels(demo) : [];
          if (cycled.length > 0) emulator.demo.start(cycled);
          else logger.warn("DEMO_BROADCASTS needs the demo channels (SEED_DEMO_DATA); no demo broadcasts");
        }
        logger.info({ url, backend: config.ivs.backend }, "gateway listening");
      } catch (error) {
        // A half-started gateway would keep the emulator's port and the process alive.
        await stop();
        throw error;
      }
    },
    drain,
    stop,
    get draining() {
      return Boolean(draining);
    },
  };
}

/**
 * Starts the embedded emulator on its port; when that port is only the default (EMULATOR_PORT unset)
 * and something else holds it, on any free port instead.
 */
async function startEmulator(options: EmulatorOptions, fallback: boolean, logger: Logger): Promise<Emulator> {
  const first = createEmulator(options);
  try {
    await first.start();
    return first;
  } catch (error) {
    await first.stop().catch(() => {});
    if (!fallback || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    logger.warn(
      { port: options.port },
      "the embedded emulator's default port is taken; using a free port (set EMULATOR_PORT to choose)",
    );
    const other = createEmulator({ ...options, port: 0 });
    await other.start();
    return other;
  }
}

/** For `aws` without a region variable the SDK looks in the profile; fail now rather than on the first query. */
async function checkRegion(ivs: IvsClient): Promise<void> {
  try {
    await ivs.config.region();
  } catch {
    throw new ConfigError(
      "AWS_REGION",
      "is not set and the AWS profile names no region; set AWS_REGION or IVS_REGION",
    );
  }
}

/** The embedded emulator's broadcast simulator, seen through the seed's narrow interface. */
function demoBroadcaster(emulator: Emulator): DemoBroadcaster {
  return {
    start: async (channelArn, viewerCount) => void emulator.broadcasts.start({ channelArn, viewerCount }),
    end: async (channelArn) => void emulator.broadcasts.end(channelArn),
  };
}

/** Listens on PORT; a port (or HOST) that cannot be had is a configuration error naming the variable. */
function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => {
      // The system's code stays on the error (callers match on it), the message names the variable.
      const named = (variable: string, message: string) =>
        reject(Object.assign(new ConfigError(variable, message), { code: error.code, cause: error }));
      if (error.code === "EADDRINUSE")
        return named(
          "PORT",
          `${port} is in use (EADDRINUSE) on ${host}; set PORT to another port or stop what holds it`,
        );
      if (error.code === "EACCES")
        return named("PORT", `${port} may not be bound by this user (EACCES); set PORT to a port above 1023`);
      if (error.code === "EADDRNOTAVAIL")
        return named("HOST", `${host} is not an address of this machine (EADDRNOTAVAIL)`);
      reject(error);
    };
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** What /health says of the mirror: synced kinds, sizes and staleness. */
function mirrorHealth(status: MirrorStatus) {
  return {
    leader: status.leader,
    synced: status.synced,
    resources: status.resources,
    oldestAgeSeconds: Object.fromEntries(
      Object.entries(status.oldestAgeSeconds).map(([kind, s]) => [kind, Math.round(s)]),
    ),
  };
}

function sampleMirror(metrics: GatewayMetrics, status: MirrorStatus): void {
  for (const [kind, synced] of Object.entries(status.synced))
    metrics.mirrorSynced.set({ kind }, synced ? 1 : 0);
  for (const [kind, n] of Object.entries(status.resources)) metrics.mirrorResources.set({ kind }, n);
  for (const [kind, s] of Object.entries(status.oldestAgeSeconds)) metrics.mirrorOldestAge.set({ kind }, s);
  const { channels, keyLists, sessionLists } = status.progress;
  const parts = {
    "channel-details": { done: channels.detailed, total: channels.total },
    "key-lists": keyLists,
    "session-lists": sessionLists,
  };
  for (const [part, p] of Object.entries(parts)) {
    metrics.mirrorCrawl.set({ part, state: "done" }, p.done);
    metrics.mirrorCrawl.set({ part, state: "total" }, p.total);
  }
  metrics.mirrorLeader.set(status.leader ? 1 : 0);
}

/** 503 while the gateway is starting (it listens first) or stopping: a load balancer or client retries. */
function sendUnavailable(res: ServerResponse, state: "starting" | "stopping"): void {
  res.setHeader("retry-after", "5");
  sendJson(res, 503, { error: `the gateway is ${state}; retry shortly` });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}
