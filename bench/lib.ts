import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { type AddressInfo, createServer } from "node:net";
import { inspectorUrlIn, type MemoryAfterGc, memoryAfterGc } from "./inspector.ts";

/** p-th percentile (0..100) of numbers, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Children a benchmark started; killed when the benchmark process exits, however it exits. */
const children = new Set<ChildProcess>();
/** Synchronous clean-ups (e.g. removing a worktree) run when the process exits. */
const exitTasks = new Set<() => void>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once("exit", () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    for (const task of exitTasks)
      try {
        task();
      } catch {}
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.once(signal, () => {
      for (const c of children) c.kill("SIGTERM");
      // Asynchronous clean-ups (Redis keys) get a few seconds; the exit handler then kills what is left.
      const tasks = [...signalTasks].map((task) => task().catch(() => {}));
      void Promise.race([Promise.all(tasks), sleep(3000)]).then(() => process.exit(130));
    });
}

/** Asynchronous clean-ups run on SIGINT/SIGTERM/SIGHUP before exiting (at most 3 s). */
const signalTasks = new Set<() => Promise<unknown>>();

/** Runs `task` if this process is interrupted by a signal; the returned function cancels it. */
export function onSignal(task: () => Promise<unknown>): () => void {
  signalTasks.add(task);
  hookExit();
  return () => signalTasks.delete(task);
}

/** Registers `child` to be killed if this process exits (normally, by an error or by SIGINT/SIGTERM). */
export function killOnExit(child: ChildProcess): void {
  children.add(child);
  child.once("exit", () => children.delete(child));
  hookExit();
}

/** Runs `task` (synchronous) when this process exits, unless the returned function cancels it first. */
export function onExit(task: () => void): () => void {
  exitTasks.add(task);
  hookExit();
  return () => exitTasks.delete(task);
}

/** SIGTERM, then SIGKILL if the child is still there after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface GatewayProcess {
  url: string;
  emulatorUrl?: string;
  /** The bearer token a gateway without auth configuration minted (development mode), if it did. */
  devToken?: string;
  child: ChildProcess;
  /** `performance.now()` just before the process was spawned. */
  spawnedAt: number;
  /** `performance.now()` when it first answered /health (it listens; polled every 20 ms). */
  listeningAt: number;
  stop(): Promise<void>;
  /** A Prometheus sample of the gateway process, e.g. `process_resident_memory_bytes`. */
  metric(name: string): Promise<number>;
  /** The whole /metrics text. */
  metricsText(): Promise<string>;
  /** The last lines it wrote to stdout and stderr, for error messages. */
  output(): string;
  /** RSS and heap after a full GC; only for a process started with `inspect` (else it throws). */
  memoryAfterGc(): Promise<MemoryAfterGc>;
}

export interface GatewayProcessOptions {
  /** Source tree to run `src/main.ts` from (a worktree of another commit). Default: the current directory. */
  cwd?: string;
  /** How long to wait for /health to answer. Default 30 s. */
  startTimeoutMs?: number;
  /**
   * Wait (within the start timeout) for the development banner's token: on a busy machine the banner can
   * come after /health first answers. For gateways in development mode that the bench calls with it.
   */
  devToken?: boolean;
  /** Start it with its inspector on a loopback port, so that `memoryAfterGc()` can ask it. Default false. */
  inspect?: boolean;
  /** What to run instead of `src/main.ts` (a bench peer answering /health the same way). */
  script?: string;
}

/** A numeric bench knob from the environment (unset or empty: the fallback). */
export function numberFromEnv(name: string, fallback: number): number {
  return Number(process.env[name] || fallback);
}

/** Load in rounds: clients, rounds, and each window's counted and untimed seconds. */
export interface RoundSettings {
  clients: number;
  rounds: number;
  phaseS: number;
  warmupS: number;
}

/** `<prefix>_CLIENTS`, `<prefix>_ROUNDS`, `<prefix>_PHASE_S` and `<prefix>_WARMUP_S`, else the defaults. */
export function roundSettingsFromEnv(prefix: string, defaults: RoundSettings): RoundSettings {
  return {
    clients: numberFromEnv(`${prefix}_CLIENTS`, defaults.clients),
    rounds: numberFromEnv(`${prefix}_ROUNDS`, defaults.rounds),
    phaseS: numberFromEnv(`${prefix}_PHASE_S`, defaults.phaseS),
    warmupS: numberFromEnv(`${prefix}_WARMUP_S`, defaults.warmupS),
  };
}

/** One sample from a Prometheus text exposition; `name` may carry labels (`a{kind="x"}`). NaN if absent. */
export function metricFrom(text: string, name: string): number {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const labels = name.includes("{") ? "" : "(?:\\{[^}]*\\})?";
  const m = new RegExp(`^${escaped}${labels} ([0-9.e+-]+|NaN)$`, "m").exec(text);
  return m?.[1] ? Number(m[1]) : Number.NaN;
}

