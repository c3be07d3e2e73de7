import { describe, expect, it } from "vitest";
import { paceOf } from "../../src/ivs/budget.ts";
import { localShareOf } from "../../src/ivs/redis-budget.ts";

const burstOf = (p: { intervalMs: number; toleranceMs: number }) =>
  Math.round(p.toleranceMs / p.intervalMs) + 1;

/** While Redis is down each replica paces alone (README, "Redis outages"): together they keep to one pace. */
describe("a replica's local share of a quota", () => {
  for (const rate of [5, 10, 50])
    for (const replicas of [1, 2, 3, 5])
      it(`${rate}/s over ${replicas} replica(s): 1/${replicas} of the rate, bursts that add up to no more`, () => {
        const shared = paceOf(rate, 0.8);
        const local = localShareOf(shared, replicas);
        expect(local.intervalMs).toBeCloseTo(shared.intervalMs * replicas);
        expect(1000 / local.intervalMs).toBeCloseTo((rate * 0.8) / replicas);
        expect(burstOf(local)).toBeGreaterThanOrEqual(1);
        // Every replica may send its burst at once: together no more than the shared burst (or one each).
        expect(burstOf(local) * replicas).toBeLessThanOrEqual(Math.max(replicas, burstOf(shared)));
      });

  it("is the shared pace itself for one replica", () => {
    const shared = paceOf(5, 0.8);
    expect(localShareOf(shared, 1)).toEqual(shared);
  });
});
