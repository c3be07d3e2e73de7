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
 * both, its size at the median seconds per byte. By size alone a fresh clone took 60.1 s instead of 56.6 s:
 * budget.test, small but paced by IVS quotas, started last.
 */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    const committed = JSON.parse(
      readFileSync(join(config.root, "test/support/durations.json"), "utf8"),
    ) as Record<string, number>;
    // Milliseconds: Vitest's cached duration, else the committed one.
    const known = new Map<TestSpecification, number>();
    for (const spec of files) {
      const path = relative(config.root, spec.moduleId);
      // The key Vitest keeps a file's results under (BaseSequencer's own).
      const cached = cache.getFileTestResults(`${spec.project.name}:${path}`)?.duration;
      const ms = cached ?? (committed[path] === undefined ? undefined : committed[path] * 1000);
      if (ms !== undefined) known.set(spec, ms);
    }
    const size = (spec: TestSpecification) => statSync(spec.moduleId).size;
    const perByte = median([...known].map(([spec, ms]) => ms / size(spec)));
    const weights = new Map(files.map((spec) => [spec, known.get(spec) ?? size(spec) * perByte]));
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
