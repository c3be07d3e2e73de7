/**
 * The soak (`npm run bench -- soak`, issue 11): two gateway replicas on a Redis of their own, over a
 * standalone emulator with API faults (5xx and 429) and event delivery faults (drop, duplicate, delay,
 * reorder) on, under steady open-loop queries, graphql-ws subscribers and broadcasts, for BENCH_SOAK_S
 * seconds, with one Redis crash and restart in the middle. It reports:
 * - lost events: events a replica ACCEPTED (answered 2xx relayed/duplicate to the delivery, seen by the
 *   proxy between them, bench/soak-proxy.ts) that some streamEvents subscriber never received;
 * - regressions: a channelLiveStatus subscriber seeing a version go back or an ended stream come back;
 * - convergence: after the load, every channel's live status on both replicas (queries and subscribers)
 *   equals ListStreams on the emulator, within a few reconciliation periods;
 * - HTTP 5xx and GraphQL errors by code; memory (heap, RSS) first vs last minute and its slope.
 * The verdict fails (and `npm run bench -- soak` exits 1) unless lost, regressions, 5xx and unconverged
 * channels are all 0 and the heap slope is under BENCH_SOAK_FLAT_MB_PER_MIN.
 *
 * Knobs (environment; BENCH_QUICK=1 defaults in brackets):
 *   BENCH_SOAK_S 600 [90]  load duration;  BENCH_SOAK_CHANNELS 300 [200];  BENCH_SOAK_LIVE 60 [40]
 *   BENCH_SOAK_QPS 20  queries/s (one in 5 a dashboard page);  BENCH_SOAK_BROADCASTS_PER_S 2
 *   BENCH_SOAK_STATUS_SUBS 80, BENCH_SOAK_EVENT_SUBS 20  subscribers, half on each replica
 *   BENCH_SOAK_API_ERROR_RATE 0.02, BENCH_SOAK_API_THROTTLE_RATE 0.02  emulator API faults
 *   BENCH_SOAK_EVENT_DROP 0.05, _DUPLICATE 0.05, _REORDER 0.05, _DELAY_MS 2000  event delivery faults
 *   BENCH_SOAK_REDIS_DOWN_S 7  how long Redis stays down (0 = no restart)
 *   BENCH_SOAK_RECONCILE_MS 15000  the replicas' RECONCILE_INTERVAL_MS
 *   BENCH_SOAK_WARMUP_S 60 [20]  memory samples before this are left out of the slope
 *   BENCH_SOAK_FLAT_MB_PER_MIN 1  the heap slope under which memory counts as flat
 *   BENCH_SOAK_HEAP_SNAPSHOTS ""  a directory: each replica runs with --heapsnapshot-signal=SIGUSR2 and
 *     writes a heap snapshot there at the end of the warm-up and at the end of the load (a snapshot is
 *     taken after a full GC, so its size is the live heap); compare two with `tsx bench/heap-diff.ts A B`.
 *     The snapshots' full GCs and pauses skew that run's heap slope and latencies: compare snapshots then.
 */
import { mkdirSync } from "node:fs";
import { IvsClient, ListStreamsCommand } from "@aws-sdk/client-ivs";
import { SignJWT } from "jose";
import { createAccount } from "./account.ts";
import { startEmulatorProcess } from "./emulator.ts";
import {
  fmt,
  freePort,
  type GatewayProcess,
  heapSnapshotEnv,
  heapSnapshots,
  sleep,
  startGatewayProcess,
} from "./lib.ts";
import { type MemoryFigures, memoryFigures, sampleMemory } from "./soak-memory.ts";
import { startEventProxy } from "./soak-proxy.ts";
import { soakRedis } from "./soak-redis.ts";
import { EventWatcher, type Regression, StatusWatcher } from "./soak-subscribers.ts";
import {
  type BroadcastTally,
  latencyOf,
  type QueryTally,
  startBroadcasts,
  startQueryLoad,
} from "./soak-traffic.ts";

