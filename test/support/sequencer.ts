import { statSync } from "node:fs";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Files named `*.spawn.test.ts` start other programs (a gateway, redis-server, Chromium, the AWS CLI). */
const spawns = (spec: TestSpecification) => spec.moduleId.endsWith(".spawn.test.ts");

/**
 * The order files start in, for a fresh clone with no timings cached (CI): larger files first, taking files
 * that start programs and files that run in this process by turns. Files that start programs are the long,
 * CPU-hungry ones: started early they do not end the run, and taken by turns no more than half the workers
 * run them at once (all four at once starved the gateways they start past their deadlines in CI). Once Vitest
 * has timings of its own (a second run here) it orders by them, failed files first.
 */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const timed = files.every((spec) => this.ctx.cache.getFileTestResults(key(this.ctx.config.root, spec)));
    if (timed) return super.sort(files);
    const size = (spec: TestSpecification) => statSync(spec.moduleId).size;
    const larger = (a: TestSpecification, b: TestSpecification) => size(b) - size(a);
    const spawning = files.filter(spawns).sort(larger);
    const within = files.filter((spec) => !spawns(spec)).sort(larger);
    const order: TestSpecification[] = [];
    for (let i = 0; i < Math.max(spawning.length, within.length); i++)
      order.push(...[spawning[i], within[i]].filter((spec) => spec !== undefined));
    return order;
  }
}

function key(root: string, spec: TestSpecification): string {
  return `${spec.project.name}:${spec.moduleId.slice(root.length + 1)}`;
}
