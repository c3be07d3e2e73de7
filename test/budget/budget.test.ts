import { describe, expect, it } from "vitest";
import { memoryBudgetStore, paceOf, RequestBudget } from "../../src/ivs/budget.ts";
import { callsOf, type GraphQLResult, useGateway } from "./harness.ts";

const RC = `query ($arn: String!) { recordingConfiguration(arn: $arn) { arn name } }`;

/** GetRecordingConfiguration: 3 TPS in IVS; paced at 80% that is 2.4/s, with no burst (see paceOf). */
const RATE = 3 * 0.8;
const BURST = 1;

/**
 * ARNs of configurations the account does not have: the mirror asks IVS once for each (a
 * GetRecordingConfiguration, since IVS has no batch call for them), so every query costs one call.
 */
let n = 0;
const unknownArn = () =>
  `arn:aws:ivs:us-west-2:123456789012:recording-configuration/budget${String(n++).padStart(7, "0")}`;

describe("the request budget against IVS's real quotas", () => {
  const h = useGateway();

  it("holds a burst of 12 concurrent queries to the quota: no 429, every query answered, calls spread out", async () => {
    await h.resetCounts();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 12 }, () => h.gql(RC, { arn: unknownArn() })));
    const elapsed = Date.now() - started;
    for (const r of results) expect(r).toEqual({ data: { recordingConfiguration: null } });
    expect(callsOf(await h.counts(), "GetRecordingConfiguration")).toEqual({ total: 12, throttled: 0 });
    // One at once, then one every 1/2.4 s.
    expect(elapsed).toBeGreaterThanOrEqual(((12 - BURST) / RATE) * 1000 * 0.9);
  });

  it("retries a 429 that still arrives (another client of the account) and answers", async () => {
    await h.resetCounts();
    await h.control("/faults", { throttleRate: 1, operations: ["GetRecordingConfiguration"] }, "PUT");
    try {
      const pending = h.gql(RC, { arn: unknownArn() });
      // Once IVS has throttled the call at least once, the other client goes away.
      await expect
        .poll(async () => callsOf(await h.counts(), "GetRecordingConfiguration").throttled, { interval: 20 })
        .toBeGreaterThanOrEqual(1);
      await h.control("/faults", { throttleRate: 0 }, "PUT");
      expect(await pending).toEqual({ data: { recordingConfiguration: null } });
      const calls = callsOf(await h.counts(), "GetRecordingConfiguration");
      expect(calls.total - calls.throttled).toBe(1);
    } finally {
      await h.control("/faults", { throttleRate: 0, operations: null }, "PUT");
    }
  });
});

describe("deadlines", () => {
  // Two slots fit (at once and at 417 ms), a third (834 ms) never does: 820 ms leaves a loaded machine
  // 400 ms between the operation's start and its first call (with 700 ms, 300 ms of lag refused the second).
  const h = useGateway({ IVS_QUEUE_DEADLINE_MS: "820" });

  it("answers calls that cannot get budget before the deadline with a typed, retriable THROTTLED error", async () => {
    // Slots other tests queued for are past: the burst is available.
    await new Promise((r) => setTimeout(r, 1300));
    await h.resetCounts();
    // Eight calls in one operation, so they queue together however slowly this machine delivers requests
    // (eight requests could reach the gateway hundreds of milliseconds apart, each with its own deadline).
    const fields = Array.from(
      { length: 8 },
      (_, i) => `r${i}: recordingConfiguration(arn: "${unknownArn()}") { arn }`,
    );
    const result = await h.gql(`{ ${fields.join(" ")} }`);
    const refused = result.errors ?? [];
    // Within 820 ms: one at once and one more at 417 ms; the rest are refused, most of them at once.
    expect(Object.keys(result.data ?? {})).toHaveLength(8);
    expect(refused).toHaveLength(6);
    for (const error of refused) {
      expect(error.extensions).toMatchObject({ code: "THROTTLED", retriable: true });
      expect(error.extensions?.retryAfterMs).toBeGreaterThan(0);
    }
    expect(callsOf(await h.counts(), "GetRecordingConfiguration")).toEqual({ total: 2, throttled: 0 });
  });

  it("gives up on IVS throttling at the deadline with the same THROTTLED error", async () => {
    await h.control("/faults", { throttleRate: 1, operations: ["GetRecordingConfiguration"] }, "PUT");
    try {
      // Slots other tests queued for are past: the first attempt goes at once.
      await new Promise((r) => setTimeout(r, 1300));
      await h.resetCounts();
      const started = Date.now();
      const res: GraphQLResult = await h.gql(RC, { arn: unknownArn() });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "THROTTLED", retriable: true });
      expect(Date.now() - started).toBeLessThan(2000);
      // Retried with back-off until the deadline, not just once.
      expect(callsOf(await h.counts(), "GetRecordingConfiguration").throttled).toBeGreaterThan(1);
    } finally {
      await h.control("/faults", { throttleRate: 0, operations: null }, "PUT");
    }
  });
});