export interface SoakSettings {
  seconds: number;
  channels: number;
  live: number;
  qps: number;
  broadcastsPerSecond: number;
  statusSubscribers: number;
  eventSubscribers: number;
  apiErrorRate: number;
  apiThrottleRate: number;
  eventDrop: number;
  eventDuplicate: number;
  eventReorder: number;
  eventDelayMs: number;
  redisDownSeconds: number;
  reconcileMs: number;
  warmupSeconds: number;
  flatMbPerMin: number;
  /** Directory for heap snapshots of the replicas ("" = none). */
  heapSnapshots: string;
}

function num(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0, got "${raw}"`);
  return n;
}

/** Every knob, from the environment (see the header). */
export function soakSettingsFromEnv(env: Record<string, string | undefined> = process.env): SoakSettings {
  const quick = env.BENCH_QUICK === "1";
  return {
    seconds: num(env, "BENCH_SOAK_S", quick ? 90 : 600),
    channels: num(env, "BENCH_SOAK_CHANNELS", quick ? 200 : 300),
    live: num(env, "BENCH_SOAK_LIVE", quick ? 40 : 60),
    qps: num(env, "BENCH_SOAK_QPS", 20),
    broadcastsPerSecond: num(env, "BENCH_SOAK_BROADCASTS_PER_S", 2),
    statusSubscribers: num(env, "BENCH_SOAK_STATUS_SUBS", 80),
    eventSubscribers: num(env, "BENCH_SOAK_EVENT_SUBS", 20),
    apiErrorRate: num(env, "BENCH_SOAK_API_ERROR_RATE", 0.02),
    apiThrottleRate: num(env, "BENCH_SOAK_API_THROTTLE_RATE", 0.02),
    eventDrop: num(env, "BENCH_SOAK_EVENT_DROP", 0.05),
    eventDuplicate: num(env, "BENCH_SOAK_EVENT_DUPLICATE", 0.05),
    eventReorder: num(env, "BENCH_SOAK_EVENT_REORDER", 0.05),
    eventDelayMs: num(env, "BENCH_SOAK_EVENT_DELAY_MS", 2000),
    redisDownSeconds: num(env, "BENCH_SOAK_REDIS_DOWN_S", 7),
    reconcileMs: num(env, "BENCH_SOAK_RECONCILE_MS", 15_000),
    warmupSeconds: num(env, "BENCH_SOAK_WARMUP_S", quick ? 20 : 60),
    flatMbPerMin: num(env, "BENCH_SOAK_FLAT_MB_PER_MIN", 1),
    heapSnapshots: env.BENCH_SOAK_HEAP_SNAPSHOTS?.trim() ?? "",
  };
}

const EVENTS_KEY = "bench-soak-events-0123456789abcdef";
const JWT_SECRET = "bench-soak-jwt-secret-0123456789abcdef01";

function soakToken(): Promise<string> {
  return new SignJWT({ scope: "ivs:read" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("bench-soak")
    .setIssuer("bench")
    .setAudience("ivs-gateway")
    .setExpirationTime("6h")
    .sign(new TextEncoder().encode(JWT_SECRET));
}

function gatewayEnv(ivsEndpoint: string, redisUrl: string, s: SoakSettings): Record<string, string> {
  return {
    IVS_ENDPOINT: ivsEndpoint,
    IVS_ANONYMOUS: "true",
    IVS_REGION: "us-west-2",
    AWS_ACCESS_KEY_ID: "",
    AWS_SECRET_ACCESS_KEY: "",
    AWS_SESSION_TOKEN: "",
    AWS_PROFILE: "",
    SEED_DEMO_DATA: "",
    EMULATOR_PORT: "",
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: "soak:",
    AUTH_JWT_SECRET: JWT_SECRET,
    AUTH_ISSUER: "bench",
    AUTH_AUDIENCE: "ivs-gateway",
    AUTH_JWKS_URL: "",
    AUTH_API_KEYS: "",
    AUTH_DISABLED: "",
    TENANT_CLAIM: "",
    RATE_LIMIT_PER_MINUTE: "0",
    EVENTS_API_KEY: EVENTS_KEY,
    EVENTS_API_KEY_HEADER: "x-api-key",
    RECONCILE_INTERVAL_MS: String(s.reconcileMs),
    // One principal stands in for every browser tab of the soak.
    MAX_SUBSCRIPTIONS_PER_PRINCIPAL: "10000",
    MAX_CONNECTIONS_PER_PRINCIPAL: "10000",
    LOG_LEVEL: "warn",
    ...heapSnapshotEnv(s.heapSnapshots),
  };
}

/** stderr lines of a replica, and how many were ioredis's own "Unhandled error event" traces. */
interface Stderr {
  lines: number;
  unhandledRedis: number;
  last: string[];
}

function watchStderr(g: GatewayProcess): Stderr {
  const s: Stderr = { lines: 0, unhandledRedis: 0, last: [] };
  let partial = "";
  g.child.stderr?.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      s.lines += 1;
      if (/Unhandled error event/.test(line)) s.unhandledRedis += 1;
      if (s.last.length < 5) s.last.push(line.slice(0, 200));
    }
  });
  return s;
}

async function waitFor(what: string, ms: number, ok: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await ok()) return;
    await sleep(250);
  }
  throw new Error(`soak: ${what} not within ${ms / 1000} s`);
}

/** Channel ARN → live stream id, from ListStreams (the SDK retries the injected faults). */
async function truthOf(ivs: IvsClient): Promise<Map<string, string>> {
  const live = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const out = await ivs.send(new ListStreamsCommand({ maxResults: 100, nextToken }));
    for (const st of out.streams ?? [])
      if (st.channelArn && st.streamId) live.set(st.channelArn, st.streamId);
    nextToken = out.nextToken;
  } while (nextToken);
  return live;
}

const VIEW_QUERY = `query ($after: String) { channels(first: 100, after: $after) { edges { node { arn isLive stream { streamId } } } pageInfo { hasNextPage endCursor } } }`;

/** Channel ARN → stream id ("" when not live), as one replica answers queries; undefined if a page failed. */
async function replicaView(url: string, token: string): Promise<Map<string, string> | undefined> {
  const view = new Map<string, string>();
  let after: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const res = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: VIEW_QUERY, variables: after ? { after } : {} }),
      signal: AbortSignal.timeout(30_000),
    }).catch(() => undefined);
    if (!res?.ok) return undefined;
    const body = (await res.json()) as {
      data?: {
        channels: {
          edges: { node: { arn: string; isLive: boolean; stream: { streamId: string } | null } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      };
      errors?: unknown[];
    };
    if (body.errors?.length || !body.data) return undefined;
    for (const { node } of body.data.channels.edges)
      view.set(node.arn, node.isLive ? (node.stream?.streamId ?? "?") : "");
    if (!body.data.channels.pageInfo.hasNextPage || !body.data.channels.pageInfo.endCursor) break;
    after = body.data.channels.pageInfo.endCursor;
  }
  return view;
}

export interface SoakResult {
  settings: SoakSettings;
  loadSeconds: number;
  setupSeconds: number;
  redisRestart?: { atS: number; downS: number };
  queries: QueryTally;
  broadcasts: BroadcastTally;
  delivery: Record<string, number>;
  eventsPosted: number;
  eventAnswers: Record<string, number>[];
  outcomes: Record<string, number>;
  accepted: number;
  lost: number;
  lostPerReplica: number[];
  lostSample: string[];
  duplicatesToSubscribers: number;
  subscriberReopens: number;
  subscriberErrors: Record<string, number>;
  statusUpdates: number;
  regressions: number;
  regressionSample: Regression[];
  converged: boolean;
  convergedAfterS: number;
  unconverged: string[];
  liveAtEnd: number;
  memory: MemoryFigures[];
  memoryScrapeFailures: number;
  stderr: Stderr[];
  verdict: { ok: boolean; failures: string[] };
}

export async function runSoak(s: SoakSettings): Promise<SoakResult> {
  const setupStart = performance.now();
  if (s.heapSnapshots) mkdirSync(s.heapSnapshots, { recursive: true });
  const redis = soakRedis(await freePort());
  await redis.start();
  const emulator = await startEmulatorProcess([
    "--event-drop-rate",
    String(s.eventDrop),
    "--event-duplicate-rate",
    String(s.eventDuplicate),
    "--event-reorder-rate",
    String(s.eventReorder),
    "--event-delay-ms",
    String(s.eventDelayMs),
    "--max-concurrent-broadcasts",
    String(Math.max(100, s.live * 2)),
  ]);
  const gateways: GatewayProcess[] = [];
  const watchers: (StatusWatcher | EventWatcher)[] = [];
  const ivs = new IvsClient({
    region: "us-west-2",
    endpoint: emulator.url,
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    maxAttempts: 10,
  });
  let proxy: Awaited<ReturnType<typeof startEventProxy>> | undefined;
  try {
    const account = await createAccount(emulator, {
      channels: s.channels,
      live: s.live,
      pastSessionChannels: Math.min(20, s.channels),
      recordingConfigurations: 2,
    });
    const env = gatewayEnv(emulator.url, redis.url, s);
    for (let i = 0; i < 2; i++) gateways.push(await startGatewayProcess(env, { startTimeoutMs: 120_000 }));
    const stderr = gateways.map(watchStderr);
    // The soak measures the steady state: the mirrors' start-up crawl (key and session lists of every
    // channel, at IVS's quotas) is over before the load starts.
    await waitFor("both replicas' mirrors synced", 900_000, async () => {
      const synced = await Promise.all(
        gateways.flatMap((g) =>
          ["channel", "stream-key", "stream-session"].map((kind) =>
            g.metric(`ivs_mirror_synced{kind="${kind}"}`).catch(() => Number.NaN),
          ),
        ),
      );
      return synced.every((v) => v === 1);
    });
    proxy = await startEventProxy(gateways.map((g) => `${g.url}/events`));
    await emulator.control("POST", "/event-targets", {
      url: proxy.url,
      apiKeyHeader: "x-api-key",
      apiKey: EVENTS_KEY,
    });

    const token = await soakToken();
    const arns = account.channelArns;
    const window = Math.min(100, arns.length);
    for (let k = 0; k < s.statusSubscribers; k++) {
      const from = Math.floor((k * arns.length) / Math.max(1, s.statusSubscribers));
      const watched = Array.from({ length: window }, (_, j) => arns[(from + j) % arns.length] as string);
      const g = gateways[k % 2] as GatewayProcess;
      watchers.push(new StatusWatcher(k % 2, `${g.url.replace("http", "ws")}/graphql`, token, watched));
    }
    for (let k = 0; k < s.eventSubscribers; k++) {
      const g = gateways[k % 2] as GatewayProcess;
      watchers.push(new EventWatcher(k % 2, `${g.url.replace("http", "ws")}/graphql`, token));
    }
    for (const w of watchers) w.start();
    const statusWatchers = watchers.filter((w): w is StatusWatcher => w instanceof StatusWatcher);
    const eventWatchers = watchers.filter((w): w is EventWatcher => w instanceof EventWatcher);
    // Ready: every status watcher has its channels' first states, every event subscription is registered.
    await waitFor("subscribers ready", 60_000, async () => {
      if (statusWatchers.some((w) => w.views.size < w.arns.length)) return false;
      const counts = await Promise.all(gateways.map((g) => g.metric('subscribers{kind="events"}')));
      return counts.reduce((a, b) => a + b, 0) >= eventWatchers.length;
    });
    await emulator.control("PUT", "/faults", { errorRate: s.apiErrorRate, throttleRate: s.apiThrottleRate });
    const setupSeconds = (performance.now() - setupStart) / 1000;

    // ------------------------------------------------------------------------------------ the load
    const t0 = performance.now();
    const memory = sampleMemory(gateways, 10_000, t0);
    // Phases of the run, for the per-phase query tally: Redis crashed at `downAt`, back at `upAt`.
    let downAt = Number.POSITIVE_INFINITY;
    let upAt = Number.POSITIVE_INFINITY;
    const phase = () => {
      const now = performance.now();
      if (now < downAt) return "1 before the Redis crash";
      if (now < upAt) return "2 Redis down";
      if (now < upAt + 30_000) return "3 first 30 s after Redis is back";
      return "4 later";
    };
    const queries = startQueryLoad({
      phase,
      urls: gateways.map((g) => g.url),
      token,
      arns,
      rate: s.qps,
      dashboardEvery: 5,
    });
    const broadcasts = startBroadcasts({
      control: (m, p, b) => emulator.control(m, p, b),
      arns,
      live: account.liveArns,
      liveTarget: s.live,
      rate: s.broadcastsPerSecond,
    });
    const snapshotsDone = s.heapSnapshots
      ? (async () => {
          await sleep(Math.max(0, t0 + s.warmupSeconds * 1000 - performance.now()));
          await heapSnapshots(gateways, "soak: end of warm-up");
        })()
      : Promise.resolve();
    let redisRestart: SoakResult["redisRestart"];
    const mid = (s.seconds * 1000) / 2;
    await sleep(Math.max(0, t0 + mid - performance.now()));
    if (s.redisDownSeconds > 0) {
      const at = performance.now();
      downAt = at;
      await redis.crash();
      await sleep(s.redisDownSeconds * 1000);
      await redis.start();
      upAt = performance.now();
      redisRestart = { atS: (at - t0) / 1000, downS: (performance.now() - at) / 1000 };
    }
    await sleep(Math.max(0, t0 + s.seconds * 1000 - performance.now()));
    const loadSeconds = (performance.now() - t0) / 1000;
    await snapshotsDone;
    if (s.heapSnapshots) await heapSnapshots(gateways, "soak: end of load");
    // Stopping waits for the answers still in flight (at most 30 s each).
    await broadcasts.stop();
    await queries.stop();
    await memory.stop();

    // ------------------------------------------------------------------------- drain and converge
    // Everything still on its way (delays, held events, retries) is sent; then subscribers catch up.
    for (let i = 0; i < 8; i++) {
      const flushed = await emulator.control<{ idle: boolean }>("POST", "/event-deliveries/flush");
      if (flushed.idle) break;
    }
    const acceptedIds = [...proxy.events]
      .filter(
        ([, r]) =>
          r.detailType.startsWith("IVS ") && (r.accepted === "relayed" || r.accepted === "duplicate"),
      )
      .map(([id]) => id);
    const missing = () => {
      const lost = new Set<string>();
      const perReplica = [new Set<string>(), new Set<string>()];
      for (const w of eventWatchers)
        for (const id of acceptedIds)
          if (!w.received.has(id)) {
            lost.add(id);
            perReplica[w.replica]?.add(id);
          }
      return { lost, perReplica };
    };
    await waitFor("subscribers caught up", 30_000, () => missing().lost.size === 0).catch(() => {});

    const convergeStart = performance.now();
    let unconverged: string[] = ["not checked"];
    let liveAtEnd = 0;
    const convergeDeadline = convergeStart + 3 * s.reconcileMs + 30_000;
    while (performance.now() < convergeDeadline) {
      const truth = await truthOf(ivs);
      liveAtEnd = truth.size;
      const diffs: string[] = [];
      const views = await Promise.all(gateways.map((g) => replicaView(g.url, token)));
      views.forEach((view, r) => {
        if (!view) {
          diffs.push(`replica ${r}: the channel list failed`);
          return;
        }
        for (const arn of arns) {
          const want = truth.get(arn) ?? "";
          const got = view.get(arn);
          if (got !== want)
            diffs.push(`replica ${r} query ${arn.slice(-12)}: ${got || "offline"} ≠ ${want || "offline"}`);
        }
      });
      for (const w of statusWatchers)
        for (const arn of w.arns) {
          const v = w.views.get(arn);
          const got = v?.status === "LIVE" ? (v.streamId ?? "?") : "";
          const want = truth.get(arn) ?? "";
          if (got !== want)
            diffs.push(
              `replica ${w.replica} subscriber ${arn.slice(-12)}: ${got || "offline"} ≠ ${want || "offline"}`,
            );
        }
      unconverged = diffs;
      if (diffs.length === 0) break;
      await sleep(2000);
    }
    const convergedAfterS = (performance.now() - convergeStart) / 1000;

    const { lost, perReplica } = missing();
    const stats = await emulator.control<{ targets: Record<string, number | string>[] }>(
      "GET",
      "/event-deliveries",
    );
    const target = stats.targets[0] ?? {};
    const delivery = Object.fromEntries(
      Object.entries(target).filter(([, v]) => typeof v === "number"),
    ) as Record<string, number>;
    const subscriberErrors: Record<string, number> = {};
    for (const w of watchers)
      for (const [m, n] of w.errors) subscriberErrors[m] = (subscriberErrors[m] ?? 0) + n;
    const memoryFiguresPer = memory.samples.map((m) => memoryFigures(m, s.warmupSeconds));
    const regressions = statusWatchers.reduce((a, w) => a + w.regressionCount, 0);
    const failures: string[] = [];
    if (lost.size > 0) failures.push(`${lost.size} accepted event(s) lost`);
    if (regressions > 0) failures.push(`${regressions} regression(s)`);
    if (queries.tally.http5xx > 0) failures.push(`${queries.tally.http5xx} HTTP 5xx`);
    if (unconverged.length > 0) failures.push(`${unconverged.length} channel view(s) not converged`);
    memoryFiguresPer.forEach((m, r) => {
      if (!(m.heapSlope < s.flatMbPerMin))
        failures.push(`replica ${r} heap slope ${fmt(m.heapSlope, 2)} MB/min ≥ ${s.flatMbPerMin}`);
    });
    return {
      settings: s,
      loadSeconds,
      setupSeconds,
      ...(redisRestart ? { redisRestart } : {}),
      queries: queries.tally,
      broadcasts: broadcasts.tally,
      delivery,
      eventsPosted: [...proxy.events.values()].reduce((a, r) => a + r.posts, 0),
      eventAnswers: proxy.statuses,
      outcomes: proxy.outcomes,
      accepted: acceptedIds.length,
      lost: lost.size,
      lostPerReplica: perReplica.map((x) => x.size),
      lostSample: [...lost]
        .slice(0, 5)
        .map(
          (id) =>
            `${id} (${proxy?.events.get(id)?.detailType}, ${proxy?.events.get(id)?.accepted} by replica ${proxy?.events.get(id)?.acceptedBy})`,
        ),
      duplicatesToSubscribers: eventWatchers.reduce((a, w) => a + w.duplicates, 0),
      subscriberReopens: watchers.reduce((a, w) => a + w.reopened, 0),
      subscriberErrors,
      statusUpdates: statusWatchers.reduce((a, w) => a + w.updates, 0),
      regressions,
      regressionSample: statusWatchers.flatMap((w) => w.regressions).slice(0, 5),
      converged: unconverged.length === 0,
      convergedAfterS,
      unconverged: unconverged.slice(0, 10),
      liveAtEnd,
      memory: memoryFiguresPer,
      memoryScrapeFailures: memory.failed,
      stderr,
      verdict: { ok: failures.length === 0, failures },
    };
  } finally {
    await Promise.all(watchers.map((w) => w.stop().catch(() => {})));
    await proxy?.stop();
    ivs.destroy();
    for (const g of gateways) await g.stop().catch(() => {});
    await emulator.stop().catch(() => {});
    await redis.stop().catch(() => {});
  }
}

const kv = (o: Record<string, number>) =>
  Object.entries(o)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(", ") || "none";

/** One markdown table: the settings, then every figure, then the verdict. */
export function printSoakResults(r: SoakResult): string {
  const s = r.settings;
  const q = r.queries;
  const lat = latencyOf(q);
  const rows: [string, string][] = [
    [
      "settings",
      `${fmt(r.loadSeconds, 0)} s load after ${fmt(r.setupSeconds, 0)} s set-up, ${s.channels} channels (~${s.live} live), 2 replicas on one Redis, reconcile every ${s.reconcileMs / 1000} s`,
    ],
    [
      "faults",
      `IVS API ${s.apiErrorRate * 100} % 5xx + ${s.apiThrottleRate * 100} % 429; events ${s.eventDrop * 100} % dropped, ${s.eventDuplicate * 100} % duplicated, ${s.eventReorder * 100} % reordered, delay 0–${s.eventDelayMs} ms`,
    ],
    [
      "Redis restart",
      r.redisRestart
        ? `SIGKILL at ${fmt(r.redisRestart.atS, 0)} s, back (empty) after ${fmt(r.redisRestart.downS, 1)} s`
        : "none",
    ],
    [
      "queries",
      `${q.sent} sent open-loop at ${s.qps}/s (1 in 5 a dashboard page): ${q.ok} ok, p50 ${fmt(lat.p50, 0)} ms, p99 ${fmt(lat.p99, 0)} ms, most in flight ${q.maxInFlight}`,
    ],
    ["HTTP statuses", kv(q.statuses)],
    ["**HTTP 5xx**", `**${q.http5xx}**`],
    ["GraphQL errors by code", kv(q.errorCodes)],
    ...Object.entries(q.phases)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, tally]): [string, string] => [`queries sent: ${name.slice(2)}`, kv(tally)]),
    ["failure samples", q.samples.join(" · ") || "none"],
    ["no answer", kv(q.network)],
    ["broadcast actions", `${kv(r.broadcasts.actions)}; refused: ${kv(r.broadcasts.refused)}`],
    ["event delivery (emulator)", kv(r.delivery)],
    ["/events answers by replica", r.eventAnswers.map((a, i) => `replica ${i}: ${kv(a)}`).join("; ")],
    ["ingest outcomes (2xx)", kv(r.outcomes)],
    [
      "subscribers",
      `${s.statusSubscribers} channelLiveStatus (100 channels each) + ${s.eventSubscribers} streamEvents, half per replica; ${r.statusUpdates} status updates; ${r.subscriberReopens} reopened`,
    ],
    ["subscriber errors", kv(r.subscriberErrors)],
    ["events accepted (IVS, 2xx relayed/duplicate)", String(r.accepted)],
    [
      "**lost events**",
      `**${r.lost}** (replica 0: ${r.lostPerReplica[0]}, replica 1: ${r.lostPerReplica[1]})${r.lostSample.length ? `; e.g. ${r.lostSample.join("; ")}` : ""}`,
    ],
    ["duplicates reaching subscribers", String(r.duplicatesToSubscribers)],
    [
      "**regressions**",
      `**${r.regressions}**${r.regressionSample.length ? `; e.g. ${r.regressionSample.map((x) => `replica ${x.replica} …${x.channelArn.slice(-12)}: ${x.what}`).join("; ")}` : ""}`,
    ],
    [
      "**convergence**",
      r.converged
        ? `**all ${s.channels} channels equal ListStreams** (${r.liveAtEnd} live) on both replicas, queries and subscribers, ${fmt(r.convergedAfterS, 0)} s after the load`
        : `**${r.unconverged.length}+ views differ** after ${fmt(r.convergedAfterS, 0)} s: ${r.unconverged.join("; ")}`,
    ],
    ...r.memory.map((m, i): [string, string] => [
      `**memory, replica ${i}**`,
      `heap ${fmt(m.firstMinute.heapMB)} → ${fmt(m.lastMinute.heapMB)} MB (first/last minute), **slope ${fmt(m.heapSlope, 2)} ± ${fmt(m.heapSlopeError, 2)} MB/min**; RSS ${fmt(m.firstMinute.rssMB)} → ${fmt(m.lastMinute.rssMB)} MB, slope ${fmt(m.rssSlope, 2)} ± ${fmt(m.rssSlopeError, 2)} MB/min (${m.samples} samples every 10 s, slope after ${s.warmupSeconds} s)`,
    ]),
    [
      "gateway stderr lines",
      r.stderr
        .map((e, i) => `replica ${i}: ${e.lines} (${e.unhandledRedis} ioredis "Unhandled error event")`)
        .join("; "),
    ],
    [
      "**verdict**",
      r.verdict.ok
        ? `**pass**: 0 lost, 0 regressions, 0 5xx, converged, heap slope < ${s.flatMbPerMin} MB/min`
        : `**fail**: ${r.verdict.failures.join("; ")}`,
    ],
  ];
  return [
    "| soak | figure |",
    "|---|---|",
    ...rows.map(([k, v]) => `| ${k} | ${v.replaceAll("|", "\\|")} |`),
  ].join("\n");
}
