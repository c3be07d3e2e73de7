import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Vite would pick graphql's `module` build (index.mjs) for our files while Pothos and Yoga, loaded by
    // Node, get index.js: two copies of graphql break `instanceof` checks. One copy for everyone.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // The default report for people, then one plain closing line for programs reading the CI log.
    reporters: ["default", "./test/support/closing-line.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // The pinned AWS SDK supports Node 20; its notice about later releases would repeat in every file.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
