import { randomUUID } from "node:crypto";
import type { IvsClient } from "@aws-sdk/client-ivs";
import type { Redis } from "ioredis";
import { inBackground } from "../ivs/scope.ts";
import { connectRedis, type RedisClientOptions } from "../redis/client.ts";
import { noteIngest, traceFanout, traceIngest } from "../telemetry/live.ts";
import type { Tracing } from "../telemetry/tracing.ts";
import { type Deduper, memoryDeduper, redisDeduper } from "./dedupe.ts";
import { type EventLog, memoryEventLog } from "./event-log.ts";
import { EventIngestor, type IngestOutcome } from "./ingest.ts";
import { createIngestHandler } from "./ingest-http.ts";
import { FOLLOW_UP_MS, LiveHub, type LiveHubOptions } from "./live-hub.ts";
import { redisEventLog } from "./redis-event-log.ts";
import { listLiveStreams } from "./snapshot.ts";

export interface LiveEventsOptions {
  ivs: IvsClient;
  /** Shares the event log, de-duplication and reconciliation turns among replicas. Default none (one process). */
  redisUrl?: string;
  /** Timeout and monitor of the Redis connections (src/redis/client.ts). Default its defaults. */
  redisOptions?: Pick<RedisClientOptions, "timeoutMs" | "monitor">;
  /** Prefix of every Redis key. Default `ivs-gateway:`. */
  redisKeyPrefix?: string;
  /** ListStreams reconciliation period. Default 30 s. */
  reconcileIntervalMs?: number;
  /** An event dated further ahead of its receipt is relayed but cannot move live status. Default 5 min. */
  clockSkewMs?: number;
  /** An event dated further before its receipt is relayed but cannot move live status. Default 24 h. */
  maxAgeMs?: number;
  /** Told of each event outside that window (src/live/live-hub.ts). Default none. */
  onOutOfWindow?: LiveHubOptions["onOutOfWindow"];
  /** How long missed events can be replayed after a reconnect. Default 1 h (Redis) / last 10,000 (memory). */
  replayRetentionMs?: number;
  /** What the in-memory log may hold, in bytes of serialized entries (EVENT_LOG_MAX_BYTES). Default 64 MiB. */
  logMaxBytes?: number;
  /** The key EventBridge sends in `ingestApiKeyHeader`. */
  ingestApiKey: string;
  /** Header carrying the key. Default `x-api-key`. */
  ingestApiKeyHeader?: string;
  /** Lists live streams; default ListStreams through `ivs`. */
  listLiveStreams?: () => Promise<import("./live-state.ts").SnapshotStream[]>;
  /** Counts each request to POST /events by outcome (ingest outcomes and refusals). */
  onIngest?: (outcome: IngestOutcome | "unauthorized" | "unsupported" | "too_large" | "bad_json") => void;
  onError?: (error: unknown, where: string) => void;
  /** Traces POST /events and the fan-outs to subscribers (src/telemetry). Default none (not traced). */
  tracing?: Tracing;
}

export type LiveEvents = Awaited<ReturnType<typeof createLiveEvents>>;

/** Assembles ingest, the shared log and the hub, on Redis when a URL is given and in memory otherwise. */
export async function createLiveEvents(options: LiveEventsOptions) {
  const prefix = options.redisKeyPrefix ?? "ivs-gateway:";
  const period = options.reconcileIntervalMs ?? 30_000;
  const { tracing } = options;
  const connections: Redis[] = [];
  let log: EventLog;
  let dedupe: Deduper;
  let claimReconciliation: ((turn: "period" | "follow-up") => Promise<boolean>) | undefined;
  if (options.redisUrl) {
    const connect = async (name: string, blocking: boolean) => {
      const r = await connectRedis(options.redisUrl as string, { ...options.redisOptions, name, blocking });
      connections.push(r);
      return r;
    };
    const [redis, reader] = await Promise.all([connect("events", false), connect("events-reader", true)]);
    log = redisEventLog({
      redis,
      reader,
      key: `${prefix}events`,
      retentionMs: options.replayRetentionMs ?? 3600_000,
    });
    dedupe = redisDeduper(prefix);
    const replica = randomUUID();
    // One replica per period lists streams; the others apply its snapshot from the log.
    // A follow-up (a viewer count after a start) has turns of its own, so that the period's does not stop it.
    claimReconciliation = async (turn) => {
      const [key, ms] =
        turn === "follow-up"
          ? [`${prefix}reconcile-follow-up`, FOLLOW_UP_MS - 100]
          : [`${prefix}reconcile-turn`, Math.max(1000, period - 250)];
      return (await redis.set(key, replica, "PX", ms, "NX")) === "OK";
    };
  } else {
    log = memoryEventLog(10_000, options.logMaxBytes);
    dedupe = memoryDeduper();
  }
  const hub = new LiveHub({
    log,
    // Reconciliation is background work: it takes only request budget that clients leave free.
    listLiveStreams:
      options.listLiveStreams ?? (() => inBackground(() => listLiveStreams(options.ivs), period)),
    reconcileIntervalMs: period,
    ...(options.clockSkewMs !== undefined ? { clockSkewMs: options.clockSkewMs } : {}),
    ...(options.maxAgeMs !== undefined ? { maxAgeMs: options.maxAgeMs } : {}),
    ...(options.onOutOfWindow ? { onOutOfWindow: options.onOutOfWindow } : {}),
    ...(claimReconciliation ? { claimReconciliation } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    ...(tracing ? { fanout: traceFanout(tracing) } : {}),
  });
  type Counted = Parameters<NonNullable<LiveEventsOptions["onIngest"]>>[0];
  const onIngest =
    tracing || options.onIngest
      ? (outcome: Counted, kind?: string) => {
          options.onIngest?.(outcome);
          if (tracing) noteIngest(tracing, outcome, kind);
        }
      : undefined;
  const ingestor = new EventIngestor({ log, dedupe, ...(onIngest ? { count: onIngest } : {}) });
  const handler = createIngestHandler({
    ingestor,
    apiKey: options.ingestApiKey,
    ...(options.ingestApiKeyHeader ? { apiKeyHeader: options.ingestApiKeyHeader } : {}),
    ...(onIngest ? { onRefused: onIngest } : {}),
  });
  const ingestHandler = tracing ? traceIngest(handler, tracing) : handler;
  return {
    hub,
    /** The shared log itself (the mirror replays what it holds since the saved mirror). */
    log,
    ingestor,
    ingestHandler,
    start: () => hub.start(),
    async stop() {
      await hub.stop();
      for (const r of connections) r.disconnect();
    },
  };
}
