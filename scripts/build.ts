import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build as esbuild } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where `npm start`, `npm run emulator` and the image run from: dist/main.js and dist/emulator.js. */
export const DIST = join(ROOT, "dist");

/** The entry points, by the name of the file each becomes in dist/. */
const ENTRIES = { main: "src/main.ts", emulator: "emulator/main.ts" } as const;
/**
 * Files the code reads beside itself at run time (`new URL("./x", import.meta.url)`); in the bundle,
 * import.meta.url is the bundle's, so they go beside it.
 */
const ASSETS = ["src/pages/live-status.html", "src/pages/live-status.client.js"] as const;

/**
 * Builds dist/: each entry point with the project's own modules in one ES module file, packages left to
 * node_modules, so that a start loads a few hundred files natively instead of every source file through
 * tsx's loader (a gateway start: 1.87–2.15 CPU-s through tsx, 0.81–0.97 built; BENCHMARKS.md). Not minified: stack
 * traces keep the source's names.
 */
export async function build(): Promise<void> {
  const { outputFiles } = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: Object.entries(ENTRIES).map(([out, input]) => ({ out, in: input })),
    outdir: DIST,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
    write: false,
  });
  mkdirSync(DIST, { recursive: true });
  for (const file of outputFiles) replace(file.path, file.contents);
  for (const asset of ASSETS)
    replace(join(DIST, asset.split("/").at(-1) as string), readFileSync(join(ROOT, asset)));
}

/**
 * Writes beside `path`, then renames over it: a program starting from dist/ while another build runs (an
 * `npm start` during the test run, which started others from dist/) reads the old file or the new one,
 * never half of one.
 */
function replace(path: string, contents: Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

// Run as a script (npm run build, and before npm start), not when the test setup imports build().
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await build();
