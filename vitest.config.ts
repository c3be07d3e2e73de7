import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";
import { LongestFirst } from "./test/support/sequencer.ts";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Vite would pick graphql's `module` build (index.mjs) for our files while Pothos and Yoga, loaded by
    // Node, get index.js: two copies of graphql break `instanceof` checks. One copy for everyone.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    // dist/ built once, as `npm start` builds it: the files that start programs run what users run.
    globalSetup: ["./test/support/build.ts"],
    // The default report for people, then one plain closing line for programs reading the CI log.
    reporters: ["default", "./test/support/closing-line.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Most of the suite waits on sockets, timers and IVS quotas rather than on the CPU: more files at once
    // than this 2-core machine has cores keeps both busy. 6 since the programs the spawning files start run
    // built (a gateway start under 1 CPU-s, about 2 through tsx): 54–55 s here against 65 s with 4. With 8
    // (and tsx) a gateway missed its start deadline, for no gain.
    maxWorkers: 6,
    // The pinned AWS SDK supports Node 20; its notice about later releases would repeat in every file.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    // Files that start programs (`*.spawn.test.ts`) first, then the rest, so that long files overlap; see the file.
    sequence: { sequencer: LongestFirst },
    // One module graph per worker, not per file: importing the gateway costs about 2 s, paid once per worker
    // instead of once per file. Every test builds its own gateway, emulator and clients, so files share code,
    // not state. Files that start programs run this way too (it cut their CPU from 83 to 66 CPU-s), so one
    // project holds both kinds: a second one would differ only in name, and the sequencer takes them by turns.
    isolate: false,
  },
});
