/**
 * What executing the dashboard costs beside the framework: the warm 50-channel dashboard
 * (bench/dashboard.ts) against this gateway, against the gateway at a baseline ref (BENCH_PEER_BASELINE,
 * default cf62f31, from a worktree: bench/baseline.ts), and against a BARE graphql-yoga peer in its own
 * process serving the same schema (schema.graphql) from memory: the gateway's own answer, captured once,
 * as the root value, with graphql-js's default resolvers. Each target is also loaded with its own
 * `{ __typename }`, so HTTP and the framework's fixed cost show apart from execution. Same clients (50
 * keep-alive connections each), one target loaded at a time, order rotating per round, all in one run.
 * Knobs: BENCH_PEER_CLIENTS (50), BENCH_PEER_ROUNDS (3), BENCH_PEER_PHASE_S (6), BENCH_PEER_WARMUP_S (2);
 * BENCH_QUICK=1: 2 rounds of 4 s.
 *
 * `tsx bench/dashboard-peer.ts --serve <answer.json>` is the peer itself (prints `listening <url>`).
 */

import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { buildSchema } from "graphql";
import { createYoga } from "graphql-yoga";
import { prepareWorktree, REPO_ROOT } from "./baseline.ts";
import { createResources, DASHBOARD } from "./dashboard.ts";
import { closeClients, type GqlClient, type LoadStats, openClients, runLoad, TRIVIAL } from "./http-load.ts";
import {
  fmt,
  type GatewayProcess,
  killOnExit,
  type RoundSettings,
  roundSettingsFromEnv,
  sleep,
  startGatewayProcess,
  stopChild,
} from "./lib.ts";

export type PeerTarget = "gateway" | "baseline" | "peer";
export type PeerQuery = "dashboard" | "trivial";

export interface PeerSettings extends RoundSettings {
  baselineRef: string;
}

export interface PeerRound {
  round: number;
  target: PeerTarget;
  query: PeerQuery;
  load: LoadStats;
  /** CPU ms of the serving process per answered request over the window. */
  cpuMsPerOk: number;
}

export interface PeerResult {
  settings: PeerSettings;
  rounds: PeerRound[];
  /** Fields in one dashboard answer (leaves and objects), what each execution resolves. */
  fields: number;
}

export function peerSettingsFromEnv(quick: boolean): PeerSettings {
  return {
    ...roundSettingsFromEnv("BENCH_PEER", {
      clients: 50,
      rounds: quick ? 2 : 3,
      phaseS: quick ? 4 : 6,
      warmupS: quick ? 1 : 2,
    }),
    baselineRef: process.env.BENCH_PEER_BASELINE?.trim() || "cf62f31",
  };
}

/** The bare peer: Yoga's defaults (its parse/validate cache included), the captured answer behind the root fields. */
async function serve(answerPath: string): Promise<void> {
  const schema = buildSchema(readFileSync(join(REPO_ROOT, "schema.graphql"), "utf8"));
  const data = (JSON.parse(readFileSync(answerPath, "utf8")) as { data: Record<string, unknown> }).data;
  // The root fields answer from memory; every field below them is graphql-js's default resolver.
  const query = schema.getQueryType();
  for (const [name, value] of Object.entries(data)) {
    const field = query?.getFields()[name];
    if (field) field.resolve = () => value;
  }
  const yoga = createYoga({ schema, logging: false, maskedErrors: false });
  const server = createServer((req, res) => {
    // The load's CPU figure: this process's CPU time, read by the bench around each window.
    if (req.url === "/_cpu") return void res.end(JSON.stringify(process.cpuUsage()));
    yoga(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

interface Peer {
  url: string;
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

async function startPeer(answerPath: string): Promise<Peer> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), "--serve", answerPath],
    {
      stdio: ["ignore", "pipe", "inherit"],
      cwd: REPO_ROOT,
    },
  );
  killOnExit(child);
  const url = await new Promise<string>((ok, fail) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /listening (\S+)/.exec(out);
      if (m?.[1]) ok(m[1]);
    });
    child.once("exit", (code) => fail(new Error(`peer exited with ${code}: ${out}`)));
  });
  return {
    url,
    async cpuSeconds() {
      const cpu = (await (await fetch(`${url}/_cpu`)).json()) as NodeJS.CpuUsage;
      return (cpu.user + cpu.system) / 1e6;
    },
    stop: () => stopChild(child),
  };
}

function countFields(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countFields(v), 0);
  if (value && typeof value === "object")
    return Object.values(value).reduce((n: number, v) => n + 1 + countFields(v), 0);
  return 0;
}

