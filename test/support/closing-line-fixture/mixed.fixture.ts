import { expect, it } from "vitest";

// Run only by test/support/closing-line.spawn.test.ts, in a Vitest of its own: one passing test, one failing.
it("passes", () => expect(1).toBe(1));
it("fails", () => expect(1).toBe(2));
