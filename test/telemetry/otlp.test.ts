import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/gateway.ts";
import { createLogger } from "../../src/logger.ts";
import { buildGateway } from "../../src/server.ts";

/** A stand-in OTLP/HTTP collector: keeps every POST /v1/traces it gets. */
async function startCollector() {
  const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("OTLP export", () => {
  it("sends the spans to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces with the configured headers, flushed at stop", async () => {
    const collector = await startCollector();
    const config = loadConfig({
      PORT: "0",
      EMULATOR_PORT: "0",
      LOG_LEVEL: "silent",
      DEMO_BROADCASTS: "false",
      OTEL_TRACES_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_HEADERS: "x-collector-token=t0ken%2Fwith%3Dsigns,x-tenant=gateway-tests",
      OTEL_SERVICE_NAME: "ivs-gateway-test",
    });
    const gateway = buildGateway(config, { logger: createLogger({ level: "silent" }) });
    try {
      await gateway.start();
      const res = await fetch(`${gateway.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${gateway.devToken}` },
        body: JSON.stringify({ query: "query Probe { channels(first: 1) { edges { node { arn } } } }" }),
      });
      expect(res.status).toBe(200);
    } finally {
      await gateway.stop();
      await collector.stop();
    }
    const traces = collector.received.filter((r) => r.path === "/v1/traces");
    expect(traces.length).toBeGreaterThan(0);
    for (const r of traces) {
      expect(r.headers["x-collector-token"]).toBe("t0ken/with=signs");
      expect(r.headers["x-tenant"]).toBe("gateway-tests");
      expect(r.headers["content-type"]).toContain("application/json");
    }
    const body = traces.map((r) => r.body).join("\n");
    expect(body).toContain('"query Probe"');
    expect(body).toContain('"IVS.CreateChannel"');
    expect(body).toContain("ivs-gateway-test");
    expect(body).toContain("service.instance.id");
    // The exporter's own headers are not span data.
    expect(body).not.toContain("t0ken");
  });
});
