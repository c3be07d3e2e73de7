/**
 * Dashboard load within IVS's quotas: N concurrent clients each repeating a dashboard query (50 channels
 * with their keys, live state and recording configuration) against a gateway process whose embedded
 * emulator enforces IVS's real request quotas; a trivial `{ __typename }` phase in the same process first.
 * The previous design (a TTL cache, run from a git worktree: bench/baseline.ts) and the mirror, side by
 * side. IVS calls are counted by the emulator (GET /_emulator/requests).
 */
import { IVS_RATES } from "../src/ivs/rates.ts";
import { fmt, type GatewayProcess, percentile, sleep, startGatewayProcess } from "./lib.ts";

/** Channels on the dashboard; created at 4/s, under CreateChannel's 5 TPS. */
const CHANNELS = 50;
/** Channels broadcasting during the run, so that live state varies. */
const LIVE = 10;

export const DASHBOARD = `query Dashboard {
  channels(first: ${CHANNELS}) { edges { node {
    arn name latencyMode playbackUrl isLive
    stream { streamId health viewerCount }
    streamKeys { arn value }
    recordingConfiguration { arn name state }
  } } }
}`;
const TRIVIAL = "{ __typename }";

/** The read path under test: the previous design (a TTL cache, from a git worktree) or the mirror (this checkout). */
export type Mode = "previous" | "mirror";

interface PhaseStats {
  /** From the first request sent to the last answer received. */
  seconds: number;
  requests: number;
  ok: number;
  /** Responses carrying a THROTTLED error (IVS over budget, or IVS throttling past the deadline). */
  throttled: number;
  /** Other failures: HTTP errors, other GraphQL errors. */
  failed: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface DashboardResult {
  mode: Mode;
  clients: number;
  seconds: number;
  trivial: PhaseStats;
  dashboard: PhaseStats;
  /** Latency of the first dashboard query, before the clients start, and the code of its first error. */
  firstQuery: { ms: number; error?: string };
  /**
   * Per IVS operation during the dashboard phase (until its last request was answered): calls, their
   * average rate, and the 429s the emulator answered. The emulator's token bucket (1 s of burst at the
   * quota) is the judge of "within the quota": no 429 means no moment exceeded it.
   */
  ivs: Record<string, { calls: number; perSecond: number; throttled: number }>;
  /** Share of cache lookups answered from the cache (fresh or stale) during the run. */
  cacheHitRatio: number;
  /** The gateway's event-loop delay over the run, p99 and max (ms): how saturated the process was. */
  loopDelay: { p99: number; max: number };
}

type Counts = Record<string, { total: number; byStatus: Record<string, number> }>;

async function emulatorCounts(emulatorUrl: string): Promise<Counts> {
  const res = await fetch(`${emulatorUrl}/_emulator/requests`);
  return ((await res.json()) as { operations: Counts }).operations;
}

function headersOf(g: GatewayProcess): Record<string, string> {
  return {
    "content-type": "application/json",
    ...(g.devToken ? { authorization: `Bearer ${g.devToken}` } : {}),
  };
}

async function gql(g: GatewayProcess, query: string, variables?: unknown) {
  const res = await fetch(`${g.url}/graphql`, {
    method: "POST",
    headers: headersOf(g),
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: unknown;
      errors?: { extensions?: { code?: string; retryAfterMs?: number } }[];
    },
  };
}

/** Through the gateway, as an operator would: one recording configuration, then the channels, paced. */
export async function createResources(g: GatewayProcess): Promise<string[]> {
  const rc = await gql(
    g,
    `mutation { createRecordingConfiguration(input: { name: "dashboard", destinationConfiguration: { s3: { bucketName: "bench-recordings" } } }) { ... on RecordingConfiguration { arn } } }`,
  );
  const rcArn = (rc.body.data as { createRecordingConfiguration: { arn: string } })
    .createRecordingConfiguration.arn;
  const arns: string[] = [];
  for (let i = 0; i < CHANNELS; i++) {
    const started = Date.now();
    const out = await gql(
      g,
      `mutation ($rc: String!, $name: String!) { createChannel(input: { name: $name, recordingConfigurationArn: $rc }) { ... on CreateChannelPayload { channel { arn } } } }`,
      { rc: rcArn, name: `dashboard-${i}` },
    );
    const arn = (out.body.data as { createChannel: { channel: { arn: string } } } | undefined)?.createChannel
      ?.channel?.arn;
    if (!arn) throw new Error(`createChannel failed: ${JSON.stringify(out.body)}`);
    arns.push(arn);
    await sleep(Math.max(0, 250 - (Date.now() - started)));
  }
  for (const arn of arns.slice(0, LIVE)) {
    await fetch(`${g.emulatorUrl}/_emulator/broadcasts/start`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channelArn: arn, viewerCount: 100 }),
    });
  }
  return arns;
}

