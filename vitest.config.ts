import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

/**
 * Tests that start another program (the gateway's own `npm start`, redis-server, Chromium, the Relay
 * compiler, a second Vitest) are named `*.spawn.test.ts`. Everything else runs in the test's own process.
 */
const SPAWNING = "test/**/*.spawn.test.ts";

export default defineConfig({
  resolve: {
    // Vite would pick graphql's `module` build (index.mjs) for our files while Pothos and Yoga, loaded by
    // Node, get index.js: two copies of graphql break `instanceof` checks. One copy for everyone.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    // The default report for people, then one plain closing line for programs reading the CI log.
    reporters: ["default", "./test/support/closing-line.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Most of the suite waits on sockets, timers and IVS quotas rather than on the CPU: more files at once
    // than this 2-core machine has cores keeps both busy. Not more than 4: with 6, the programs the spawning
    // files start (a gateway is about 2 CPU-s, Chromium more) missed their start deadlines in CI.
    maxWorkers: 4,
    // The pinned AWS SDK supports Node 20; its notice about later releases would repeat in every file.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    projects: [
      // Vitest starts projects in name order: "spawning" before "within-process", because its files are few and
      // long and would otherwise start only once the short ones are done.
      { extends: true, test: { name: "spawning", include: [SPAWNING] } },
      {
        extends: true,
        test: {
          name: "within-process",
          include: ["test/**/*.test.ts"],
          exclude: [SPAWNING],
          // One module graph per worker, not per file: importing the gateway costs about 2 s, paid once per
          // worker instead of once per file. Every test builds its own gateway, emulator and clients, so
          // files share code, not state.
          isolate: false,
        },
      },
    ],
  },
});
