/**
 * The read path, previous design against the mirror, side by side in one run (`npm run bench -- read-path`).
 *
 * "previous" runs `src/main.ts` from a git worktree of BENCH_BASELINE_REF (default: the last commit of the
 * TTL-cache read path, bench/baseline.ts); "mirror" runs this checkout's `src/main.ts` as it is (or a
 * worktree of BENCH_MIRROR_REF). Both are pointed, one at a time, at one standalone emulator process per
 * account size, with IVS's real request quotas, holding an account made through the SDK (bench/account.ts).
 *
 *   a. random channel pages and cards: answered/s, THROTTLED, errors, latency, IVS calls/s per operation
 *   b. IVS calls/s per operation at a low and a high client count, same account
 *   c. start-up of the mirror (time to synced, IVS calls), then a second replica sharing Redis
 *   d. a 50-channel dashboard after an idle period
 *
 * Knobs (environment; defaults, BENCH_QUICK=1 defaults in brackets), printed at the top of the output:
 *   BENCH_SIZES 1000,5000 [200]        channels per account (one fresh emulator process each)
 *   BENCH_CLIENTS 200,1000 [50,100]    (a) client counts;  BENCH_QUERIES page,card
 *   BENCH_RATE_CLIENTS 100,1000 [50,100]  (b) the low and high client counts (page, largest account)
 *   BENCH_PHASE_S 30 [5], BENCH_WARMUP_S 5 [2]  timed window and untimed warm-up of each (a)/(b) phase
 *   BENCH_IDLE_S 60 [5], BENCH_DASHBOARD_S 5, BENCH_DASHBOARD_CLIENTS 50   (d)
 *   BENCH_LIVE 50 [20], BENCH_PAST_SESSIONS 300 [50]   channels live / with past sessions
 *   BENCH_PARTS a,b,c,d;  BENCH_DESIGNS previous,mirror;  BENCH_REPLICA_DESIGNS mirror
 *   BENCH_WAIT_KEYS=1 [1]  also wait for ivs_mirror_synced{kind="stream-key"} and {kind="stream-session"}: every
 *                        channel's key and session lists (≈ 21 min at 5,000 channels; 0 = measure before)
 *   BENCH_REPLICA_WAIT_KEYS=1  the same for replica 1 of the Redis run
 *   BENCH_REPLICA_MODE second [second] | restart   replica 2 beside replica 1, or after stopping it
 *   BENCH_GAUGE_GRACE_S 20 [5]   how long after listening a missing ivs_mirror_synced gauge is waited for
 *   BENCH_SYNC_TIMEOUT_S 600 [20], BENCH_KEYS_TIMEOUT_S 3600   sync waits (and the mirror's start timeout)
 *   BENCH_REQUEST_TIMEOUT_S 30   longest wait for one GraphQL answer (then an error)
 *   BENCH_BASELINE_REF <1563d73…>, BENCH_MIRROR_REF (unset = this checkout as it is), BENCH_KEEP_WORKTREE=1
 *   BENCH_PREVIOUS_ENV / BENCH_MIRROR_ENV   JSON objects of extra gateway variables per design
 *   REDIS_URL redis://127.0.0.1:6379;  BENCH_JSON  where results so far are written (default: OS temp dir)
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { SignJWT } from "jose";
import { IVS_RATE_QUOTAS as IVS_RATES } from "../model/quotas.ts";
import { type Account, createAccount } from "./account.ts";
import { prepareWorktree, REPO_ROOT, type Worktree } from "./baseline.ts";
import { startCountingProxy } from "./counting-proxy.ts";
import { type EmulatorProcess, type OperationCounts, startEmulatorProcess } from "./emulator.ts";
import { closeClients, GqlClient, type LoadStats, openClients, outcomeOf, runLoad } from "./http-load.ts";
import { fmt, type GatewayProcess, onExit, onSignal, sleep, startGatewayProcess } from "./lib.ts";

// ---------------------------------------------------------------------------------------------- queries

export const PAGE = `query ($arn: String!) { channel(arn: $arn) { name playbackUrl isLive stream { streamId startTime health viewerCount } sessions(first: 5) { edges { node { streamId startTime endTime hasErrorEvent } } } } }`;
export const CARD = `query ($arn: String!) { channel(arn: $arn) { name playbackUrl isLive } }`;
export const DASHBOARD = `query { channels(first: 50) { edges { node { arn name latencyMode playbackUrl isLive stream { streamId health viewerCount } streamKeys { arn value } recordingConfiguration { arn name state } } } } }`;
const QUERIES = { page: PAGE, card: CARD } as const;
type QueryName = keyof typeof QUERIES;

// --------------------------------------------------------------------------------------------- settings

export type DesignName = "previous" | "mirror";
type Part = "a" | "b" | "c" | "d";

export interface ReadPathSettings {
  quick: boolean;
  sizes: number[];
  clients: number[];
  rateClients: [number, number];
  queries: QueryName[];
  phaseSeconds: number;
  warmupSeconds: number;
  idleSeconds: number;
  dashboardSeconds: number;
  dashboardClients: number;
  live: number;
  pastSessionChannels: number;
  parts: Part[];
  designs: DesignName[];
  waitKeys: boolean;
  replicaWaitKeys: boolean;
  gaugeGraceSeconds: number;
  syncTimeoutSeconds: number;
  keysTimeoutSeconds: number;
  replicaMode: "second" | "restart";
  replicaDesigns: DesignName[];
  redisUrl: string;
  baselineRef: string;
  mirrorRef: string | undefined;
  keepWorktree: boolean;
  extraEnv: Record<DesignName, Record<string, string>>;
}

function list(raw: string | undefined, fallback: string): string[] {
  return (raw?.trim() || fallback)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
function numbers(raw: string | undefined, fallback: string): number[] {
  const out = list(raw, fallback).map(Number);
  if (out.some((n) => !Number.isFinite(n) || n <= 0)) throw new Error(`not a list of numbers: ${raw}`);
  return out;
}
function num(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a number: ${raw}`);
  return n;
}
function json(raw: string | undefined, name: string): Record<string, string> {
  if (!raw?.trim()) return {};
  const v = JSON.parse(raw) as unknown;
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new Error(`${name} must be a JSON object`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

/** Every knob, from the environment; BENCH_QUICK=1 shrinks the defaults to a run of a few minutes. */
export function settingsFromEnv(env: Record<string, string | undefined> = process.env): ReadPathSettings {
  const quick = env.BENCH_QUICK === "1";
  const rate = numbers(env.BENCH_RATE_CLIENTS, quick ? "50,100" : "100,1000");
  const designs = list(env.BENCH_DESIGNS, "previous,mirror") as DesignName[];
  const replicaDesigns = list(env.BENCH_REPLICA_DESIGNS, "mirror") as DesignName[];
  for (const d of [...designs, ...replicaDesigns])
    if (d !== "previous" && d !== "mirror") throw new Error(`unknown design ${d}: previous or mirror`);
  const queries = list(env.BENCH_QUERIES, "page,card") as QueryName[];
  for (const q of queries) if (!(q in QUERIES)) throw new Error(`unknown query ${q}: page or card`);
  const parts = list(env.BENCH_PARTS, "a,b,c,d") as Part[];
  const mode = env.BENCH_REPLICA_MODE?.trim() || "second";
  if (mode !== "second" && mode !== "restart")
    throw new Error("BENCH_REPLICA_MODE must be second or restart");
  return {
    quick,
    sizes: numbers(env.BENCH_SIZES, quick ? "200" : "1000,5000").sort((a, b) => a - b),
    clients: numbers(env.BENCH_CLIENTS, quick ? "50,100" : "200,1000"),
    rateClients: [rate[0] ?? 100, rate[1] ?? 1000],
    queries,
    phaseSeconds: num(env.BENCH_PHASE_S, quick ? 5 : 30),
    warmupSeconds: num(env.BENCH_WARMUP_S, quick ? 2 : 5),
    idleSeconds: num(env.BENCH_IDLE_S, quick ? 5 : 60),
    dashboardSeconds: num(env.BENCH_DASHBOARD_S, 5),
    dashboardClients: num(env.BENCH_DASHBOARD_CLIENTS, 50),
    live: num(env.BENCH_LIVE, quick ? 20 : 50),
    pastSessionChannels: num(env.BENCH_PAST_SESSIONS, quick ? 50 : 300),
    parts,
    designs,
    waitKeys: env.BENCH_WAIT_KEYS !== "0",
    replicaWaitKeys: env.BENCH_REPLICA_WAIT_KEYS === "1",
    gaugeGraceSeconds: num(env.BENCH_GAUGE_GRACE_S, quick ? 5 : 20),
    syncTimeoutSeconds: num(env.BENCH_SYNC_TIMEOUT_S, quick ? 20 : 600),
    keysTimeoutSeconds: num(env.BENCH_KEYS_TIMEOUT_S, 3600),
    replicaMode: mode,
    replicaDesigns,
    redisUrl: env.REDIS_URL?.trim() || "redis://127.0.0.1:6379",
    baselineRef: env.BENCH_BASELINE_REF?.trim() || "",
    mirrorRef: env.BENCH_MIRROR_REF?.trim() || undefined,
    keepWorktree: env.BENCH_KEEP_WORKTREE === "1",
    extraEnv: {
      previous: json(env.BENCH_PREVIOUS_ENV, "BENCH_PREVIOUS_ENV"),
      mirror: json(env.BENCH_MIRROR_ENV, "BENCH_MIRROR_ENV"),
    },
  };
}