/**
 * `clients` loops of `query` for `ms`; latency from send to parsed answer. A client told THROTTLED
 * waits the `retryAfterMs` it was given (at most 5 s), as a well-behaved dashboard would.
 */
async function load(g: GatewayProcess, query: string, clients: number, ms: number): Promise<PhaseStats> {
  const latencies: number[] = [];
  let throttled = 0;
  let failed = 0;
  let ok = 0;
  let end = 0;
  const client = async () => {
    while (Date.now() < end) {
      const started = performance.now();
      try {
        const { status, body } = await gql(g, query);
        latencies.push(performance.now() - started);
        const throttle = body.errors?.find((e) => e.extensions?.code === "THROTTLED");
        if (throttle) {
          throttled += 1;
          await sleep(Math.min(5000, Number(throttle.extensions?.retryAfterMs ?? 1000)));
        } else if (status !== 200 || body.errors || !body.data) failed += 1;
        else ok += 1;
      } catch {
        failed += 1;
      }
    }
  };
  // Connections first, untimed: 500 simultaneous connects measure the kernel's accept queue, not the gateway.
  await Promise.all(Array.from({ length: clients }, () => gql(g, TRIVIAL)));
  const started = Date.now();
  end = started + ms;
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (Date.now() - started) / 1000;
  return {
    seconds,
    requests: ok + throttled + failed,
    ok,
    throttled,
    failed,
    perSecond: ok / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}

/**
 * The gateway's own view, from one scrape of /metrics (prom-client resets the event-loop histogram at
 * every scrape, so it covers the whole run): cache hit ratio and event-loop delay.
 */
async function processStats(
  g: GatewayProcess,
): Promise<Pick<DashboardResult, "cacheHitRatio" | "loopDelay">> {
  const text = await (await fetch(`${g.url}/metrics`)).text();
  let hits = 0;
  let all = 0;
  // The previous design counts cache lookups (hit, stale, miss); the mirror its reads (hit, miss, absent).
  const lookups = /^ivs_(?:cache_lookups|mirror_reads)_total\{[^}]*outcome="(\w+)"[^}]*\} ([0-9.e+]+)$/gm;
  for (const m of text.matchAll(lookups)) {
    const n = Number(m[2]);
    all += n;
    if (m[1] !== "miss") hits += n;
  }
  const seconds = (name: string) =>
    Number(new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  return {
    cacheHitRatio: all === 0 ? Number.NaN : hits / all,
    loopDelay: {
      p99: seconds("nodejs_eventloop_lag_p99_seconds") * 1000,
      max: seconds("nodejs_eventloop_lag_max_seconds") * 1000,
    },
  };
}

