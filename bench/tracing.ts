/**
 * What tracing costs: the warm dashboard load (bench/dashboard.ts's query over 50 channels) against two
 * gateway processes side by side, one with tracing off (OTEL_TRACES_EXPORTER unset: no provider, no hook)
 * and one with every operation traced (the default sampler, parentbased_always_on) and exported over
 * OTLP/HTTP to a sink in this process that counts the spans it receives. Rounds alternate which gateway
 * is loaded first; only one is loaded at a time. Many short rounds, and the median of the per-round
 * ratios, because a shared machine's other work moves throughput more than tracing does; gateway CPU per
 * answered dashboard is the steadier figure. Knobs: BENCH_TRACING_CLIENTS (50), BENCH_TRACING_ROUNDS
 * (10), BENCH_TRACING_PHASE_S (10), BENCH_TRACING_WARMUP_S (3); BENCH_QUICK=1: 2 rounds of 5 s.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createResources, DASHBOARD } from "./dashboard.ts";
import { closeClients, type LoadStats, openClients, runLoad } from "./http-load.ts";
import {
  fmt,
  type GatewayProcess,
  type RoundSettings,
  roundSettingsFromEnv,
  sleep,
  startGatewayProcess,
} from "./lib.ts";

export type TracingMode = "off" | "on";

export type TracingSettings = RoundSettings;

export interface TracingRound {
  round: number;
  mode: TracingMode;
  load: LoadStats;
  /** Gateway CPU ms per answered dashboard (process_cpu_seconds_total over the window). */
  cpuMsPerOk: number;
  /** Spans the sink received during the window (on only). */
  spans: number;
}

export interface TracingResult {
  settings: TracingSettings;
  rounds: TracingRound[];
  /** Export requests the sink received in all, and spans in them. */
  exports: { requests: number; spans: number };
}

export function tracingSettingsFromEnv(quick: boolean): TracingSettings {
  return roundSettingsFromEnv("BENCH_TRACING", {
    clients: 50,
    rounds: quick ? 2 : 10,
    phaseS: quick ? 5 : 10,
    warmupS: quick ? 1 : 3,
  });
}