// ---------------------------------------------------------------------------------------------- designs

interface Design {
  name: DesignName;
  /** Source tree `src/main.ts` runs from. */
  dir: string;
  /** What it is, for the report. */
  source: string;
  worktree?: Worktree;
}

function gitOut(args: string[], cwd = REPO_ROOT): string {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

function prepareDesigns(s: ReadPathSettings): Design[] {
  return s.designs.map((name): Design => {
    if (name === "previous" || s.mirrorRef) {
      const worktree = prepareWorktree(name === "previous" ? s.baselineRef || undefined : s.mirrorRef);
      return {
        name,
        dir: worktree.dir,
        source: `worktree of ${worktree.ref} at ${worktree.commit.slice(0, 12)} (${worktree.dir}${worktree.reused ? ", reused" : ""})`,
        worktree,
      };
    }
    const head = gitOut(["rev-parse", "--short=12", "HEAD"]);
    const dirty = gitOut(["status", "--porcelain", "--", "src", "emulator", "model"])
      .split("\n")
      .filter(Boolean).length;
    return {
      name,
      dir: REPO_ROOT,
      source: `this checkout (${REPO_ROOT}) at ${head}${dirty ? ` + ${dirty} uncommitted file(s) under src/ emulator/ model/` : ", clean"}`,
    };
  });
}

// ------------------------------------------------------------------------------------------ the gateway

const EVENTS_KEY = "bench-read-path-events-0123456789";
const JWT_SECRET = "bench-read-path-jwt-secret-0123456789abcdef";

function benchToken(): Promise<string> {
  return new SignJWT({ scope: "ivs:read ivs:write ivs:secrets" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("bench")
    .setIssuer("bench")
    .setAudience("ivs-gateway")
    .setExpirationTime("4h")
    .sign(new TextEncoder().encode(JWT_SECRET));
}

/** The environment both designs get; variables a shell may carry that conflict with it are blanked (= unset). */
function gatewayEnv(ivsEndpoint: string, extra: Record<string, string>): Record<string, string> {
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
    REDIS_URL: "",
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
    LOG_LEVEL: "warn",
    ...extra,
  };
}

interface RunningGateway {
  g: GatewayProcess;
  stop(): Promise<void>;
}

/**
 * Starts one design's gateway against the emulator (or a proxy in front of it) and registers its
 * POST /events as an emulator event target; `stop` removes the target, then stops the process.
 */
async function startDesign(
  design: Design,
  emulator: EmulatorProcess,
  s: ReadPathSettings,
  opts: { ivsEndpoint?: string; env?: Record<string, string> } = {},
): Promise<RunningGateway> {
  const g = await startGatewayProcess(
    gatewayEnv(opts.ivsEndpoint ?? emulator.url, { ...s.extraEnv[design.name], ...opts.env }),
    // A mirror may sync before it listens: give it the sync timeout.
    { cwd: design.dir, startTimeoutMs: Math.max(30, s.syncTimeoutSeconds) * 1000 },
  );
  const target = `${g.url}/events`;
  try {
    await emulator.control("POST", "/event-targets", {
      url: target,
      apiKeyHeader: "x-api-key",
      apiKey: EVENTS_KEY,
    });
  } catch (error) {
    await g.stop();
    throw error;
  }
  return {
    g,
    async stop() {
      await emulator.control("DELETE", `/event-targets?url=${encodeURIComponent(target)}`).catch(() => {});
      await g.stop();
    },
  };
}

// ------------------------------------------------------------------------------------- process figures

let clkTck = 0;
/** CPU seconds (user + system) of a process, from /proc (Linux); NaN elsewhere. */
function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    if (!clkTck) clkTck = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / clkTck;
  } catch {
    return Number.NaN;
  }
}

