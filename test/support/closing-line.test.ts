import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("the closing lines of a test run", () => {
  it("count a real run's passed, failed and skipped tests, the plain line last", async () => {
    // A Vitest of its own over a fixture with one test of each outcome; it exits 1 for the failure.
    const outcome = await run(
      "npx",
      ["vitest", "run", "--config", "test/support/closing-line-fixture/vitest.config.ts"],
      { env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 },
    ).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    expect(outcome.code).toBe(1);
    const lines = outcome.stdout.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("Tests: 1 passed, 1 failed, 1 skipped");
    expect(lines).toEqual(expect.arrayContaining(["# tests 3", "# pass 1", "# fail 1", "# skipped 1"]));
  });
});