describe("priorities", () => {
  /** The burst of a 5 TPS quota paced at 100%. */
  const BURST_AT_5 = paceOf(5, 1).toleranceMs / paceOf(5, 1).intervalMs + 1;

  it("lets background work take only slots no interactive call is waiting for", async () => {
    const budget = new RequestBudget({ store: memoryBudgetStore(), share: 1, rates: { GetStream: 5 } });
    const order: string[] = [];
    const take = (label: string, priority: "interactive" | "background") =>
      budget.acquire("GetStream", {}, priority, Date.now() + 10_000).then(() => order.push(label));
    // The burst goes at once; then a background call, and five more interactive ones after it.
    await Promise.all(Array.from({ length: BURST_AT_5 }, (_, i) => take(`i${i}`, "interactive")));
    const background = take("background", "background");
    const later = Array.from({ length: 5 }, (_, i) => take(`j${i}`, "interactive"));
    await Promise.all([background, ...later]);
    expect(order.indexOf("background")).toBe(order.length - 1);
    expect(order.slice(BURST_AT_5, BURST_AT_5 + 5)).toEqual(["j0", "j1", "j2", "j3", "j4"]);
  });

  it("sends at most one burst when the process resumes from a stall, never the calls it missed", async () => {
    const budget = new RequestBudget({ store: memoryBudgetStore(), share: 1, rates: { GetStream: 5 } });
    const granted: number[] = [];
    const calls = Array.from({ length: 15 }, () =>
      budget
        .acquire("GetStream", {}, "interactive", Date.now() + 30_000)
        .then(() => granted.push(Date.now())),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(granted.length).toBe(BURST_AT_5);
    // A busy event loop: two seconds in which no timer fires.
    const stalled = Date.now();
    while (Date.now() - stalled < 2000) {}
    const resumed = Date.now();
    await Promise.all(calls);
    // The calls due during the stall are not all sent at once: one burst, then the pace again.
    expect(granted.filter((t) => t >= resumed && t < resumed + 100).length).toBeLessThanOrEqual(BURST_AT_5);
    expect(granted.filter((t) => t >= resumed).length).toBe(15 - BURST_AT_5);
  });

  it("gives background work a slot on a key nobody used yet, even where the pace allows no burst", async () => {
    const budget = new RequestBudget({ store: memoryBudgetStore(), share: 0.8 });
    // GetRecordingConfiguration at 80% of 3 TPS: no burst, so the headroom background work leaves is
    // the whole tolerance; an idle key must still let it through (the mirror's sync is background work).
    const granted = budget.acquire("GetRecordingConfiguration", {}, "background", Date.now() + 2000);
    await expect(granted).resolves.toBeUndefined();
  });

  it("paces at the share of the quota with a burst no larger than it", () => {
    // 5 TPS at 80%: every 250 ms, 3 at once; what 500 ms of jitter can bunch (3 + 2) fits IVS's 5.
    expect(paceOf(5, 0.8)).toEqual({ intervalMs: 250, toleranceMs: 500 });
    expect(paceOf(2, 0.8)).toEqual({ intervalMs: 625, toleranceMs: 0 });
    expect(paceOf(155, 0.8).toleranceMs / paceOf(155, 0.8).intervalMs + 1).toBe(93);
  });
});
