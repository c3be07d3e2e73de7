import { createServer } from "node:net";
import { Writable } from "node:stream";
import { GetChannelCommand, ListStreamKeysCommand } from "@aws-sdk/client-ivs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/gateway.ts";
import { createLogger } from "../../src/logger.ts";
import { buildGateway, type Gateway } from "../../src/server.ts";

/** Collects log lines in memory, to check what the gateway says and that it says no secrets. */
function memoryLog() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "trace", destination }) };
}

describe("the gateway on a real port, embedded emulator with demo data", () => {
  const log = memoryLog();
  let gateway: Gateway;
  beforeAll(async () => {
    // Demo broadcasts off: this file checks what the seed itself left (one live stream, two past sessions).
    gateway = buildGateway(loadConfig({ PORT: "0", DEMO_BROADCASTS: "false" }), {
      logger: log.logger,
      emulator: { recordingActivationMs: 0 },
    });
    await gateway.start();
  });
  afterAll(() => gateway.stop());

  it("reports health with the backend and the emulator's URL", async () => {
    const res = await fetch(`${gateway.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, { url?: string; backend?: string }>;
    expect(body.ok).toBe(true);
    expect(body.ivs?.backend).toBe("embedded");
    expect(body.emulator?.url).toBe(gateway.emulatorUrl);
    expect(gateway.emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("answers a GraphQL POST", async () => {
    const res = await fetch(`${gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gateway.devToken}` },
      body: JSON.stringify({ query: "query Ping { __typename }" }),
    });
    expect(await res.json()).toEqual({ data: { __typename: "Query" } });
  });

  it("counts the IVS call a GraphQL query makes", async () => {
    // An ARN the account does not hold: the mirror asks IVS about it exactly once, however far its start-up
    // crawl has come (a seeded one may already be held, and then costs no call).
    const arn = String(gateway.demo?.recordingConfigurationArn).replace(/\/\w+$/, "/ZZZZcountsIVS");
    const line =
      /ivs_requests_total\{operation="GetRecordingConfiguration",outcome="ResourceNotFoundException"\} (\d+)/;
    const before = Number(line.exec(await (await fetch(`${gateway.url}/metrics`)).text())?.[1] ?? 0);
    const res = await fetch(`${gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gateway.devToken}` },
      body: JSON.stringify({
        query: "query Rc($arn: String!) { recordingConfiguration(arn: $arn) { arn } }",
        variables: { arn },
      }),
    });
    expect(await res.json()).toEqual({ data: { recordingConfiguration: null } });
    const after = Number(line.exec(await (await fetch(`${gateway.url}/metrics`)).text())?.[1] ?? 0);
    expect(after).toBe(before + 1);
  });

  it("serves metrics: GraphQL operations and IVS calls by operation and outcome", async () => {
    await fetch(`${gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gateway.devToken}` },
      body: JSON.stringify({ query: "{ nope }" }),
    });
    const res = await fetch(`${gateway.url}/metrics`);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain('graphql_operations_total{operation="Ping",type="query",outcome="ok"} 1');
    expect(text).toContain(
      'graphql_operations_total{operation="anonymous",type="query",outcome="invalid"} 1',
    );
    expect(text).toMatch(/graphql_operation_duration_seconds_count\{operation="Ping",type="query"\} 1/);
    // The demo seed went through the gateway's own client, so its calls are counted.
    expect(text).toContain('ivs_requests_total{operation="CreateChannel",outcome="ok"} 4');
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("serves GraphiQL to browsers on GET /graphql", async () => {
    const res = await fetch(`${gateway.url}/graphql`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain("GraphiQL");
    // Its scripts come from the installed package, not a CDN: it works offline and under a strict CSP.
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdn\./);
  });

  it("answers 404 elsewhere", async () => {
    const res = await fetch(`${gateway.url}/nothing-here`);
    expect(res.status).toBe(404);
  });

  it("seeded channels with keys and attachments, two past sessions and one live broadcast", async () => {
    const demo = gateway.demo;
    const names = ["demo-idle", "demo-live", "demo-recorded", "demo-restricted"];
    expect(Object.keys(demo?.channels ?? {}).sort()).toEqual(names);
    const channel = async (name: string) =>
      (await gateway.ivs.send(new GetChannelCommand({ arn: demo?.channels[name] }))).channel;
    expect((await channel("demo-recorded"))?.recordingConfigurationArn).toBe(demo?.recordingConfigurationArn);
    expect((await channel("demo-restricted"))?.playbackRestrictionPolicyArn).toBe(
      demo?.playbackRestrictionPolicyArn,
    );
    expect((await channel("demo-live"))?.adConfigurationArn).toBe(demo?.adConfigurationArn);
    expect((await channel("demo-idle"))?.tags).toMatchObject({ app: "ivs-gateway-demo", demo: "demo-idle" });
    const { streamKeys } = await gateway.ivs.send(
      new ListStreamKeysCommand({ channelArn: demo?.channels["demo-live"] }),
    );
    expect(streamKeys).toHaveLength(1);

    // Streams and sessions through the emulator's control API, which sees what the simulator did.
    const state = (await (await fetch(`${gateway.emulatorUrl}/_emulator/state`)).json()) as {
      streams: { channelArn: string; viewerCount: number }[];
      sessions: Record<string, { endTime?: string }[]>;
    };
    expect(state.streams.map((s) => [s.channelArn, s.viewerCount])).toEqual([[demo?.liveChannelArn, 42]]);
    const past = state.sessions[demo?.channels["demo-recorded"] ?? ""] ?? [];
    expect(past).toHaveLength(2);
    expect(past.every((s) => typeof s.endTime === "string")).toBe(true);
  });

  it("logs that it listens, and never a stream key", () => {
    expect(log.lines.some((l) => l.includes('"msg":"gateway listening"'))).toBe(true);
    expect(log.lines.some((l) => l.includes('"operation":"CreateChannel"'))).toBe(true);
    expect(log.lines.join("\n")).not.toMatch(/sk_[a-z0-9-]+_/);
  });
});

describe("stop()", () => {
  it("frees the gateway's and the emulator's ports", async () => {
    // EMULATOR_PORT=0: the default 4001 is shared with every other gateway the suite starts, and one of them
    // may take it the moment this one frees it.
    const gateway = buildGateway(
      loadConfig({ PORT: "0", EMULATOR_PORT: "0", SEED_DEMO_DATA: "false", LOG_LEVEL: "silent" }),
    );
    await gateway.start();
    const ports = [gateway.url, gateway.emulatorUrl ?? ""].map((u) => Number(new URL(u).port));
    await gateway.stop();
    for (const port of ports) await expect(canListen(port)).resolves.toBe(true);
    expect(() => gateway.url).toThrow(/not started/);
  });

  it("cleans up after a failed start (port taken)", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    const gateway = buildGateway(
      loadConfig({ PORT: String(port), SEED_DEMO_DATA: "false", LOG_LEVEL: "silent" }),
    );
    try {
      await expect(gateway.start()).rejects.toMatchObject({ code: "EADDRINUSE" });
      expect(gateway.emulatorUrl).toBeUndefined();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}