/** Samples of a metric whose labels include `labels`; undefined when no sample matches. */
function gauge(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{\s]+(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const have = m[1] ?? "";
    if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) return Number(m[2]);
  }
  return undefined;
}

/** `ivs_mirror_resources{kind="…"}` samples as { kind: count }. */
function mirrorResources(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^ivs_mirror_resources\{[^}]*kind="([^"]+)"[^}]*\}\s+(\S+)$/gm))
    out[m[1] as string] = Number(m[2]);
  return out;
}

// ------------------------------------------------------------------------------------------- the phases

interface IvsCalls {
  calls: number;
  perSecond: number;
  throttled: number;
}

function ivsCallsOf(counts: OperationCounts, seconds: number): Record<string, IvsCalls> {
  const out: Record<string, IvsCalls> = {};
  for (const [op, c] of Object.entries(counts))
    out[op] = { calls: c.total, perSecond: c.total / seconds, throttled: c.byStatus["429"] ?? 0 };
  return out;
}

export interface PhaseResult extends LoadStats {
  design: DesignName;
  channels: number;
  clients: number;
  query: QueryName | "dashboard";
  /** Per IVS operation during the phase (counters reset at its start). */
  ivs: Record<string, IvsCalls>;
  /** Gateway and emulator CPU time over wall time (1 = one core). */
  gatewayCpu: number;
  emulatorCpu: number;
  /** The machine's 1-minute load average at the start of the phase. */
  loadAvg: number;
  /** Dashboard only: idle seconds before it, and how warming it went (first answer, first one with data). */
  idleSeconds?: number;
  warm?: { firstMs: number; first: string; okAfterS: number };
  /** Set when the mirror was measured without having reported itself synced, or without the gauge at all. */
  unsynced?: "not synced" | "no sync gauge";
}

async function timedPhase(
  rg: RunningGateway,
  emulator: EmulatorProcess,
  clients: GqlClient[],
  warmupMs: number,
  ms: number,
  next: () => { query: string; variables?: unknown },
): Promise<Omit<PhaseResult, "design" | "channels" | "clients" | "query">> {
  let loadAvg = Number.NaN;
  let gw0 = 0;
  let em0 = 0;
  let gw = 0;
  let em = 0;
  let counts: OperationCounts = {};
  const stats = await runLoad(clients, next, {
    warmupMs,
    ms,
    onStart: async () => {
      await emulator.resetCounters();
      loadAvg = loadavg()[0] ?? Number.NaN;
      gw0 = cpuSecondsOf(rg.g.child.pid);
      em0 = cpuSecondsOf(emulator.child.pid);
    },
    onEnd: async () => {
      gw = cpuSecondsOf(rg.g.child.pid) - gw0;
      em = cpuSecondsOf(emulator.child.pid) - em0;
      counts = await emulator.requests();
    },
  });
  return {
    ...stats,
    ivs: ivsCallsOf(counts, stats.seconds),
    gatewayCpu: gw / stats.seconds,
    emulatorCpu: em / stats.seconds,
    loadAvg,
  };
}

/** (a)/(b): `clients` clients on random channels of the account, after an untimed warm-up. */
async function channelPhase(
  design: Design,
  rg: RunningGateway,
  emulator: EmulatorProcess,
  account: Account,
  token: string,
  query: QueryName,
  clientCount: number,
  s: ReadPathSettings,
): Promise<PhaseResult> {
  const arns = account.channelArns;
  const next = () => ({
    query: QUERIES[query],
    variables: { arn: arns[Math.floor(Math.random() * arns.length)] },
  });
  const clients = await openClients(rg.g.url, token, clientCount);
  try {
    const r = await timedPhase(rg, emulator, clients, s.warmupSeconds * 1000, s.phaseSeconds * 1000, next);
    return { design: design.name, channels: arns.length, clients: clientCount, query, ...r };
  } finally {
    closeClients(clients);
  }
}

