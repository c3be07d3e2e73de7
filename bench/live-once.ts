/**
 * One fan-out run of the live benchmark (bench/live-subscribers.ts), for profiling and heap snapshots:
 * `tsx bench/live-once.ts` with BENCH_LIVE_N (subscribers, default 10000), BENCH_LIVE_REPLICAS (1 or 2,
 * default 1), BENCH_LIVE_DESIGN (`current`, default, or `bare ws peer`) and the live bench's own knobs
 * (BENCH_LIVE_S, BENCH_LIVE_HEAP_SNAPSHOTS, …). BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"
 * profiles the gateway. Prints the run's table row.
 */
import { LIVE_HEADER, liveRow, liveSettingsFromEnv, runLiveBench } from "./live-subscribers.ts";

const replicas = process.env.BENCH_LIVE_REPLICAS === "2" ? 2 : 1;
const result = await runLiveBench(
  Number(process.env.BENCH_LIVE_N ?? 10_000),
  replicas,
  liveSettingsFromEnv(false),
  process.env.BENCH_LIVE_DESIGN ?? "current",
);
console.log([...LIVE_HEADER, liveRow(result)].join("\n"));
process.exit(0);
