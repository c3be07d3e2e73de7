import { statSync } from "node:fs";
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Files named `*.spawn.test.ts` start other programs (a gateway, redis-server, Chromium, the AWS CLI). */
const spawns = (spec: TestSpecification) => spec.moduleId.endsWith(".spawn.test.ts");

/**
 * The order files start in, for a fresh clone with no timings cached (CI): larger files first, taking files
 * that start programs and files that run in this process by turns. Files that start programs are the long,
 * CPU-hungry ones: started early they do not end the run, and taken by turns no more than half the workers
 * run them at once. (A CI run that started every such file first failed three load-sensitive tests; the runs
 * by turns since have passed.) Once Vitest has timings of its own (a second run here) it orders by them,
 * failed files first.
 */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    // The key Vitest keeps a file's results under (BaseSequencer's own).
    const timed = files.every((spec) =>
      cache.getFileTestResults(`${spec.project.name}:${relative(config.root, spec.moduleId)}`),
    );
    if (timed) return super.sort(files);
    const sizes = new Map(files.map((spec) => [spec, statSync(spec.moduleId).size]));
    const larger = (a: TestSpecification, b: TestSpecification) => (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0);
    const spawning = files.filter(spawns).sort(larger);
    const within = files.filter((spec) => !spawns(spec)).sort(larger);
    const order: TestSpecification[] = [];
    for (let i = 0; i < Math.max(spawning.length, within.length); i++)
      order.push(...[spawning[i], within[i]].filter((spec) => spec !== undefined));
    return order;
  }
}