/** (d): the dashboard once warm, `idleSeconds` without traffic, then `dashboardClients` looping it. */
async function dashboardPhase(
  design: Design,
  rg: RunningGateway,
  emulator: EmulatorProcess,
  account: Account,
  token: string,
  s: ReadPathSettings,
): Promise<PhaseResult> {
  const one = new GqlClient(rg.g.url, token);
  const warm: NonNullable<PhaseResult["warm"]> = { firstMs: Number.NaN, first: "none", okAfterS: Number.NaN };
  const began = performance.now();
  const deadline = began + Math.min(60, s.syncTimeoutSeconds) * 1000;
  try {
    // Warm: until one answer with data and no error (a cold cache may need several tries).
    while (performance.now() < deadline) {
      const t = performance.now();
      const answer = await one.send(DASHBOARD).catch(() => undefined);
      const o = answer ? outcomeOf(answer) : { outcome: "failed" as const };
      if (warm.first === "none") {
        warm.firstMs = performance.now() - t;
        warm.first =
          o.outcome === "failed" ? ("error" in o && o.error ? o.error : "network error") : o.outcome;
      }
      if (o.outcome === "ok") {
        warm.okAfterS = (performance.now() - began) / 1000;
        break;
      }
      await sleep(1000);
    }
  } finally {
    one.close();
  }
  await sleep(s.idleSeconds * 1000);
  const clients = await openClients(rg.g.url, token, s.dashboardClients);
  try {
    const r = await timedPhase(rg, emulator, clients, 0, s.dashboardSeconds * 1000, () => ({
      query: DASHBOARD,
    }));
    return {
      design: design.name,
      channels: account.channelArns.length,
      clients: s.dashboardClients,
      query: "dashboard",
      ...r,
      idleSeconds: s.idleSeconds,
      warm,
    };
  } finally {
    closeClients(clients);
  }
}

// -------------------------------------------------------------------------------------------- start-up

export interface StartupResult {
  design: DesignName;
  channels: number;
  /** With Redis (replica 1 of the replica run) or not. */
  redis: boolean;
  listeningS: number;
  channelsSyncedS?: number;
  keysSyncedS?: number;
  keys: "waited" | "not waited" | "timed out" | "n/a";
  /** Seconds since spawn at which any other `ivs_mirror_synced{kind}` was first seen at 1 while waiting. */
  otherKinds: Record<string, number>;
  /** Why a figure is missing (with the `ivs_mirror_crawl` progress when a wait timed out). */
  note?: string;
  callsToChannels?: Record<string, IvsCalls>;
  callsToKeys?: Record<string, IvsCalls>;
  resources?: Record<string, number>;
}

/** `ivs_mirror_crawl{part,state}` as "part done/total, …" (empty when absent). */
function crawlProgress(text: string): string {
  const parts = new Map<string, { done?: string; total?: string }>();
  for (const m of text.matchAll(/^ivs_mirror_crawl\{([^}]*)\}\s+(\S+)$/gm)) {
    const part = /part="([^"]+)"/.exec(m[1] as string)?.[1];
    const state = /state="([^"]+)"/.exec(m[1] as string)?.[1];
    if (!part || (state !== "done" && state !== "total")) continue;
    parts.set(part, { ...parts.get(part), [state]: m[2] });
  }
  return [...parts].map(([p, x]) => `${p} ${x.done ?? "?"}/${x.total ?? "?"}`).join(", ");
}

/**
 * Polls the gateway's /metrics until `ivs_mirror_synced{kind="channel"}` is 1 (and, with `waitKeys`,
 * `ivs_mirror_synced{kind="stream-key"}`), recording the time since spawn and the IVS calls so far.
 * A gauge that never shows up within the grace period ends the wait with a note (not a mirror build).
 */
async function waitForSync(
  design: Design,
  rg: RunningGateway,
  counts: () => Promise<OperationCounts>,
  s: ReadPathSettings,
  channels: number,
  redis: boolean,
): Promise<StartupResult> {
  const { g } = rg;
  const since = (t: number) => (t - g.spawnedAt) / 1000;
  const result: StartupResult = {
    design: design.name,
    channels,
    redis,
    listeningS: since(g.listeningAt),
    keys: s.waitKeys ? "timed out" : "not waited",
    otherKinds: {},
  };
  const scrape = async () => {
    try {
      return await g.metricsText();
    } catch {
      return "";
    }
  };
  const noteOthers = (text: string, now: number) => {
    for (const m of text.matchAll(/^ivs_mirror_synced\{[^}]*kind="([^"]+)"[^}]*\}\s+1$/gm)) {
      const kind = m[1] as string;
      if (
        !["channel", "stream-key", "stream-session"].includes(kind) &&
        result.otherKinds[kind] === undefined
      )
        result.otherKinds[kind] = since(now);
    }
  };
  const waitFor = async (kind: string, timeoutS: number) => {
    let seen = false;
    while (true) {
      const text = await scrape();
      const now = performance.now();
      noteOthers(text, now);
      const v = gauge(text, "ivs_mirror_synced", { kind });
      if (v !== undefined) seen = true;
      if (v === 1) return { at: now, text };
      if (!seen && now - g.listeningAt > s.gaugeGraceSeconds * 1000)
        return {
          note: `no ivs_mirror_synced{kind="${kind}"} gauge on /metrics ${s.gaugeGraceSeconds} s after listening (not a mirror build?)`,
        };
      if (since(now) > timeoutS) {
        const crawl = crawlProgress(text);
        return {
          note: `ivs_mirror_synced{kind="${kind}"} still ${v} after ${timeoutS} s${crawl ? ` (crawl: ${crawl})` : ""}`,
        };
      }
      if (g.child.exitCode !== null) return { note: `gateway exited with ${g.child.exitCode}` };
      await sleep(250);
    }
  };
  const ch = await waitFor("channel", s.syncTimeoutSeconds);
  if (!("at" in ch)) {
    result.note = ch.note;
    result.keys = "n/a";
    return result;
  }
  result.channelsSyncedS = since(ch.at as number);
  result.callsToChannels = ivsCallsOf(await counts(), result.channelsSyncedS);
  result.resources = mirrorResources(ch.text as string);
  if (!s.waitKeys) return result;
  const keyLists = await waitFor("stream-key", s.keysTimeoutSeconds);
  if (!("at" in keyLists)) {
    result.note = keyLists.note;
    return result;
  }
  // Channel pages list sessions: those lists are crawled beside the key lists (a quota of their own).
  const keys = await waitFor("stream-session", s.keysTimeoutSeconds);
  if (!("at" in keys)) {
    result.note = keys.note;
    return result;
  }
  result.keys = "waited";
  result.keysSyncedS = since(keys.at as number);
  result.callsToKeys = ivsCallsOf(await counts(), result.keysSyncedS);
  result.resources = mirrorResources(keys.text as string);
  return result;
}

