import { describe, expect, it } from "vitest";
import { ThrottledError } from "../../src/errors.ts";
import { BatchFetcher } from "../../src/ivs/batch-fetcher.ts";
import { memoryBudgetStore, RequestBudget } from "../../src/ivs/budget.ts";
import { runInScope } from "../../src/ivs/scope.ts";

/** A fetcher over a fake batch call that records what each call carried, budgeted like BatchGetChannel. */
function fetcher(share = 0.8) {
  const calls: string[][] = [];
  const budget = new RequestBudget({ store: memoryBudgetStore(), share });
  const f = new BatchFetcher<string>({
    operation: "BatchGetChannel",
    maxBatch: 50,
    budget,
    send: async (keys) => {
      calls.push(keys);
      await new Promise((r) => setTimeout(r, 5));
      return new Map(keys.map((k) => [k, k.startsWith("missing") ? null : `value of ${k}`]));
    },
  });
  return { f, calls };
}

describe("budget-aware batching", () => {
  it("lets every key asked for while a call waits for the budget ride the next call", async () => {
    const { f, calls } = fetcher();
    // 200 lookups trickling in over a second, as concurrent requests would: one every 5 ms.
    const answers: Promise<string | null>[] = [];
    for (let i = 0; i < 200; i++) {
      answers.push(f.load(`k${i}`));
      await new Promise((r) => setTimeout(r, 5));
    }
    const values = await Promise.all(answers);
    expect(values).toEqual(Array.from({ length: 200 }, (_, i) => `value of k${i}`));
    for (const batch of calls) expect(batch.length).toBeLessThanOrEqual(50);
    // At 4 calls/s with a burst of 3, about a second of arrivals fits in a handful of calls, not 200.
    expect(calls.length).toBeLessThanOrEqual(9);
    expect(new Set(calls.flat()).size).toBe(200);
  });

  it("joins a key already waiting or in flight instead of asking twice, and answers null for a missing one", async () => {
    const { f, calls } = fetcher();
    const [a, b, c] = await Promise.all([f.load("x"), f.load("x"), f.load("missing-y")]);
    expect([a, b, c]).toEqual(["value of x", "value of x", null]);
    expect(calls.flat().sort()).toEqual(["missing-y", "x"]);
  });

  it("sends interactive keys first: a background backlog never delays a client", async () => {
    const { f, calls } = fetcher();
    const later = { priority: "background" as const, deadline: Date.now() + 60_000 };
    // Use up the burst, then queue 120 background keys (three calls' worth) behind it.
    await Promise.all([f.load("b0"), f.load("b1"), f.load("b2")].map((p) => p.catch(() => null)));
    const background = Array.from({ length: 120 }, (_, i) => runInScope(later, () => f.load(`bg${i}`)));
    await new Promise((r) => setTimeout(r, 20));
    const client = f.load("client");
    await client;
    const withClient = calls.findIndex((batch) => batch.includes("client"));
    const lastBackground = Math.max(
      ...calls.map((batch, i) => (batch.some((k) => k.startsWith("bg")) ? i : -1)),
    );
    // The client's key went in the first call made after it arrived, ahead of the remaining backlog.
    expect(withClient).toBeLessThan(lastBackground + 1);
    expect(calls[withClient]?.[0]).toBe("client");
    await Promise.all(background);
  });

  it("answers a key that cannot get a slot before its deadline with a retriable ThrottledError", async () => {
    const { f } = fetcher();
    const soon = { priority: "interactive" as const, deadline: Date.now() + 300 };
    // 4 calls/s with a burst of 3: keys in separate calls (more than 50 at once) cannot all make 300 ms.
    const keys = Array.from({ length: 300 }, (_, i) => `d${i}`);
    const results = await Promise.allSettled(keys.map((k) => runInScope(soon, () => f.load(k))));
    const refused = results.filter((r) => r.status === "rejected");
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ThrottledError);
    expect(results.filter((r) => r.status === "fulfilled").length).toBeGreaterThanOrEqual(50);
  });
});
