/**
 * `npm run bench`: runs the benchmarks and prints their tables (copied into BENCHMARKS.md).
 * `npm run bench -- live`, `-- dashboard`, `-- peer`, `-- read-path`, `-- jobs`, `-- tracing` or `-- soak` runs one; sizes can be cut with BENCH_QUICK=1.
 * soak's knobs (BENCH_SOAK_S, …): bench/soak.ts; it exits 1 when its verdict fails.
 * read-path's knobs (BENCH_SIZES, BENCH_CLIENTS, BENCH_PHASE_S, BENCH_WAIT_KEYS, …): bench/read-path.ts.
 */
// The pinned AWS SDK supports Node 20; its notice about later releases (README) is not a result.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { cpus, totalmem } from "node:os";
import { prepareWorktree } from "./baseline.ts";
import { printDashboardResults, runDashboardBench } from "./dashboard.ts";
import { peerSettingsFromEnv, printPeerResults, runPeerBench } from "./dashboard-peer.ts";
import { printJobsResults, runJobsBench } from "./jobs.ts";
import {
  LIVE_HEADER,
  liveRow,
  liveSettingsFromEnv,
  printLiveResults,
  runLiveSideBySide,
} from "./live-subscribers.ts";
import { printReadPathResults, runReadPathBench, settingsFromEnv } from "./read-path.ts";
import { printSoakResults, runSoak, soakSettingsFromEnv } from "./soak.ts";
import { printTracingResults, runTracingBench, tracingSettingsFromEnv } from "./tracing.ts";

const which = process.argv[2] ?? "all";
const quick = process.env.BENCH_QUICK === "1";
console.log(`# Benchmarks ${new Date().toISOString()}`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`,
);

if (which === "all" || which === "live") {
  const live = liveSettingsFromEnv(quick);
  console.log(
    `## Live events, open-loop fan-out: ${live.eventsPerSecond} events/s for ${live.seconds} s, latency from each event's scheduled send, deliveries counted until ${live.deadlineSeconds} s after the last (${live.designs.map((d) => (d === "baseline" ? `baseline ${live.baselineRef}` : d === "peer" ? "a bare ws peer" : "this checkout")).join(", ")}, side by side; ${live.workers} receiving processes)\n`,
  );
  const baseline = prepareWorktree(live.baselineRef);
  try {
    console.error(LIVE_HEADER.join("\n"));
    const results = await runLiveSideBySide(live, baseline.dir, (r) => console.error(liveRow(r)));
    console.log(printLiveResults(results));
  } finally {
    // A worktree found in place may be another run's (it is keyed by commit only): leave it to that run.
    baseline.cleanup();
  }
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
if (which === "all" || which === "jobs") {
  console.log(
    "## Bulk creates at IVS's CreateChannel quota (5/s): one job, and the same creates sent at once\n",
  );
  const items = Number(process.env.BENCH_JOB_ITEMS ?? (quick ? 100 : 1000));
  const results = [];
  for (const mode of ["bare", "job"] as const) results.push(await runJobsBench(mode, items));
  console.log(printJobsResults(results));
  console.log("");
}
if (which === "all" || which === "tracing") {
  console.log("## Tracing: the warm dashboard with OpenTelemetry off and on (OTLP export), side by side\n");
  console.log(printTracingResults(await runTracingBench(tracingSettingsFromEnv(quick))));
  console.log("");
}
if (which === "all" || which === "peer") {
  console.log(
    "## Dashboard execution: the gateway, the gateway at a baseline ref, and a bare Yoga peer serving the same answer\n",
  );
  console.log(printPeerResults(await runPeerBench(peerSettingsFromEnv(quick))));
  console.log("");
}
let failed = false;
if (which === "all" || which === "soak") {
  console.log(
    "## Soak: queries, subscriptions and events with IVS and delivery faults and a Redis restart, two replicas\n",
  );
  const soak = await runSoak(soakSettingsFromEnv());
  console.log(printSoakResults(soak));
  console.log("");
  failed = !soak.verdict.ok;
}
process.exit(failed ? 1 : 0);
