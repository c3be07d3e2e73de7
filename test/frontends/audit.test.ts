import { type AuditResult, serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "./gateway.ts";

/*
 * graphql-http's conformance audits of the GraphQL-over-HTTP spec, against a gateway with default limits,
 * each request carrying the bearer token as any client would.
 */

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway();
}, 60_000);

afterAll(async () => {
  await gw?.stop();
});

describe("GraphQL over HTTP (graphql-http server audits)", () => {
  it("passes every audit, with no warnings or notices", async () => {
    const audits = serverAudits({ url: gw.endpoint, fetchFn: gw.authFetch });
    const results: AuditResult[] = [];
    // One at a time: the audits are a conformance check, not a load test.
    for (const audit of audits) results.push(await audit.fn());

    const notOk = results.filter((r) => r.status !== "ok");
    const report = notOk.map((r) => `[${r.status}] ${r.id} ${r.name}: ${"reason" in r ? r.reason : ""}`);
    expect(report, `${results.length - notOk.length}/${results.length} audits ok`).toEqual([]);
    // graphql-http 1.23.1 has 61 server audits; all ran.
    expect(results).toHaveLength(61);
  }, 60_000);
});
