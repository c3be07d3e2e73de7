import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Outcome label of a successful call or operation; failures carry the error's name instead. */
export const OK = "ok";

export interface GatewayMetrics {
  registry: Registry;
  /**
   * GraphQL operations by name, type (query, mutation, subscription) and outcome (ok, error, invalid).
   * The name is the only label a client chooses: src/plugins/use-metrics.ts bounds it to 64 characters
   * and 100 distinct values (then `other`); every other label comes from a fixed set or from IVS.
   */
  graphqlOperations: Counter<"operation" | "type" | "outcome">;
  graphqlDuration: Histogram<"operation" | "type">;
  /** IVS calls by SDK operation (e.g. ListChannels) and outcome (`ok` or the exception name). */
  ivsRequests: Counter<"operation" | "outcome">;
  ivsDuration: Histogram<"operation" | "outcome">;
  /** Time IVS calls waited for a slot of the request budget, by operation and priority. */
  ivsBudgetWait: Histogram<"operation" | "priority">;
  /** IVS calls refused at their deadline, by cause: no budget slot in time, or IVS kept throttling. */
  ivsBudgetRefused: Counter<"operation" | "priority" | "cause">;
  /** Reads of the mirror by kind and outcome (hit: answered from it; miss: IVS asked; absent: known missing). */
  mirrorReads: Counter<"kind" | "outcome">;
  /** Mirrored resources by kind, sampled at scrape time. */
  mirrorResources: Gauge<"kind">;
  /** 1 once a kind is completely mirrored (channel: with details; stream-key, stream-session: per channel lists). */
  mirrorSynced: Gauge<"kind">;
  /** Age of the least recently confirmed entry of each kind: what the mirror can be behind by at most. */
  mirrorOldestAge: Gauge<"kind">;
  /** Start-up crawl progress: channels with details, key lists and session lists done, of the total. */
  mirrorCrawl: Gauge<"part" | "state">;
  /** 1 on the replica that runs the sync loop. */
  mirrorLeader: Gauge;
  /** Requests to POST /events by outcome: relayed, duplicate, ignored, malformed, unauthorized, unsupported, too_large, bad_json. */
  eventsIngested: Counter<"outcome">;
  eventsOutOfWindow: Counter<"side">;
  /** Open subscriptions and sockets, sampled at scrape time. */
  subscribers: Gauge<"kind">;
}

export interface MetricsOptions {
  /** Also collect Node.js process metrics (heap, event loop lag, GC). Default true. */
  processMetrics?: boolean;
  /** Prefix for every metric name. Default none. */
  prefix?: string;
}

/**
 * A registry of its own per gateway (not prom-client's global one), so that several gateways in one
 * process — tests do this — never clash over metric names.
 */
export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  const prefix = options.prefix ?? "";
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix });
  const registers = [registry];
  return {
    registry,
    graphqlOperations: new Counter({
      name: `${prefix}graphql_operations_total`,
      help: "GraphQL operations by operation name, type and outcome",
      labelNames: ["operation", "type", "outcome"],
      registers,
    }),
    graphqlDuration: new Histogram({
      name: `${prefix}graphql_operation_duration_seconds`,
      help: "Time from parse to result of GraphQL operations",
      labelNames: ["operation", "type"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    ivsRequests: new Counter({
      name: `${prefix}ivs_requests_total`,
      help: "IVS API calls by operation and outcome (ok or the exception name); a retried call counts once",
      labelNames: ["operation", "outcome"],
      registers,
    }),
    ivsDuration: new Histogram({
      name: `${prefix}ivs_request_duration_seconds`,
      help: "Duration of IVS API calls including retries",
      labelNames: ["operation", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    ivsBudgetWait: new Histogram({
      name: `${prefix}ivs_budget_wait_seconds`,
      help: "Time IVS calls waited for a slot of the request budget",
      labelNames: ["operation", "priority"],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    ivsBudgetRefused: new Counter({
      name: `${prefix}ivs_budget_refused_total`,
      help: "IVS calls refused at their deadline (cause budget: no slot in time; throttled: IVS kept answering 429)",
      labelNames: ["operation", "priority", "cause"],
      registers,
    }),
    mirrorReads: new Counter({
      name: `${prefix}ivs_mirror_reads_total`,
      help: "Reads of the mirror by kind and outcome (hit: answered from it; miss: IVS was asked; absent: known not to exist)",
      labelNames: ["kind", "outcome"],
      registers,
    }),
    mirrorResources: new Gauge({
      name: `${prefix}ivs_mirror_resources`,
      help: "Resources the mirror holds, by kind",
      labelNames: ["kind"],
      registers,
    }),
    mirrorSynced: new Gauge({
      name: `${prefix}ivs_mirror_synced`,
      help: "1 once a kind is completely mirrored (channel: listed with details; stream-key and stream-session: every channel's list)",
      labelNames: ["kind"],
      registers,
    }),
    mirrorOldestAge: new Gauge({
      name: `${prefix}ivs_mirror_oldest_age_seconds`,
      help: "Seconds since IVS last confirmed the least recently confirmed entry of each kind",
      labelNames: ["kind"],
      registers,
    }),
    mirrorCrawl: new Gauge({
      name: `${prefix}ivs_mirror_crawl`,
      help: "Mirror crawl progress: done and total per part (channel-details, key-lists, session-lists)",
      labelNames: ["part", "state"],
      registers,
    }),
    mirrorLeader: new Gauge({
      name: `${prefix}ivs_mirror_leader`,
      help: "1 on the replica that runs the mirror's sync loop",
      registers,
    }),
    eventsIngested: new Counter({
      name: `${prefix}ivs_events_ingested_total`,
      help: "IVS events received on POST /events by outcome",
      labelNames: ["outcome"],
      registers,
    }),
    eventsOutOfWindow: new Counter({
      name: `${prefix}ivs_events_out_of_window_total`,
      help: "IVS events relayed but kept from live status: dated more than EVENT_CLOCK_SKEW_MS ahead of their receipt or EVENT_MAX_AGE_MS behind",
      labelNames: ["side"],
      registers,
    }),
    subscribers: new Gauge({
      name: `${prefix}subscribers`,
      help: "Open channel-status and event subscriptions, and WebSocket connections",
      labelNames: ["kind"],
      registers,
    }),
  };
}