export async function runPeerBench(settings: PeerSettings): Promise<PeerResult> {
  const common = { SEED_DEMO_DATA: "false", RATE_LIMIT_PER_MINUTE: "0", EMULATOR_PORT: "0" };
  const previous = prepareWorktree(settings.baselineRef);
  const answerPath = join(tmpdir(), `dashboard-peer-${process.pid}.json`);
  const gateways: Partial<Record<"gateway" | "baseline", GatewayProcess>> = {};
  let peer: Peer | undefined;
  const all: GqlClient[] = [];
  try {
    [gateways.gateway, gateways.baseline] = await Promise.all([
      startGatewayProcess(common, { devToken: true }),
      startGatewayProcess(common, { cwd: previous.dir, devToken: true }),
    ]);
    const g = gateways.gateway;
    const b = gateways.baseline;
    // One after the other: each paces its creates under CreateChannel's quota, and two at once starve a 2-core machine.
    await createResources(g);
    await createResources(b);
    const clients: Record<PeerTarget, GqlClient[]> = {
      gateway: await openClients(g.url, g.devToken, settings.clients),
      baseline: await openClients(b.url, b.devToken, settings.clients),
      peer: [],
    };
    all.push(...clients.gateway, ...clients.baseline);
    // Warm: the mirror holds every channel's keys and sessions once a gateway answered a few dashboards.
    for (const t of ["gateway", "baseline"] as const)
      await runLoad(clients[t], () => ({ query: DASHBOARD }), { ms: 3000 });
    const answer = await clients.gateway[0]?.send(DASHBOARD);
    if (!answer?.body.data || answer.body.errors)
      throw new Error(`dashboard failed: ${JSON.stringify(answer)}`);
    writeFileSync(answerPath, JSON.stringify(answer.body));
    peer = await startPeer(answerPath);
    clients.peer = await openClients(peer.url, undefined, settings.clients);
    all.push(...clients.peer);
    const check = await clients.peer[0]?.send(DASHBOARD);
    // Same values (key order aside: the gateway's relay connection builds its objects in its own order).
    if (!isDeepStrictEqual(check?.body.data, answer.body.data)) {
      throw new Error(
        `the peer's answer differs from the gateway's: ${JSON.stringify(check?.body).slice(0, 300)}`,
      );
    }
    await runLoad(clients.peer, () => ({ query: DASHBOARD }), { ms: 3000 });

    const cpuOf: Record<PeerTarget, () => Promise<number>> = {
      gateway: () => g.metric("process_cpu_seconds_total"),
      baseline: () => b.metric("process_cpu_seconds_total"),
      peer: () => (peer as Peer).cpuSeconds(),
    };
    const targets: PeerTarget[] = ["gateway", "peer", "baseline"];
    const rounds: PeerRound[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      const order = targets.map((_, i) => targets[(i + round - 1) % targets.length] as PeerTarget);
      for (const target of order)
        for (const query of ["dashboard", "trivial"] as const) {
          let cpu0 = 0;
          let cpu = 0;
          const load = await runLoad(
            clients[target],
            () => ({ query: query === "dashboard" ? DASHBOARD : TRIVIAL }),
            {
              warmupMs: settings.warmupS * 1000,
              ms: settings.phaseS * 1000,
              onStart: async () => {
                cpu0 = await cpuOf[target]();
              },
              onEnd: async () => {
                cpu = (await cpuOf[target]()) - cpu0;
              },
            },
          );
          rounds.push({ round, target, query, load, cpuMsPerOk: (cpu * 1000) / load.ok });
          await sleep(300);
        }
    }
    return { settings, rounds, fields: countFields(answer.body.data) };
  } finally {
    closeClients(all);
    await Promise.all([...Object.values(gateways).map((x) => x?.stop()), peer?.stop()]);
    rmSync(answerPath, { force: true });
    previous.cleanup();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Markdown: every window, then per target the means, and the ratios to the peer. */
export function printPeerResults(r: PeerResult): string {
  const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  const s = r.settings;
  const label = (t: PeerTarget) =>
    t === "baseline"
      ? `gateway at ${s.baselineRef}`
      : t === "peer"
        ? "bare Yoga peer"
        : "gateway (this checkout)";
  const lines = [
    `${s.clients} connections per target, ${s.rounds} rounds, each window ${s.warmupS} s untimed + ${s.phaseS} s counted, one target at a time, order rotating; ${r.fields} fields per dashboard answer`,
    "",
    row(["round", "target", "query", "ok/s", "p50 ms", "p99 ms", "errors", "server CPU ms / ok"]),
    row(["---", "---", "---", "---", "---", "---", "---", "---"]),
  ];
  for (const x of r.rounds)
    lines.push(
      row([
        x.round,
        label(x.target),
        x.query,
        fmt(x.load.perSecond),
        fmt(x.load.p50, 1),
        fmt(x.load.p99, 1),
        x.load.failed + x.load.throttled,
        fmt(x.cpuMsPerOk, 2),
      ]),
    );
  const of = (t: PeerTarget, q: PeerQuery) => r.rounds.filter((x) => x.target === t && x.query === q);
  const rate = (t: PeerTarget, q: PeerQuery) => mean(of(t, q).map((x) => x.load.perSecond));
  const cpu = (t: PeerTarget, q: PeerQuery) => mean(of(t, q).map((x) => x.cpuMsPerOk));
  lines.push(
    "",
    row([
      "target",
      "dashboard ok/s",
      "dashboard / peer's",
      "CPU ms / dashboard",
      "`{ __typename }` ok/s",
      "its CPU ms / ok",
    ]),
    row(["---", "---", "---", "---", "---", "---"]),
  );
  for (const t of ["peer", "baseline", "gateway"] as const)
    lines.push(
      row([
        label(t),
        fmt(rate(t, "dashboard")),
        fmt(rate(t, "dashboard") / rate("peer", "dashboard"), 2),
        fmt(cpu(t, "dashboard"), 2),
        fmt(rate(t, "trivial")),
        fmt(cpu(t, "trivial"), 2),
      ]),
    );
  const failures = [...new Set(r.rounds.flatMap((x) => x.load.failures))];
  if (failures.length) lines.push("", `failures: ${failures.slice(0, 5).join("; ")}`);
  return lines.join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--serve");
  const path = process.argv[at + 1];
  if (at < 0 || !path)
    throw new Error("usage: tsx bench/dashboard-peer.ts --serve <answer.json> (or npm run bench -- peer)");
  await serve(path);
}
