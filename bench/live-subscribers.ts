/**
 * Live-event fan-out benchmark (issues 4, 12), open-loop: N graphql-ws subscribers (one socket each) on
 * one gateway or split over two replicas sharing Redis; IVS events POSTed to /events on a fixed schedule
 * (bench/fanout-sender.ts); latency from each event's scheduled send time to receipt at each subscriber
 * (bench/fanout-worker.ts); deliveries counted until a fixed deadline after the last scheduled event;
 * gateway memory per idle subscriber; the load generator's own CPU share.
 *
 * 20 channels, subscriber s watching channel s mod 20: each event reaches N/20 sockets (50 at 1,000,
 * 250 at 5,000, 500 at 10,000), so 50 events/s asks for 2.5 × N messages/s.
 */
import { randomUUID } from "node:crypto";
import { CreateChannelCommand, IvsClient } from "@aws-sdk/client-ivs";
import { SignJWT } from "jose";
import { Receivers } from "./fanout-receivers.ts";
import { sendOpenLoop } from "./fanout-sender.ts";
import {
  fmt,
  type GatewayProcess,
  heapSnapshotEnv,
  heapSnapshots,
  percentile,
  sleep,
  startGatewayProcess,
} from "./lib.ts";

const KEY = "bench-ingest-key-0123456789";
const JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789";
/**
 * Every replica verifies the same JWTs; one principal stands in for thousands of users, so no per-principal
 * rate limit or caps: this measures fan-out, not the caps (test/security/caps.test.ts does).
 */
const AUTH_ENV = {
  AUTH_JWT_SECRET: JWT_SECRET,
  AUTH_ISSUER: "bench",
  AUTH_AUDIENCE: "ivs-gateway",
  RATE_LIMIT_PER_MINUTE: "0",
  MAX_SUBSCRIPTIONS_PER_PRINCIPAL: "1000000",
  MAX_CONNECTIONS_PER_PRINCIPAL: "1000000",
};

const QUERY =
  "subscription ($a: [String!]) { streamEvents(filter: { channelArns: $a }) { ... on IvsEventFields { eventId } } }";

