/**
 * `npm run bench`: runs the benchmarks and prints their tables (copied into BENCHMARKS.md).
 * `npm run bench -- live`, `-- dashboard` or `-- read-path` runs one; sizes can be cut with BENCH_QUICK=1.
 * read-path's knobs (BENCH_SIZES, BENCH_CLIENTS, BENCH_PHASE_S, BENCH_WAIT_KEYS, …): bench/read-path.ts.
 */
import { cpus, totalmem } from "node:os";
import { prepareWorktree } from "./baseline.ts";
import { printDashboardResults, runDashboardBench } from "./dashboard.ts";
import { printLiveResults, runLiveBench } from "./live-subscribers.ts";
import { printReadPathResults, runReadPathBench, settingsFromEnv } from "./read-path.ts";

const which = process.argv[2] ?? "all";
const quick = process.env.BENCH_QUICK === "1";
console.log(`# Benchmarks ${new Date().toISOString()}`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`,
);

if (which === "all" || which === "live") {
  console.log("## Live events: ingest → subscriber latency (graphql-ws, one socket per subscriber)\n");
  const sizes = quick ? [200] : [1000, 10_000];
  const results = [];
  for (const n of sizes) results.push(await runLiveBench(n, 1));
  for (const n of sizes) results.push(await runLiveBench(n, 2));
  console.log(printLiveResults(results));
  console.log("");
}

if (which === "all" || which === "dashboard") {
  console.log("## Dashboard load within IVS quotas: the previous design (TTL cache) and the mirror\n");
  const sizes = quick ? [100] : [100, 500];
  const seconds = quick ? 10 : 20;
  const results = [];
  const previous = prepareWorktree();
  try {
    for (const n of sizes)
      for (const mode of ["previous", "mirror"] as const)
        results.push(await runDashboardBench(mode, n, seconds, previous.dir));
  } finally {
    previous.cleanup();
  }
  console.log(printDashboardResults(results));
  console.log("");
}

if (which === "all" || which === "read-path") {
  console.log("## Read path: the previous design (TTL cache) and the mirror, side by side\n");
  console.log(printReadPathResults(await runReadPathBench(settingsFromEnv())));
  console.log("");
}
process.exit(0);
