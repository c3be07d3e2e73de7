import { describe, expect, it } from "vitest";
import { MAX_NAME_LENGTH } from "../../src/plugins/operation-name.ts";
import { useSecureGateway } from "./harness.ts";

// No rate limit: one caller sends every operation.
const h = useSecureGateway({ RATE_LIMIT_PER_MINUTE: "0" });

/** Every value of every label in a Prometheus text exposition, with its metric's name. */
function labelValues(text: string): { metric: string; name: string; value: string }[] {
  const out: { metric: string; name: string; value: string }[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const metric = line.split("{")[0] ?? "";
    for (const m of line.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      out.push({ metric, name: m[1] ?? "", value: m[2] ?? "" });
  }
  return out;
}

describe("/metrics under client-chosen operation names", () => {
  it("stays small after 120 operations named with 60,000 characters each", async () => {
    const auth = h.bearer(await h.mint({ sub: "namer" }));
    const long = (i: number) => `Op${i}_${"x".repeat(60_000)}`;
    for (let i = 0; i < 120; i += 10)
      await Promise.all(
        Array.from({ length: 10 }, async (_, j) => {
          const res = await h.post(`query ${long(i + j)} { __typename }`, {}, auth);
          expect(res.status).toBe(200);
        }),
      );
    // A document that does not parse is counted under the operationName the request claims.
    const res = await fetch(`${h.gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({ query: "query {", operationName: `Broken_${"y".repeat(60_000)}` }),
    });
    expect(await res.text()).toMatch(/Syntax Error/);

    const text = await (await fetch(`${h.gateway.url}/metrics`)).text();
    // The worst case a client can reach: 100 names of 64 characters, each a counter and a histogram
    // (14 lines) — about 250 KB, where unbounded names made 90 MB.
    expect(text.length).toBeLessThan(300_000);
    const values = labelValues(text);
    const operations = new Set(
      values.filter((v) => v.metric.startsWith("graphql_") && v.name === "operation").map((v) => v.value),
    );
    // The cap on distinct names holds (100, then `other`), and so does the one on their length.
    expect(operations.size).toBe(101);
    expect(operations.has("other")).toBe(true);
    for (const { name, value } of values) expect(value.length, name).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    // A cut name says it was cut.
    expect([...operations].some((o) => o.startsWith("Op1_xxx") && o.endsWith("…"))).toBe(true);
  });
});