/** A port nothing listens on now (the OS's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Benchmarks open many subscriptions and sockets as one principal (a stand-in for many users): the
 * per-principal caps (MAX_SUBSCRIPTIONS_PER_PRINCIPAL 500, MAX_CONNECTIONS_PER_PRINCIPAL 100) are raised
 * unless a benchmark sets them, since they measure fan-out, not the caps.
 */
const UNCAPPED = { MAX_SUBSCRIPTIONS_PER_PRINCIPAL: "1000000", MAX_CONNECTIONS_PER_PRINCIPAL: "1000000" };

/** Starts `npm start` (tsx src/main.ts) in a child process and waits until it answers /health. */
export async function startGatewayProcess(
  env: Record<string, string>,
  options: GatewayProcessOptions = {},
): Promise<GatewayProcess> {
  // A port chosen here: outside development the gateway prints no banner (stdout is JSON lines only, and
  // benchmarks log at warn), so "listening" is its /health answering, whatever it prints.
  const port = env.PORT && env.PORT !== "0" ? Number(env.PORT) : await freePort();
  const spawnedAt = performance.now();
  const inspect = options.inspect ? ["--inspect=127.0.0.1:0"] : [];
  // e.g. BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the gateways of a run.
  const extra = process.env.BENCH_GATEWAY_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const script = options.script ?? "src/main.ts";
  const child = spawn(process.execPath, [...inspect, ...extra, "--import", "tsx", script], {
    env: { ...process.env, LOG_LEVEL: "warn", ...UNCAPPED, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  killOnExit(child);
  let out = "";
  let err = "";
  let inspectorUrl: string | undefined;
  child.stderr?.on("data", (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-4000);
    inspectorUrl ??= inspectorUrlIn(err);
  });
  const output = () => `${out.slice(-4000)}${err ? `\n[stderr] ${err}` : ""}`;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`gateway did not start within ${options.startTimeoutMs ?? 30_000} ms: ${output()}`));
    }, options.startTimeoutMs ?? 30_000);
    let exited = false;
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.length > 64_000) out = out.slice(-16_000);
    });
    child.once("exit", (code) => {
      exited = true;
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}: ${output()}`));
    });
    const base = `http://127.0.0.1:${port}`;
    const poll = async () => {
      while (!exited) {
        const up = await fetch(`${base}/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) {
          clearTimeout(timer);
          return resolve(base);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    void poll();
  });
  const listeningAt = performance.now();
  // The banner prints a pasteable `export TOKEN=<jwt>`.
  const tokenIn = (text: string) => /Dev token[^:]*:\s+(?:export TOKEN=)?(\S+)/.exec(text)?.[1];
  const deadline = spawnedAt + (options.startTimeoutMs ?? 30_000);
  await new Promise((r) => setTimeout(r, 100));
  while (options.devToken && !tokenIn(out) && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const emulatorUrl = /IVS emulator:\s+(http:\/\/\S+)/.exec(out)?.[1];
  const devToken = tokenIn(out);
  if (options.devToken && !devToken) {
    child.kill("SIGKILL");
    throw new Error(`gateway printed no development token: ${output()}`);
  }
  const metricsText = async () => (await fetch(`${url}/metrics`)).text();
  return {
    url,
    ...(emulatorUrl ? { emulatorUrl } : {}),
    ...(devToken ? { devToken } : {}),
    child,
    spawnedAt,
    listeningAt,
    stop: () => stopChild(child),
    metricsText,
    async metric(name) {
      return metricFrom(await metricsText(), name);
    },
    output,
    memoryAfterGc() {
      if (!inspectorUrl) throw new Error("memoryAfterGc needs a gateway started with { inspect: true }");
      return memoryAfterGc(inspectorUrl);
    },
  };
}

/**
 * The environment that makes a gateway write a heap snapshot into `dir` on SIGUSR2 (none without a dir).
 * A snapshot is taken after a full GC, so its size is the live heap; compare two with bench/heap-diff.ts.
 */
export function heapSnapshotEnv(dir: string): Record<string, string> {
  if (!dir) return {};
  return {
    NODE_OPTIONS:
      `${process.env.NODE_OPTIONS ?? ""} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}`.trim(),
  };
}

/**
 * SIGUSR2 to every process started with `heapSnapshotEnv`, then waits until each has written its file
 * (the snapshot blocks the process's event loop, so /health answering again means it is done).
 */
export async function heapSnapshots(gateways: GatewayProcess[], label: string): Promise<void> {
  const started = performance.now();
  for (const g of gateways) g.child.kill("SIGUSR2");
  await sleep(500);
  await Promise.all(
    gateways.map(async (g) => {
      for (let i = 0; i < 240; i++) {
        const ok = await fetch(`${g.url}/health`, { signal: AbortSignal.timeout(60_000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
        await sleep(500);
      }
    }),
  );
  console.error(
    `${label}: heap snapshots of pids ${gateways.map((g) => g.child.pid).join(", ")} in ${fmt((performance.now() - started) / 1000, 1)} s`,
  );
}