export interface ReplicaResult {
  design: DesignName;
  channels: number;
  mode: "second" | "restart";
  replica1: StartupResult;
  listeningS?: number;
  firstPageS?: number;
  attempts: number;
  /** Replica 2's own IVS calls from its spawn to its first answered page (counted by a proxy in front of the emulator). */
  calls: Record<string, IvsCalls>;
  /** Replica 2's `ivs_mirror_synced{kind="channel"}` when its first page was answered (undefined = no gauge). */
  syncedAtFirstPage?: number;
  note?: string;
}

async function cleanRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/**
 * (c), second part: replica 1 with Redis until synced; then replica 2 (beside it, or after stopping it)
 * behind a counting proxy, timed from its spawn to its first answered channel page.
 */
async function replicaRun(
  design: Design,
  emulator: EmulatorProcess,
  account: Account,
  token: string,
  s: ReadPathSettings,
): Promise<ReplicaResult> {
  const prefix = `bench-rp-${randomUUID().slice(0, 8)}:`;
  const redisEnv = { REDIS_URL: s.redisUrl, REDIS_KEY_PREFIX: prefix };
  const proxy = await startCountingProxy(emulator.url);
  const running: RunningGateway[] = [];
  // An interrupted run still deletes what its replicas wrote.
  const cancel = onSignal(() => cleanRedisPrefix(s.redisUrl, prefix));
  try {
    await emulator.resetCounters();
    const r1 = await startDesign(design, emulator, s, { env: redisEnv });
    running.push(r1);
    // Replica 1 is waited for until its channels are mirrored (its keys too with BENCH_REPLICA_WAIT_KEYS=1).
    const replica1 = await waitForSync(
      design,
      r1,
      () => emulator.requests(),
      { ...s, waitKeys: s.replicaWaitKeys },
      account.channelArns.length,
      true,
    );
    if (s.replicaMode === "restart") {
      await r1.stop();
      running.pop();
    }
    await emulator.resetCounters();
    proxy.reset();
    const r2 = await startDesign(design, emulator, s, { env: redisEnv, ivsEndpoint: proxy.url });
    running.push(r2);
    const result: ReplicaResult = {
      design: design.name,
      channels: account.channelArns.length,
      mode: s.replicaMode,
      replica1,
      listeningS: (r2.g.listeningAt - r2.g.spawnedAt) / 1000,
      attempts: 0,
      calls: {},
    };
    const client = new GqlClient(r2.g.url, token);
    try {
      const deadline = performance.now() + s.syncTimeoutSeconds * 1000;
      while (performance.now() < deadline) {
        result.attempts += 1;
        const arn = account.channelArns[Math.floor(Math.random() * account.channelArns.length)];
        const answer = await client.send(PAGE, { arn }).catch(() => undefined);
        if (answer && outcomeOf(answer).outcome === "ok") {
          const at = performance.now();
          result.firstPageS = (at - r2.g.spawnedAt) / 1000;
          result.calls = ivsCallsOf(proxy.counts(), result.firstPageS);
          result.syncedAtFirstPage = gauge(await r2.g.metricsText(), "ivs_mirror_synced", {
            kind: "channel",
          });
          break;
        }
        await sleep(100);
      }
      if (result.firstPageS === undefined) {
        result.note = `no answered page within ${s.syncTimeoutSeconds} s`;
        result.calls = ivsCallsOf(proxy.counts(), (performance.now() - r2.g.spawnedAt) / 1000);
      }
    } finally {
      client.close();
    }
    return result;
  } finally {
    for (const r of running.reverse()) await r.stop().catch(() => {});
    await proxy.stop();
    cancel();
    await cleanRedisPrefix(s.redisUrl, prefix).catch((error: unknown) => {
      console.error(`read-path: could not clean Redis prefix ${prefix}: ${(error as Error).message}`);
    });
  }
}

// ------------------------------------------------------------------------------------------------- run

export interface ReadPathResults {
  settings: ReadPathSettings;
  designs: { name: DesignName; source: string }[];
  emulatorFlags: string[];
  accounts: {
    channels: number;
    live: number;
    pastSessions: number;
    recordingConfigurations: number;
    setupSeconds: number;
  }[];
  phases: PhaseResult[];
  dashboards: PhaseResult[];
  startups: StartupResult[];
  replicas: ReplicaResult[];
  failures: string[];
  /** The whole run, set-up included. */
  elapsedSeconds: number;
}