/** A stand-in collector: answers every POST /v1/traces with 200 and counts the spans in it (OTLP JSON). */
async function startSink() {
  const counts = { requests: 0, spans: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      counts.requests += 1;
      // Every span has exactly one "spanId" key, and only spans have it (links would too; we make none).
      counts.spans += Buffer.concat(chunks).toString().split('"spanId"').length - 1;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function runTracingBench(settings: TracingSettings): Promise<TracingResult> {
  const sink = await startSink();
  const common = { SEED_DEMO_DATA: "false", RATE_LIMIT_PER_MINUTE: "0", EMULATOR_PORT: "0" };
  const gateways: Partial<Record<TracingMode, GatewayProcess>> = {};
  try {
    [gateways.off, gateways.on] = await Promise.all([
      startGatewayProcess(common, { devToken: true }),
      startGatewayProcess(
        { ...common, OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
        { devToken: true },
      ),
    ]);
    const both = [gateways.off, gateways.on];
    await Promise.all(both.map((g) => createResources(g)));
    const clients = {
      off: await openClients(gateways.off.url, gateways.off.devToken, settings.clients),
      on: await openClients(gateways.on.url, gateways.on.devToken, settings.clients),
    };
    // Warm: the mirror holds every channel's keys and sessions once each gateway answered a few dashboards.
    for (const mode of ["off", "on"] as const)
      await runLoad(clients[mode], () => ({ query: DASHBOARD }), { ms: 3000 });
    const rounds: TracingRound[] = [];
    try {
      for (let round = 1; round <= settings.rounds; round++) {
        const order: TracingMode[] = round % 2 === 1 ? ["off", "on"] : ["on", "off"];
        for (const mode of order) {
          const g = gateways[mode] as GatewayProcess;
          let cpu0 = 0;
          let cpu = 0;
          let spans0 = 0;
          let spans = 0;
          const load = await runLoad(clients[mode], () => ({ query: DASHBOARD }), {
            warmupMs: settings.warmupS * 1000,
            ms: settings.phaseS * 1000,
            onStart: async () => {
              cpu0 = await g.metric("process_cpu_seconds_total");
              spans0 = sink.counts.spans;
            },
            onEnd: async () => {
              cpu = (await g.metric("process_cpu_seconds_total")) - cpu0;
              spans = sink.counts.spans - spans0;
            },
          });
          rounds.push({ round, mode, load, cpuMsPerOk: (cpu * 1000) / load.ok, spans });
          // Lets the traced gateway's last batch leave before the next window (BatchSpanProcessor: 5 s).
          await sleep(mode === "on" ? 5500 : 500);
        }
      }
    } finally {
      closeClients([...clients.off, ...clients.on]);
    }
    return { settings, rounds, exports: { ...sink.counts } };
  } finally {
    await Promise.all(Object.values(gateways).map((g) => g?.stop()));
    await sink.stop();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Markdown: every round, then the means and the on/off ratio. */
export function printTracingResults(r: TracingResult): string {
  const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  const s = r.settings;
  const lines = [
    `${s.clients} clients, ${s.rounds} rounds, each: ${s.warmupS} s untimed + ${s.phaseS} s counted per gateway, order alternating`,
    "",
    row([
      "round",
      "tracing",
      "dashboard ok/s",
      "p50 ms",
      "p99 ms",
      "errors",
      "gateway CPU ms / ok",
      "spans / ok",
    ]),
    row(["---", "---", "---", "---", "---", "---", "---", "---"]),
  ];
  for (const x of r.rounds)
    lines.push(
      row([
        x.round,
        x.mode,
        fmt(x.load.perSecond),
        fmt(x.load.p50, 1),
        fmt(x.load.p99, 1),
        x.load.failed + x.load.throttled,
        fmt(x.cpuMsPerOk, 2),
        x.mode === "on" ? fmt(x.spans / x.load.ok, 2) : "—",
      ]),
    );
  const of = (mode: TracingMode) => r.rounds.filter((x) => x.mode === mode);
  const off = of("off");
  const on = of("on");
  const rate = (xs: TracingRound[]) => mean(xs.map((x) => x.load.perSecond));
  const cpu = (xs: TracingRound[]) => mean(xs.map((x) => x.cpuMsPerOk));
  // Per round (the two windows of a round are minutes apart at most), then their mean.
  const ratios = off.map((o, i) => (on[i]?.load.perSecond ?? Number.NaN) / o.load.perSecond);
  lines.push(
    "",
    row(["tracing", "mean ok/s", "mean p50 ms", "mean p99 ms", "gateway CPU ms / ok"]),
    row(["---", "---", "---", "---", "---"]),
    row([
      "off",
      fmt(rate(off)),
      fmt(mean(off.map((x) => x.load.p50))),
      fmt(mean(off.map((x) => x.load.p99))),
      fmt(cpu(off), 2),
    ]),
    row([
      "on",
      fmt(rate(on)),
      fmt(mean(on.map((x) => x.load.p50))),
      fmt(mean(on.map((x) => x.load.p99))),
      fmt(cpu(on), 2),
    ]),
    "",
    `on/off throughput: mean ${fmt(rate(on) / rate(off), 3)}, median of rounds ${fmt(median(ratios), 3)} ` +
      `(per round: ${ratios.map((x) => fmt(x, 3)).join(", ")})`,
    `overhead: ${fmt((1 - median(ratios)) * 100)} % of throughput (median), ` +
      `${fmt((cpu(on) / cpu(off) - 1) * 100)} % gateway CPU per dashboard (means)`,
    `exports received: ${r.exports.requests} requests, ${r.exports.spans} spans`,
  );
  return lines.join("\n");
}
