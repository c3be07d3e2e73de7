import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { closingLines } from "./closing-line.ts";

const run = promisify(execFile);

describe("the closing lines of a test run", () => {
  it("count a real run's passed and failed tests, the plain line last", async () => {
    // A Vitest of its own over a fixture with a passing and a failing test; it exits 1 for the failure.
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
    expect(lines.at(-1)).toBe("Tests: 1 passed, 1 failed");
    expect(lines).toEqual(expect.arrayContaining(["# tests 2", "# pass 1", "# fail 1", "# skipped 0"]));
  });

  it("name skipped tests only when there are some", () => {
    const lines = closingLines({ passed: 4, failed: 0, skipped: 2, files: 1 }, 1234.4).trimEnd().split("\n");
    expect(lines.at(-1)).toBe("Tests: 4 passed, 0 failed, 2 skipped");
    expect(lines).toEqual(expect.arrayContaining(["# tests 6", "# skipped 2", "# duration_ms 1234"]));
  });
});