function log(message: string): void {
  process.stderr.write(`[read-path ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export async function runReadPathBench(s: ReadPathSettings = settingsFromEnv()): Promise<ReadPathResults> {
  const designs = prepareDesigns(s);
  // Interrupted runs remove the worktrees they made too (a kept one is reused by the next run, and stays).
  const cancelCleanup = s.keepWorktree
    ? () => {}
    : onExit(() => {
        for (const d of designs) d.worktree?.cleanup();
      });
  const token = await benchToken();
  const results: ReadPathResults = {
    settings: s,
    designs: designs.map((d) => ({ name: d.name, source: d.source })),
    emulatorFlags: [],
    accounts: [],
    phases: [],
    dashboards: [],
    startups: [],
    replicas: [],
    failures: [],
    elapsedSeconds: 0,
  };
  const began = performance.now();
  // Results so far, after every phase: an interrupted run keeps what it measured.
  const jsonPath =
    process.env.BENCH_JSON?.trim() ||
    join(tmpdir(), `read-path-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const save = () => {
    try {
      writeFileSync(jsonPath, JSON.stringify(results, null, 2));
    } catch {}
  };
  log(`results so far are written to ${jsonPath}`);
  const largest = s.sizes[s.sizes.length - 1];
  const has = (p: Part) => s.parts.includes(p);
  try {
    for (const size of s.sizes) {
      const emulator = await startEmulatorProcess();
      results.emulatorFlags = emulator.flags;
      try {
        log(`${size} channels: creating the account`);
        const account = await createAccount(emulator, {
          channels: size,
          live: s.live,
          pastSessionChannels: s.pastSessionChannels,
        });
        results.accounts.push({
          channels: size,
          live: account.liveArns.length,
          pastSessions: account.pastSessions,
          recordingConfigurations: account.recordingConfigurationArns.length,
          setupSeconds: account.setupSeconds,
        });
        log(`${size} channels: made in ${fmt(account.setupSeconds)} s`);
        for (const design of designs) {
          const plan: { query: QueryName; clients: number }[] = [];
          if (has("a"))
            for (const clients of s.clients) for (const query of s.queries) plan.push({ query, clients });
          if (has("b") && size === largest)
            for (const clients of s.rateClients)
              if (!plan.some((p) => p.query === "page" && p.clients === clients))
                plan.push({ query: "page", clients });
          const wantStartup = has("c") && design.name === "mirror";
          if (plan.length === 0 && !(has("d") && size === largest) && !wantStartup) continue;
          await emulator.resetCounters();
          let rg: RunningGateway;
          try {
            log(`${size} channels, ${design.name}: starting the gateway`);
            rg = await startDesign(design, emulator, s);
          } catch (error) {
            results.failures.push(
              `${design.name}, ${size} channels: gateway did not start: ${(error as Error).message}`,
            );
            continue;
          }
          let unsynced: PhaseResult["unsynced"];
          const mark = (r: PhaseResult) => (unsynced ? { ...r, unsynced } : r);
          try {
            // The mirror is measured once synced (its start-up is figure c); the previous design has nothing to wait for.
            if (design.name === "mirror") {
              const startup = await waitForSync(design, rg, () => emulator.requests(), s, size, false);
              results.startups.push(startup);
              if (startup.channelsSyncedS === undefined)
                unsynced = startup.note?.startsWith("no ") ? "no sync gauge" : "not synced";
              log(
                `${size} channels, mirror: ${startup.channelsSyncedS !== undefined ? `channels synced at ${fmt(startup.channelsSyncedS)} s` : startup.note}`,
              );
            }
            for (const p of plan) {
              const t = performance.now();
              const r = mark(await channelPhase(design, rg, emulator, account, token, p.query, p.clients, s));
              results.phases.push(r);
              save();
              log(
                `${size} channels, ${design.name}: ${p.query}, ${p.clients} clients: ${fmt(r.perSecond)} answered/s, ${r.throttled} THROTTLED, ${r.failed} errors (${fmt((performance.now() - t) / 1000)} s)`,
              );
            }
            if (has("d") && size === largest) {
              log(`${size} channels, ${design.name}: dashboard after ${s.idleSeconds} s idle`);
              results.dashboards.push(mark(await dashboardPhase(design, rg, emulator, account, token, s)));
              save();
            }
          } catch (error) {
            results.failures.push(
              `${design.name}, ${size} channels: ${(error as Error).message}\n${rg.g.output().slice(-1500)}`,
            );
          } finally {
            const t = performance.now();
            await rg.stop();
            log(
              `${size} channels, ${design.name}: gateway stopped in ${fmt((performance.now() - t) / 1000)} s`,
            );
          }
        }
        if (has("c") && size === largest)
          for (const design of designs.filter((d) => s.replicaDesigns.includes(d.name))) {
            log(`${size} channels, ${design.name}: replicas sharing Redis (${s.replicaMode})`);
            try {
              results.replicas.push(await replicaRun(design, emulator, account, token, s));
              save();
            } catch (error) {
              results.failures.push(
                `${design.name}, ${size} channels, replicas: ${(error as Error).message}`,
              );
            }
          }
      } finally {
        await emulator.stop();
      }
    }
  } finally {
    cancelCleanup();
    if (!s.keepWorktree) for (const d of designs) d.worktree?.cleanup();
    results.elapsedSeconds = (performance.now() - began) / 1000;
    save();
  }
  return results;
}

// ----------------------------------------------------------------------------------------------- print

const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
const rule = (n: number) => row(Array.from({ length: n }, () => "---"));
const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)} %` : "n/a");

function callsList(calls: Record<string, IvsCalls> | undefined): string {
  if (!calls) return "—";
  const ops = Object.entries(calls).sort(([a], [b]) => a.localeCompare(b));
  if (ops.length === 0) return "none";
  return ops.map(([op, c]) => `${op} ${c.calls}${c.throttled ? ` (${c.throttled}×429)` : ""}`).join(", ");
}

/** A table of IVS calls/s per operation (429s in brackets) beside IVS's quota, one column per result. */
function ivsTable(columns: { title: string; ivs: Record<string, IvsCalls> }[]): string[] {
  const ops = [...new Set(columns.flatMap((c) => Object.keys(c.ivs)))].sort();
  const lines = [
    row(["IVS operation", "quota /s", ...columns.map((c) => c.title)]),
    rule(2 + columns.length),
  ];
  for (const op of ops)
    lines.push(
      row([
        op,
        IVS_RATES[op] ?? "?",
        ...columns.map((c) => {
          const x = c.ivs[op];
          return x ? `${fmt(x.perSecond, 2)} (${x.throttled})` : "—";
        }),
      ]),
    );
  lines.push(
    row([
      "**all**",
      "",
      ...columns.map((c) => {
        const all = Object.values(c.ivs);
        const per = all.reduce((a, x) => a + x.perSecond, 0);
        const t = all.reduce((a, x) => a + x.throttled, 0);
        return `${fmt(per, 2)} (${t})`;
      }),
    ]),
  );
  return lines;
}

function loadRow(r: PhaseResult, first: (string | number)[]): string {
  return row([
    ...first,
    fmt(r.perSecond),
    r.throttled,
    r.failed,
    `${fmt(r.p50, 0)} / ${fmt(r.p99, 0)}`,
    `${fmt(r.p50All, 0)} / ${fmt(r.p99All, 0)}`,
    `${pct(r.loadCpu)} / ${pct(r.gatewayCpu)} / ${pct(r.emulatorCpu)}`,
    fmt(r.loadAvg, 2),
  ]);
}
/** The design, flagged when the mirror never reported itself synced. */
const label = (p: PhaseResult) => (p.unsynced ? `${p.design} (${p.unsynced})` : p.design);
const LOAD_HEAD = [
  "answered/s",
  "THROTTLED",
  "other errors",
  "p50 / p99 ms (answered)",
  "p50 / p99 ms (all answers)",
  "CPU load-gen / gateway / emulator",
  "load avg",
];

export function printReadPathSettings(
  s: ReadPathSettings,
  designs: { name: string; source: string }[],
): string {
  return [
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average at start ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
    ...designs.map((d) => `- **${d.name}**: ${d.source}`),
    `- account per size (fresh emulator process per size, made through @aws-sdk/client-ivs at 200× quotas, then real quotas): ${s.sizes.join(", ")} channels; 5 recording configurations on every 10th channel, a playback restriction policy on every 20th, tags on every 4th; past sessions on ${s.pastSessionChannels} channels (a third with two, a tenth failed); ${s.live} channels live during the runs`,
    `- both designs: IVS_ENDPOINT=<standalone emulator> IVS_ANONYMOUS=true, JWT auth (HS256, scope ivs:read ivs:write ivs:secrets), RATE_LIMIT_PER_MINUTE=0, EVENTS_API_KEY set and POST /events registered as the emulator's event target; every other setting at its default${Object.keys(s.extraEnv.previous).length ? `; previous also ${JSON.stringify(s.extraEnv.previous)}` : ""}${Object.keys(s.extraEnv.mirror).length ? `; mirror also ${JSON.stringify(s.extraEnv.mirror)}` : ""}`,
    `- one gateway at a time against the emulator; the mirror measured once \`ivs_mirror_synced{kind="channel"}\` is 1${s.waitKeys ? ' and `{kind="stream-key"}` and `{kind="stream-session"}` too (every channel\'s key and session lists)' : ""}; request counters and rate buckets reset at the start of every timed phase`,
    `- (a) clients ${s.clients.join(", ")} × queries ${s.queries.join(", ")}, each client one keep-alive connection opened before the phase, random channel per request, ${s.warmupSeconds} s untimed warm-up then ${s.phaseSeconds} s timed; THROTTLED → wait retryAfterMs (≤ 5 s); (b) page at ${s.rateClients.join(" and ")} clients on ${s.sizes[s.sizes.length - 1]} channels; (c) start-up and replicas (${s.replicaMode}, Redis ${s.redisUrl}) on ${s.sizes[s.sizes.length - 1]} channels; (d) ${s.dashboardClients} clients × ${s.dashboardSeconds} s after ${s.idleSeconds} s idle`,
    "- counted: requests sent inside the timed window, with their answers however late (none sent after it); answered/s = answers with data and no error / window; latency: send to parsed answer, in the load generator; CPU: process CPU time / wall time over the phase (100 % = one core) for the load generator (this process), the gateway and the emulator",
    "",
  ].join("\n");
}