/** One run: a fresh gateway process in `mode`, `clients` clients, `seconds` of dashboard load. */
export async function runDashboardBench(
  mode: Mode,
  clients: number,
  seconds = 20,
  previousDir?: string,
): Promise<DashboardResult> {
  const g = await startGatewayProcess(
    { SEED_DEMO_DATA: "false", RATE_LIMIT_PER_MINUTE: "0" },
    mode === "previous" && previousDir ? { cwd: previousDir } : {},
  );
  try {
    const emulatorUrl = g.emulatorUrl as string;
    await createResources(g);
    const first = performance.now();
    const answer = await gql(g, DASHBOARD);
    const error = answer.body.errors?.[0]?.extensions?.code ?? (answer.body.errors ? "error" : undefined);
    const firstQuery: DashboardResult["firstQuery"] = {
      ms: performance.now() - first,
      ...(error ? { error } : {}),
    };
    const trivial = await load(g, TRIVIAL, clients, Math.min(10, seconds) * 1000);

    await fetch(`${emulatorUrl}/_emulator/requests`, { method: "DELETE" });
    const dashboard = await load(g, DASHBOARD, clients, seconds * 1000);
    const counts = await emulatorCounts(emulatorUrl);
    const ivs: DashboardResult["ivs"] = {};
    for (const [op, c] of Object.entries(counts))
      ivs[op] = {
        calls: c.total,
        perSecond: c.total / dashboard.seconds,
        throttled: c.byStatus["429"] ?? 0,
      };
    return {
      mode,
      clients,
      seconds,
      trivial,
      dashboard,
      firstQuery,
      ivs,
      ...(await processStats(g)),
    };
  } finally {
    await g.stop();
  }
}

/** Markdown tables of the runs. */
export function printDashboardResults(results: DashboardResult[]): string {
  const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  const lines = [
    row([
      "mode",
      "clients",
      "dashboard ok/s",
      "p50 ms",
      "p95 ms",
      "p99 ms",
      "THROTTLED seen",
      "other errors",
    ]),
    row(["---", "---", "---", "---", "---", "---", "---", "---"]),
  ];
  for (const { mode, clients, dashboard: d } of results)
    lines.push(
      row([
        mode,
        clients,
        fmt(d.perSecond),
        fmt(d.p50, 0),
        fmt(d.p95, 0),
        fmt(d.p99, 0),
        d.throttled,
        d.failed,
      ]),
    );
  lines.push("", "The same runs: the trivial query before the load, and the process.", "");
  lines.push(
    row([
      "mode",
      "clients",
      "`{ __typename }` ok/s",
      "its p50 / p99 ms",
      "first dashboard ms",
      "cache hits",
      "loop delay p99 / max ms",
    ]),
    row(["---", "---", "---", "---", "---", "---", "---"]),
  );
  for (const r of results)
    lines.push(
      row([
        r.mode,
        r.clients,
        fmt(r.trivial.perSecond),
        `${fmt(r.trivial.p50, 0)} / ${fmt(r.trivial.p99, 0)}`,
        `${fmt(r.firstQuery.ms, 0)}${r.firstQuery.error ? ` (${r.firstQuery.error})` : ""}`,
        Number.isNaN(r.cacheHitRatio) ? "off" : `${fmt(r.cacheHitRatio * 100)} %`,
        `${fmt(r.loopDelay.p99, 0)} / ${fmt(r.loopDelay.max, 0)}`,
      ]),
    );
  lines.push(
    "",
    "IVS calls in the dashboard phase: calls/s on average (429s the emulator answered), beside IVS's quota:",
    "",
  );
  lines.push(row(["operation", "quota", ...results.map((r) => `${r.mode} ${r.clients}`)]));
  lines.push(row(["---", "---", ...results.map(() => "---")]));
  const ops = [...new Set(results.flatMap((r) => Object.keys(r.ivs)))].sort();
  for (const op of ops)
    lines.push(
      row([
        op,
        IVS_RATES[op] ?? "?",
        ...results.map((r) => {
          const c = r.ivs[op];
          return c ? `${fmt(c.perSecond, 2)} (${c.throttled})` : "—";
        }),
      ]),
    );
  return lines.join("\n");
}
