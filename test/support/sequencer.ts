import { readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Files named `*.spawn.test.ts` start other programs (a gateway, redis-server, Chromium, the AWS CLI). */
const spawns = (spec: TestSpecification) => spec.moduleId.endsWith(".spawn.test.ts");

/**
 * The order files start in: longest first, taking files that start programs and files that run in this
 * process by turns. Started early, the long files do not end the run; taken by turns, no more than half the
 * workers start programs at once (Vitest's own order, by duration alone, started the six spawning files
 * together here, and each took about twice as long: main.spawn 38 s instead of 19 s).
 *
 * A file's length is what Vitest cached from the last run here; in a fresh clone (CI), which has no cache,
 * the committed test/support/durations.json (`npm run test:durations` refreshes it); for a file newer than
 * both, its size at the median seconds per byte. By size alone a fresh clone took 60 s instead of 55 s:
 * budget.test, small but paced by IVS quotas, started last.
 */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    const committed = JSON.parse(
      readFileSync(join(config.root, "test/support/durations.json"), "utf8"),
    ) as Record<string, number>;
    const known = (spec: TestSpecification): number | undefined => {
      const path = relative(config.root, spec.moduleId);
      // The key Vitest keeps a file's results under (BaseSequencer's own).
      const cached = cache.getFileTestResults(`${spec.project.name}:${path}`)?.duration;
      return cached ?? (committed[path] !== undefined ? committed[path] * 1000 : undefined);
    };
    const sizes = new Map(files.map((spec) => [spec, statSync(spec.moduleId).size]));
    const perByte = median(
      files.flatMap((spec) =>
        (known(spec) ?? -1) >= 0 ? [(known(spec) as number) / (sizes.get(spec) as number)] : [],
      ),
    );
    const weights = new Map(
      files.map((spec) => [spec, known(spec) ?? (sizes.get(spec) as number) * perByte]),
    );
    const longer = (a: TestSpecification, b: TestSpecification) =>
      (weights.get(b) ?? 0) - (weights.get(a) ?? 0);
    const spawning = files.filter(spawns).sort(longer);
    const within = files.filter((spec) => !spawns(spec)).sort(longer);
    const order: TestSpecification[] = [];
    for (let i = 0; i < Math.max(spawning.length, within.length); i++)
      order.push(...[spawning[i], within[i]].filter((spec) => spec !== undefined));
    return order;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 1;
}