export function printReadPathResults(r: ReadPathResults): string {
  const s = r.settings;
  const out: string[] = [printReadPathSettings(s, r.designs)];
  if (r.accounts.length > 0) {
    out.push(row(["channels", "live", "past sessions", "recording configurations", "set-up s"]), rule(5));
    for (const a of r.accounts)
      out.push(row([a.channels, a.live, a.pastSessions, a.recordingConfigurations, fmt(a.setupSeconds)]));
    out.push("");
  }
  const designOrder = (d: DesignName) => s.designs.indexOf(d);

  const aPhases = r.phases.filter((p) => s.clients.includes(p.clients) && s.parts.includes("a"));
  if (aPhases.length > 0) {
    out.push("### (a) Random channel pages and cards under real quotas", "");
    out.push(row(["channels", "query", "clients", "design", ...LOAD_HEAD]), rule(4 + LOAD_HEAD.length));
    const sorted = [...aPhases].sort(
      (x, y) =>
        x.channels - y.channels ||
        s.queries.indexOf(x.query as QueryName) - s.queries.indexOf(y.query as QueryName) ||
        x.clients - y.clients ||
        designOrder(x.design) - designOrder(y.design),
    );
    for (const p of sorted) out.push(loadRow(p, [p.channels, p.query, p.clients, label(p)]));
    out.push("");
    for (const size of s.sizes)
      for (const query of s.queries) {
        const cols = sorted.filter((p) => p.channels === size && p.query === query);
        if (cols.length === 0) continue;
        out.push(`IVS calls/s (429s) during the ${query} runs on ${size} channels:`, "");
        out.push(...ivsTable(cols.map((p) => ({ title: `${label(p)} ${p.clients}`, ivs: p.ivs }))), "");
      }
  }
  const failures = r.phases.filter((p) => p.failures.length > 0);
  if (failures.length > 0) {
    out.push("Error samples:", "");
    for (const p of failures)
      out.push(
        `- ${p.design}, ${p.channels} channels, ${p.query}, ${p.clients} clients: ${p.failures.join("; ")}`,
      );
    out.push("");
  }

  const largest = s.sizes[s.sizes.length - 1];
  const [lo, hi] = s.rateClients;
  const bCols = s.designs.flatMap((d) =>
    [lo, hi].flatMap((c) => {
      const p = r.phases.find(
        (x) => x.design === d && x.channels === largest && x.query === "page" && x.clients === c,
      );
      return p ? [{ title: `${label(p)} ${c} clients`, ivs: p.ivs, p }] : [];
    }),
  );
  if (s.parts.includes("b") && bCols.length > 0) {
    out.push(
      `### (b) IVS call rate vs traffic: channel pages on ${largest} channels, ${lo} and ${hi} clients`,
      "",
    );
    out.push(row(["design", "clients", ...LOAD_HEAD]), rule(2 + LOAD_HEAD.length));
    for (const c of bCols) out.push(loadRow(c.p, [label(c.p), c.p.clients]));
    out.push("", "IVS calls/s (429s):", "", ...ivsTable(bCols), "");
  }

  if (r.startups.length > 0 || r.replicas.length > 0) {
    out.push("### (c) Start-up of the mirror", "");
    out.push(
      row([
        "channels",
        "design",
        "Redis",
        "listening s",
        "channels synced s",
        "key and session lists synced s",
        "IVS calls to channels synced",
        "IVS calls to lists synced",
        "other kinds synced s",
        "mirrored resources",
        "note",
      ]),
      rule(11),
    );
    for (const x of [...r.startups, ...r.replicas.map((y) => y.replica1)])
      out.push(
        row([
          x.channels,
          x.design,
          x.redis ? "yes (replica 1)" : "no",
          fmt(x.listeningS),
          x.channelsSyncedS === undefined ? "n/a" : fmt(x.channelsSyncedS),
          x.keysSyncedS !== undefined ? fmt(x.keysSyncedS) : x.keys,
          callsList(x.callsToChannels),
          callsList(x.callsToKeys),
          Object.entries(x.otherKinds)
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(", ") || "—",
          x.resources
            ? Object.entries(x.resources)
                .map(([k, v]) => `${k} ${v}`)
                .join(", ")
            : "—",
          x.note ?? "",
        ]),
      );
    out.push("");
  }
  if (r.replicas.length > 0) {
    out.push(
      `Replica 2 sharing Redis with replica 1 (${s.replicaMode === "second" ? "started beside it" : "started after stopping it"}), its own IVS calls (through a counting proxy) from its spawn to its first answered channel page:`,
      "",
    );
    out.push(
      row([
        "channels",
        "design",
        "listening s",
        "first answered page s",
        "attempts",
        "IVS calls",
        "List*/BatchGet* calls",
        "its mirror synced then",
        "note",
      ]),
      rule(9),
    );
    for (const x of r.replicas) {
      const listing = Object.entries(x.calls)
        .filter(([op]) => op.startsWith("List") || op.startsWith("BatchGet"))
        .reduce((a, [, c]) => a + c.calls, 0);
      out.push(
        row([
          x.channels,
          x.design,
          x.listeningS === undefined ? "n/a" : fmt(x.listeningS),
          x.firstPageS === undefined ? "n/a" : fmt(x.firstPageS),
          x.attempts,
          callsList(x.calls),
          listing,
          x.syncedAtFirstPage === undefined ? "no gauge" : String(x.syncedAtFirstPage),
          x.note ?? "",
        ]),
      );
    }
    out.push("");
  }

  if (r.dashboards.length > 0) {
    const d0 = r.dashboards[0] as PhaseResult;
    out.push(
      `### (d) 50-channel dashboard after ${d0.idleSeconds} s idle: ${d0.clients} clients for ${s.dashboardSeconds} s, ${d0.channels} channels`,
      "",
    );
    out.push(
      row(["design", "warming: first answer; first with data", ...LOAD_HEAD]),
      rule(2 + LOAD_HEAD.length),
    );
    for (const d of r.dashboards)
      out.push(
        loadRow(d, [
          label(d),
          d.warm
            ? `${fmt(d.warm.firstMs, 0)} ms (${d.warm.first}); answered after ${fmt(d.warm.okAfterS)} s`
            : "—",
        ]),
      );
    out.push("", "IVS calls during those seconds (count, 429s in brackets):", "");
    const ops = [...new Set(r.dashboards.flatMap((d) => Object.keys(d.ivs)))].sort();
    out.push(row(["IVS operation", "quota /s", ...r.dashboards.map(label)]), rule(2 + r.dashboards.length));
    for (const op of ops)
      out.push(
        row([
          op,
          IVS_RATES[op] ?? "?",
          ...r.dashboards.map((d) => {
            const x = d.ivs[op];
            return x ? `${x.calls} (${x.throttled})` : "—";
          }),
        ]),
      );
    out.push("");
    const dFail = r.dashboards.filter((d) => d.failures.length > 0);
    for (const d of dFail) out.push(`- ${d.design} dashboard errors: ${d.failures.join("; ")}`);
    if (dFail.length > 0) out.push("");
  }

  if (r.failures.length > 0) {
    out.push("### Failures", "");
    for (const f of r.failures) out.push(`- ${f.replace(/\n/g, "\n  ")}`);
    out.push("");
  }
  out.push(`(read-path run: ${fmt(r.elapsedSeconds, 0)} s in all)`);
  return out.join("\n");
}
