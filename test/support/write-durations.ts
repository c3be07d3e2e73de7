import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `npm run test:durations`: writes test/support/durations.json from the durations Vitest cached in its last
 * run here (node_modules/.vite/vitest/<hash>/results.json), so that a fresh clone, which has no cache,
 * starts the long files first too (test/support/sequencer.ts). Run it after a full `npm test`.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const cacheDir = join(ROOT, "node_modules/.vite/vitest");
const [hash] = readdirSync(cacheDir);
if (!hash) throw new Error(`no Vitest results under ${cacheDir}: run npm test first`);
const { results } = JSON.parse(readFileSync(join(cacheDir, hash, "results.json"), "utf8")) as {
  results: [string, { duration?: number }][];
};
const seconds = results
  .map(
    ([key, { duration }]) =>
      [key.slice(key.indexOf(":") + 1), Math.round((duration ?? 0) / 100) / 10] as const,
  )
  .sort((a, b) => b[1] - a[1]);
writeFileSync(
  join(ROOT, "test/support/durations.json"),
  `${JSON.stringify(Object.fromEntries(seconds), null, 2)}\n`,
);
console.log(`wrote the durations of ${seconds.length} files to test/support/durations.json`);
