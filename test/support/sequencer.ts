import { statSync } from "node:fs";
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Files named `*.spawn.test.ts` start other programs (a gateway, redis-server, Chromium, the AWS CLI). */
const spawns = (spec: TestSpecification) => spec.moduleId.endsWith(".spawn.test.ts");

/**
 * The order files start in: longest first, taking files that start programs and files that run in this
 * process by turns. Files that start programs are the long, CPU-hungry ones: started early they do not end
 * the run, and taken by turns no more than half the workers run them at once. "Longest" is the duration
 * Vitest cached from the last run where it has one for every file, else (a fresh clone, as in CI) the
 * file's size. Vitest's own order (by cached duration alone) started the six spawning files together here,
 * and each took about twice as long as when taken by turns (main.spawn 38 s instead of 19 s).
 */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    // The key Vitest keeps a file's results under (BaseSequencer's own).
    const cached = (spec: TestSpecification) =>
      cache.getFileTestResults(`${spec.project.name}:${relative(config.root, spec.moduleId)}`)?.duration;
    const timed = files.every((spec) => cached(spec) !== undefined);
    const weights = new Map(
      files.map((spec) => [spec, timed ? (cached(spec) ?? 0) : statSync(spec.moduleId).size]),
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
