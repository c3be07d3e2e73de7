import { statSync } from "node:fs";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Files named `*.spawn.test.ts` start other programs (a gateway, redis-server, Chromium, the AWS CLI). */
const spawns = (spec: TestSpecification) => spec.moduleId.endsWith(".spawn.test.ts");

/**
 * The order files start in, for a fresh clone with no timings cached (CI): files that start programs first,
 * since they are the longest and spend the most CPU, then the rest, larger files first. A file that waits on
 * IVS quotas is also a long one, so its wait overlaps the CPU the others spend instead of ending the run.
 * Once Vitest has timings of its own (a second run here) it orders by them, failed files first.
 */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const timed = files.every((spec) => this.ctx.cache.getFileTestResults(key(this.ctx.config.root, spec)));
    if (timed) return super.sort(files);
    const size = (spec: TestSpecification) => statSync(spec.moduleId).size;
    return [...files].sort((a, b) => Number(spawns(b)) - Number(spawns(a)) || size(b) - size(a));
  }
}

function key(root: string, spec: TestSpecification): string {
  return `${spec.project.name}:${spec.moduleId.slice(root.length + 1)}`;
}
