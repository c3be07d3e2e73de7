import type { Reporter, TestModule } from "vitest/node";

/** What the run counted: tests passed, failed and skipped, and the files. */
export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  files: number;
}

/**
 * The lines that close a run for programs reading a CI log, which know other runners' summaries but not
 * Vitest's (its columns and parentheses are written for people): node's test runner's closing block, then
 * the plain `Tests: N passed, N failed` (`, N skipped` when any were) alone on the last line.
 */
export function closingLines({ passed, failed, skipped, files }: Counts, durationMs: number): string {
  const node = [
    `# tests ${passed + failed + skipped}`,
    `# suites ${files}`,
    `# pass ${passed}`,
    `# fail ${failed}`,
    "# cancelled 0",
    `# skipped ${skipped}`,
    "# todo 0",
    `# duration_ms ${Math.round(durationMs)}`,
  ];
  const tail = skipped > 0 ? `, ${skipped} skipped` : "";
  return `\n${node.join("\n")}\nTests: ${passed} passed, ${failed} failed${tail}\n`;
}

/** Counts a run's tests; a file that failed to load has none but is a failure all the same. */
export function countTests(testModules: ReadonlyArray<TestModule>): Counts {
  const counts: Counts = { passed: 0, failed: 0, skipped: 0, files: testModules.length };
  for (const module of testModules) {
    const tests = [...module.children.allTests()];
    for (const test of tests) {
      const state = test.result().state;
      if (state === "passed") counts.passed++;
      else if (state === "failed") counts.failed++;
      else counts.skipped++;
    }
    if (module.state() === "failed" && tests.length === 0) counts.failed++;
  }
  return counts;
}

export default class ClosingLine implements Reporter {
  private started = Date.now();

  onTestRunStart(): void {
    this.started = Date.now();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    process.stdout.write(closingLines(countTests(testModules), Date.now() - this.started));
  }
}
