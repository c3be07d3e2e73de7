import { expect, it } from "vitest";

// Run only by test/support/closing-line.test.ts, in a Vitest of its own: one of each outcome.
it("passes", () => expect(1).toBe(1));
it("fails", () => expect(1).toBe(2));
it.skip("is skipped", () => {});
