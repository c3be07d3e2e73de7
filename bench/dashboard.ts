/**
 * Dashboard load within IVS's quotas (issue 5): N concurrent clients each repeating a dashboard query
 * (50 channels with their keys, live state and recording configuration) against a gateway process whose
 * embedded emulator enforces IVS's real request quotas; a trivial `{ __typename }` phase in the same
 * process first. IVS calls are counted by the emulator (GET /_emulator/requests), sampled every second.
 */
import { fmt, type GatewayProcess, percentile, sleep, startGatewayProcess } from "./lib.ts";

/** Channels on the dashboard; created at 4/s, under CreateChannel's 5 TPS. */
const CHANNELS = 50;
/** Channels broadcasting during the run, so that live state varies. */
const LIVE = 10;

const DASHBOARD = `query Dashboard {
  channels(first: ${CHANNELS}) { edges { node {
    arn name latencyMode playbackUrl isLive
    stream { streamId health viewerCount }
    streamKeys { arn value }
    recordingConfiguration { arn name state }
  } } }
}`;
const TRIVIAL = "{ __typename }";

export type Mode = "cached" | "naive";

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
  /** Latency of the first dashboard query, before the clients start, and whether it was answered in full. */
  firstQuery: { ms: number; ok: boolean };
  /**
   * Per IVS operation during the dashboard phase (until its last request was answered): calls, their
   * average rate, the highest rate over any 5 s of once-a-second samples, and 429s.
   */
  ivs: Record<string, { calls: number; perSecond: number; peak5s: number; throttled: number }>;
  /** Share of cache lookups answered from the cache (fresh or stale) during the run. */
  cacheHitRatio: number;
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
    body: (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] },
  };
}

/** Through the gateway, as an operator would: one recording configuration, then the channels, paced. */
async function createResources(g: GatewayProcess): Promise<string[]> {
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

/** `clients` loops of `query` for `ms`; latency from send to parsed answer. */
async function load(g: GatewayProcess, query: string, clients: number, ms: number): Promise<PhaseStats> {
  const latencies: number[] = [];
  let throttled = 0;
  let failed = 0;
  let ok = 0;
  const end = Date.now() + ms;
  const client = async () => {
    while (Date.now() < end) {
      const started = performance.now();
      try {
        const { status, body } = await gql(g, query);
        latencies.push(performance.now() - started);
        if (body.errors?.some((e) => e.extensions?.code === "THROTTLED")) throttled += 1;
        else if (status !== 200 || body.errors || !body.data) failed += 1;
        else ok += 1;
      } catch {
        failed += 1;
      }
    }
  };
  const started = Date.now();
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

/** The highest rate of `op` over any window of at least `windowMs` between samples. */
function peakRate(samples: { at: number; counts: Counts }[], op: string, windowMs: number): number {
  let peak = 0;
  for (const [i, from] of samples.entries()) {
    const to = samples.slice(i + 1).find((s) => s.at - from.at >= windowMs);
    if (!to) break;
    const calls = (to.counts[op]?.total ?? 0) - (from.counts[op]?.total ?? 0);
    peak = Math.max(peak, (calls * 1000) / (to.at - from.at));
  }
  return peak;
}

async function cacheHitRatio(g: GatewayProcess): Promise<number> {
  const text = await (await fetch(`${g.url}/metrics`)).text();
  let hits = 0;
  let all = 0;
  for (const m of text.matchAll(/^ivs_cache_lookups_total\{[^}]*outcome="(\w+)"[^}]*\} ([0-9.e+]+)$/gm)) {
    const n = Number(m[2]);
    all += n;
    if (m[1] !== "miss") hits += n;
  }
  return all === 0 ? Number.NaN : hits / all;
}

/** One run: a fresh gateway process in `mode`, `clients` clients, `seconds` of dashboard load. */
export async function runDashboardBench(mode: Mode, clients: number, seconds = 20): Promise<DashboardResult> {
  const naive: Record<string, string> =
    mode === "naive" ? { CACHE_ENABLED: "false", COALESCE_ENABLED: "false" } : {};
  const g = await startGatewayProcess({ SEED_DEMO_DATA: "false", RATE_LIMIT_PER_MINUTE: "0", ...naive });
  try {
    const emulatorUrl = g.emulatorUrl as string;
    await createResources(g);
    const first = performance.now();
    const answer = await gql(g, DASHBOARD);
    const firstQuery = {
      ms: performance.now() - first,
      ok: !answer.body.errors && Boolean(answer.body.data),
    };
    const trivial = await load(g, TRIVIAL, clients, Math.min(10, seconds) * 1000);

    await fetch(`${emulatorUrl}/_emulator/requests`, { method: "DELETE" });
    const samples: { at: number; counts: Counts }[] = [{ at: Date.now(), counts: {} }];
    const sampler = setInterval(() => {
      const at = Date.now();
      emulatorCounts(emulatorUrl).then(
        (counts) => samples.push({ at, counts }),
        () => {},
      );
    }, 1000);
    const dashboard = await load(g, DASHBOARD, clients, seconds * 1000);
    clearInterval(sampler);
    const counts = await emulatorCounts(emulatorUrl);
    samples.push({ at: Date.now(), counts });
    const ivs: DashboardResult["ivs"] = {};
    for (const [op, c] of Object.entries(counts))
      ivs[op] = {
        calls: c.total,
        perSecond: c.total / dashboard.seconds,
        peak5s: peakRate(samples, op, 5000),
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
      cacheHitRatio: await cacheHitRatio(g),
    };
  } finally {
    await g.stop();
  }
}

/** Markdown tables of the runs. */
export function printDashboardResults(results: DashboardResult[]): string {
  const lines = [
    "| mode | clients | dashboard ok/s | p50 ms | p95 ms | p99 ms | THROTTLED seen | other errors | `{ __typename }` ok/s | its p99 ms | first query ms | cache hits |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results)
    lines.push(
      `| ${r.mode} | ${r.clients} | ${fmt(r.dashboard.perSecond)} | ${fmt(r.dashboard.p50, 0)} | ${fmt(r.dashboard.p95, 0)} | ${fmt(r.dashboard.p99, 0)} | ${r.dashboard.throttled} | ${r.dashboard.failed} | ${fmt(r.trivial.perSecond)} | ${fmt(r.trivial.p99, 0)} | ${fmt(r.firstQuery.ms, 0)}${r.firstQuery.ok ? "" : " (error)"} | ${Number.isNaN(r.cacheHitRatio) ? "off" : `${fmt(r.cacheHitRatio * 100)} %`} |`,
    );
  lines.push(
    "",
    "IVS calls in the dashboard phase (calls/s: average · highest over 5 s · 429s seen by the emulator):",
    "",
  );
  const ops = [...new Set(results.flatMap((r) => Object.keys(r.ivs)))].sort();
  lines.push(`| operation | ${results.map((r) => `${r.mode} ${r.clients}`).join(" | ")} |`);
  lines.push(`|---|${results.map(() => "---").join("|")}|`);
  for (const op of ops)
    lines.push(
      `| ${op} | ${results
        .map((r) => {
          const c = r.ivs[op];
          return c ? `${fmt(c.perSecond, 2)} · ${fmt(c.peak5s, 2)} · ${c.throttled}` : "—";
        })
        .join(" | ")} |`,
    );
  return lines.join("\n");
}