function benchToken(): Promise<string> {
  return new SignJWT({ scope: "ivs:read ivs:write" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("bench")
    .setIssuer("bench")
    .setAudience("ivs-gateway")
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(JWT_SECRET));
}
/** Channels the subscribers watch; created at IVS's 5 TPS CreateChannel quota, which the emulator enforces. */
const CHANNELS = 20;

export interface LiveSettings {
  /** Subscriber counts on one replica (BENCH_LIVE_SIZES, default 1000,5000,10000). */
  sizes: number[];
  /** Subscriber counts across two replicas (BENCH_LIVE_SIZES_2, default: `sizes`). */
  sizesTwoReplicas: number[];
  /** Events per second (BENCH_LIVE_EPS, default 50). */
  eventsPerSecond: number;
  /** Seconds of sending (BENCH_LIVE_S, default 10). */
  seconds: number;
  /** Deliveries count until this long after the last scheduled event (BENCH_LIVE_DEADLINE_S, default 10). */
  deadlineSeconds: number;
  /** Receiving processes (BENCH_LIVE_WORKERS, default 2). */
  workers: number;
  /** The ref the current checkout is compared with (BENCH_BASELINE_REF, default cf62f31, main before issue 12). */
  baselineRef: string;
  /**
   * Which designs run (BENCH_LIVE_DESIGNS, default `baseline,current,peer`): the baseline ref, this checkout,
   * and the bare `ws` peer (bench/fanout-peer.ts, one-replica rows only: it is one process).
   */
  designs: LiveDesign[];
  /**
   * A directory (BENCH_LIVE_HEAP_SNAPSHOTS, default none): each process then writes a heap snapshot there
   * before and after the subscribe phase (`--heapsnapshot-signal`), for `tsx bench/heap-diff.ts A B`.
   */
  heapSnapshots: string;
}

export type LiveDesign = "baseline" | "current" | "peer";
const DESIGNS: LiveDesign[] = ["baseline", "current", "peer"];

const list = (s: string | undefined) =>
  s
    ?.split(",")
    .map((x) => Number(x.trim()))
    .filter((n) => n > 0);

export function liveSettingsFromEnv(
  quick: boolean,
  env: Record<string, string | undefined> = process.env,
): LiveSettings {
  const sizes = list(env.BENCH_LIVE_SIZES) ?? (quick ? [200] : [1000, 5000, 10_000]);
  return {
    sizes,
    sizesTwoReplicas: list(env.BENCH_LIVE_SIZES_2) ?? sizes,
    eventsPerSecond: Number(env.BENCH_LIVE_EPS ?? 50),
    seconds: Number(env.BENCH_LIVE_S ?? (quick ? 5 : 10)),
    deadlineSeconds: Number(env.BENCH_LIVE_DEADLINE_S ?? 10),
    workers: Number(env.BENCH_LIVE_WORKERS ?? 2),
    baselineRef: env.BENCH_BASELINE_REF?.trim() || "cf62f31",
    designs: designsFrom(env.BENCH_LIVE_DESIGNS),
    heapSnapshots: env.BENCH_LIVE_HEAP_SNAPSHOTS?.trim() ?? "",
  };
}

function designsFrom(text: string | undefined): LiveDesign[] {
  if (!text?.trim()) return DESIGNS;
  const asked = text.split(",").map((d) => d.trim());
  const unknown = asked.filter((d) => !DESIGNS.includes(d as LiveDesign));
  if (unknown.length > 0)
    throw new Error(`BENCH_LIVE_DESIGNS: unknown ${unknown.join(", ")} (known: ${DESIGNS.join(", ")})`);
  return asked as LiveDesign[];
}

export interface LiveBenchResult {
  label: string;
  /** Which tree the gateway ran from ("baseline <ref>" or "current"). */
  design: string;
  subscribers: number;
  replicas: number;
  events: number;
  expected: number;
  /** Deliveries received before the deadline. */
  delivered: number;
  /** Percentiles over the deliveries made, ms from the event's scheduled send time. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Gateway RSS and heap growth per subscriber across the subscribe phase, each read after a full GC. */
  rssPerSubscriberKiB: number;
  heapPerSubscriberKiB: number;
  setupSeconds: number;
  /** Subscriptions that failed to start or carried an error. */
  subscriptionErrors: number;
  /** POSTs not accepted. */
  ingestErrors: number;
  /** Largest lateness of a send against its schedule, ms (the sender itself falling behind). */
  sendLateMs: number;
  /** Load generator's CPU (sender + receivers) over the send+drain window, % of one core. */
  generatorCpuPercent: number;
}

async function createChannels(emulatorUrl: string): Promise<string[]> {
  const ivs = new IvsClient({
    region: "us-west-2",
    endpoint: emulatorUrl,
    credentials: { accessKeyId: "b", secretAccessKey: "b" },
  });
  const arns: string[] = [];
  for (let i = 0; i < CHANNELS; i++) {
    const out = await ivs.send(new CreateChannelCommand({ name: `bench-${i}` }));
    arns.push(out.channel?.arn as string);
    await sleep(220);
  }
  ivs.destroy();
  return arns;
}

function healthEvent(id: string, channelArn: string, i: number, timeMs: number) {
  return {
    version: "0",
    id,
    "detail-type": "IVS Stream Health Change",
    source: "aws.ivs",
    account: "123456789012",
    time: new Date(timeMs).toISOString(),
    region: "us-west-2",
    resources: [channelArn],
    detail: {
      event_name: i % 2 ? "Starvation End" : "Starvation Start",
      channel_name: "",
      stream_id: "st-bench000000000000000000",
    },
  };
}

/** The design name of the bare `ws` peer (bench/fanout-peer.ts), one process, no IVS behind it. */
export const PEER = "bare ws peer";

async function startGateways(
  replicas: 1 | 2,
  cwd: string | undefined,
  design: string,
  settings: LiveSettings,
): Promise<GatewayProcess[]> {
  const diagnostics = heapSnapshotEnv(settings.heapSnapshots);
  if (design === PEER)
    return [await startGatewayProcess(diagnostics, { inspect: true, script: "bench/fanout-peer.ts" })];
  const env: Record<string, string> = {
    ...diagnostics,
    ...AUTH_ENV,
    EVENTS_API_KEY: KEY,
    SEED_DEMO_DATA: "false",
    RECONCILE_INTERVAL_MS: "3600000",
  };
  // The inspector lets the bench read memory after a full GC (bench/inspector.ts).
  const options = { inspect: true, ...(cwd ? { cwd } : {}) };
  if (replicas === 1) return [await startGatewayProcess(env, options)];
  const shared = {
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    REDIS_KEY_PREFIX: `bench-${randomUUID()}:`,
  };
  const first = await startGatewayProcess({ ...env, ...shared }, options);
  // The second replica talks to the same IVS: the first one's embedded emulator.
  const second = await startGatewayProcess(
    {
      ...env,
      ...shared,
      IVS_ENDPOINT: first.emulatorUrl as string,
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
    },
    options,
  );
  return [first, second];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const metricSum = async (gateways: GatewayProcess[], name: string) =>
  sum(await Promise.all(gateways.map((g) => g.metric(name))));
/** The gateways' RSS and heap after a full GC each, added up. */
async function memorySum(gateways: GatewayProcess[]) {
  const each = await Promise.all(gateways.map((g) => g.memoryAfterGc()));
  return { rss: sum(each.map((m) => m.rss)), heapUsed: sum(each.map((m) => m.heapUsed)) };
}

/**
 * One run: `subscribers` sockets over `replicas` gateways started from `cwd` (default this checkout),
 * `eventsPerSecond × seconds` events sent open-loop to the first replica.
 */
export async function runLiveBench(
  subscribers: number,
  replicas: 1 | 2,
  settings: LiveSettings,
  design = "current",
  cwd?: string,
): Promise<LiveBenchResult> {
  const token = await benchToken();
  const gateways = await startGateways(replicas, cwd, design, settings);
  const receivers = await Receivers.start(settings.workers);
  try {
    const [primary] = gateways as [GatewayProcess];
    const arns = primary.emulatorUrl
      ? await createChannels(primary.emulatorUrl)
      : Array.from({ length: CHANNELS }, (_, i) => `arn:aws:ivs:us-west-2:123456789012:channel/peer${i}`);
    const before = await memorySum(gateways);
    if (settings.heapSnapshots) await heapSnapshots(gateways, "live: before subscribing");

    const setupStart = performance.now();
    // One WebSocket per subscriber, as one browser tab each; spread evenly over the replicas.
    const sockets = Array.from({ length: subscribers }, (_, s) => ({
      url: `${(gateways[s % gateways.length] as GatewayProcess).url.replace("http", "ws")}/graphql`,
      arn: arns[s % CHANNELS] as string,
    }));
    const failed = await receivers.open(token, QUERY, sockets);
    // Subscriptions are registered when their subscribe message is processed; wait until all are.
    const waitStart = performance.now();
    while (performance.now() - waitStart < 60_000) {
      if ((await metricSum(gateways, 'subscribers{kind="events"}')) + failed >= subscribers) break;
      await sleep(200);
    }
    const setupSeconds = (performance.now() - setupStart) / 1000;
    const after = await memorySum(gateways);
    if (settings.heapSnapshots) await heapSnapshots(gateways, "live: subscribed");

    const perChannel = new Map<string, number>();
    for (const s of sockets) perChannel.set(s.arn, (perChannel.get(s.arn) ?? 0) + 1);
    const total = settings.eventsPerSecond * settings.seconds;
    const intervalMs = 1000 / settings.eventsPerSecond;
    let expected = 0;
    for (let i = 0; i < total; i++) expected += perChannel.get(arns[i % CHANNELS] as string) ?? 0;

    const tag = `bench-${randomUUID()}-`;
    // A short lead so every receiver has the schedule before event 0 is due.
    const startAbs = performance.timeOrigin + performance.now() + 200;
    const wallStart = performance.now();
    const cpuStart = process.cpuUsage();
    const deadline = startAbs + (total - 1) * intervalMs + settings.deadlineSeconds * 1000;
    receivers.start(tag, startAbs, intervalMs, deadline);
    const sent = await sendOpenLoop({
      url: primary.url,
      apiKey: KEY,
      total,
      intervalMs,
      startAbs,
      body: (i) =>
        healthEvent(
          `${tag}${i}`,
          arns[i % CHANNELS] as string,
          Math.floor(i / CHANNELS),
          startAbs + i * intervalMs,
        ),
    });
    while (performance.timeOrigin + performance.now() < deadline) {
      if ((await receivers.delivered()) >= expected) break;
      await sleep(100);
    }
    const got = await receivers.finish();
    const cpu = process.cpuUsage(cpuStart);
    const wallMs = performance.now() - wallStart;
    return {
      label: `${subscribers} subscribers, ${replicas} replica${replicas > 1 ? "s" : ""}`,
      design,
      subscribers,
      replicas,
      events: total,
      expected,
      delivered: got.delivered,
      p50: percentile(got.latencies, 50),
      p95: percentile(got.latencies, 95),
      p99: percentile(got.latencies, 99),
      max: percentile(got.latencies, 100),
      rssPerSubscriberKiB: (after.rss - before.rss) / subscribers / 1024,
      heapPerSubscriberKiB: (after.heapUsed - before.heapUsed) / subscribers / 1024,
      setupSeconds,
      subscriptionErrors: failed + got.errors,
      ingestErrors: sent.failed,
      sendLateMs: sent.maxLateMs,
      generatorCpuPercent: ((got.cpuMicros + cpu.user + cpu.system) / 1000 / wallMs) * 100,
    };
  } finally {
    await receivers.close();
    for (const g of gateways) await g.stop();
  }
}

/**
 * The designs in one run: for each replica count and size, the baseline (gateway started from
 * `baselineDir`), this checkout and the bare peer, in rotating order, so drift on this shared machine falls
 * on each.
 */
export async function runLiveSideBySide(
  settings: LiveSettings,
  baselineDir: string,
  onResult: (r: LiveBenchResult) => void = () => {},
): Promise<LiveBenchResult[]> {
  const results: LiveBenchResult[] = [];
  const runs: [number, 1 | 2][] = [
    ...settings.sizes.map((n): [number, 1 | 2] => [n, 1]),
    ...settings.sizesTwoReplicas.map((n): [number, 1 | 2] => [n, 2]),
  ];
  const all = {
    baseline: { design: `baseline ${settings.baselineRef}`, cwd: baselineDir },
    current: { design: "current", cwd: undefined },
    peer: { design: PEER, cwd: undefined },
  };
  for (const [k, [n, replicas]] of runs.entries()) {
    const designs = settings.designs.filter((d) => d !== "peer" || replicas === 1).map((d) => all[d]);
    // Rotated from run to run, so drift on this shared machine falls on every design.
    const order = designs.map((_, i) => designs[(i + k) % designs.length] as (typeof designs)[number]);
    for (const d of order) {
      const r = await runLiveBench(n, replicas, settings, d.design, d.cwd);
      onResult(r);
      results.push(r);
    }
  }
  return results;
}

export const LIVE_HEADER = [
  "| design | subscribers | replicas | events | delivered/expected | p50 ms | p95 ms | p99 ms | max ms | RSS KiB/sub | heap KiB/sub | generator CPU % | subscribe s | failed subs/ingest | send late ms |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
];

/** One result as a table row (also printed as each run ends, so an interrupted run keeps its figures). */
export function liveRow(r: LiveBenchResult): string {
  return `| ${r.design} | ${r.subscribers} | ${r.replicas} | ${r.events} | ${r.delivered}/${r.expected} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${fmt(r.rssPerSubscriberKiB, 2)} | ${fmt(r.heapPerSubscriberKiB, 2)} | ${fmt(r.generatorCpuPercent, 0)} | ${fmt(r.setupSeconds)} | ${r.subscriptionErrors}/${r.ingestErrors} | ${fmt(r.sendLateMs)} |`;
}

export function printLiveResults(results: LiveBenchResult[]): string {
  const rows = [...results]
    .sort(
      (a, b) => a.replicas - b.replicas || a.subscribers - b.subscribers || a.design.localeCompare(b.design),
    )
    .map(liveRow);
  return [...LIVE_HEADER, ...rows].join("\n");
}
