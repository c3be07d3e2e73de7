import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateChannelCommand,
  GetChannelCommand,
  type IvsClient,
  ListChannelsCommand,
} from "@aws-sdk/client-ivs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createEmulator, type Emulator } from "../../emulator/index.ts";
import { loadConfig } from "../../src/config/gateway.ts";
import type { Env } from "../../src/config/primitives.ts";
import { createIvsClient } from "../../src/ivs/client.ts";
import { createMetrics, type GatewayMetrics } from "../../src/metrics.ts";

const clients: IvsClient[] = [];
const track = (client: IvsClient) => {
  clients.push(client);
  return client;
};
afterAll(() => {
  for (const c of clients) c.destroy();
});

async function count(metrics: GatewayMetrics, operation: string, outcome: string): Promise<number> {
  const { values } = await metrics.ivsRequests.get();
  return values.find((v) => v.labels.operation === operation && v.labels.outcome === outcome)?.value ?? 0;
}

describe("a gateway client against a standalone emulator (URL backend, static keys)", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = createEmulator({ port: 0, quotas: { enabled: false } });
    await emulator.start();
  });
  afterAll(() => emulator.stop());

  const env = (): Env => ({
    IVS_ENDPOINT: emulator.url,
    AWS_REGION: emulator.region,
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_SESSION_TOKEN: "session",
    IVS_MAX_ATTEMPTS: "1",
  });

  it("creates and lists channels", async () => {
    const ivs = track(createIvsClient(loadConfig(env()).ivs));
    const { channel } = await ivs.send(new CreateChannelCommand({ name: "client-test" }));
    expect(channel?.arn).toMatch(/^arn:aws:ivs:us-west-2:123456789012:channel\//);
    const { channels } = await ivs.send(new ListChannelsCommand({ filterByName: "client-test" }));
    expect(channels?.map((c) => c.arn)).toEqual([channel?.arn]);
  });

  it("counts calls by operation and outcome, errors by exception name", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const ivs = track(createIvsClient(loadConfig(env()).ivs, { metrics }));
    await ivs.send(new ListChannelsCommand({}));
    await ivs.send(new ListChannelsCommand({}));
    const missing = `arn:aws:ivs:${emulator.region}:${emulator.account}:channel/abcdABCD1234`;
    await expect(ivs.send(new GetChannelCommand({ arn: missing }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    expect(await count(metrics, "ListChannels", "ok")).toBe(2);
    expect(await count(metrics, "GetChannel", "ResourceNotFoundException")).toBe(1);
    expect(await count(metrics, "GetChannel", "ok")).toBe(0);
    const text = await metrics.registry.metrics();
    expect(text).toContain('ivs_requests_total{operation="ListChannels",outcome="ok"} 2');
    expect(text).toMatch(
      /ivs_request_duration_seconds_count\{operation="GetChannel",outcome="ResourceNotFoundException"\} 1/,
    );
  });

  it("counts a refused connection by its error code", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const closed = await unusedPort();
    const config = loadConfig({ ...env(), IVS_ENDPOINT: `http://127.0.0.1:${closed}` });
    const ivs = track(createIvsClient(config.ivs, { metrics }));
    await expect(ivs.send(new ListChannelsCommand({}))).rejects.toThrow();
    expect(await count(metrics, "ListChannels", "ECONNREFUSED")).toBe(1);
  });
});

describe("what goes on the wire", () => {
  const seen: IncomingHttpHeaders[] = [];
  let server: Server;
  let url: string;
  let delayMs = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" }).end('{"channels":[]}');
      }, delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    seen.length = 0;
    delayMs = 0;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const call = async (extra: Env) => {
    const ivs = track(
      createIvsClient(loadConfig({ IVS_ENDPOINT: url, IVS_MAX_ATTEMPTS: "1", ...extra }).ivs),
    );
    await ivs.send(new ListChannelsCommand({}));
    return seen.at(-1) ?? {};
  };

  it("signs with static keys and sends the session token", async () => {
    const headers = await call({
      AWS_ACCESS_KEY_ID: "AKIDWIRE",
      AWS_SECRET_ACCESS_KEY: "s",
      AWS_SESSION_TOKEN: "tok",
    });
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDWIRE\/\d{8}\/us-west-2\/ivs\//);
    expect(headers["x-amz-security-token"]).toBe("tok");
  });

  it("sends anonymous requests unsigned", async () => {
    const headers = await call({ IVS_ANONYMOUS: "true" });
    expect(headers.authorization).toBeUndefined();
    expect(headers["x-amz-date"]).toBeUndefined();
  });

  it("asks to close the connection when IVS_KEEP_ALIVE=false, and keeps it otherwise", async () => {
    const keys = { AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s" };
    expect((await call({ ...keys, IVS_KEEP_ALIVE: "false" })).connection).toBe("close");
    expect((await call({ ...keys, IVS_KEEP_ALIVE: "true" })).connection).toBe("keep-alive");
  });

  it("gives up after IVS_REQUEST_TIMEOUT_MS and counts a TimeoutError", async () => {
    delayMs = 1000;
    const metrics = createMetrics({ processMetrics: false });
    const config = loadConfig({
      IVS_ENDPOINT: url,
      IVS_ANONYMOUS: "1",
      IVS_MAX_ATTEMPTS: "1",
      IVS_REQUEST_TIMEOUT_MS: "100",
    });
    const ivs = track(createIvsClient(config.ivs, { metrics }));
    const started = Date.now();
    await expect(ivs.send(new ListChannelsCommand({}))).rejects.toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - started).toBeLessThan(900);
    expect(await count(metrics, "ListChannels", "TimeoutError")).toBe(1);
  });
});

describe("a named profile", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ivs-gateway-profile-"));
    writeFileSync(
      join(dir, "credentials"),
      "[media]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = fromfile\n",
    );
    writeFileSync(join(dir, "config"), "[profile media]\nregion = eu-central-1\n");
    // The SDK reads the shared files' location from the environment; point it at the temporary ones.
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(dir, "credentials"));
    vi.stubEnv("AWS_CONFIG_FILE", join(dir, "config"));
    vi.stubEnv("AWS_REGION", undefined);
    vi.stubEnv("AWS_ACCESS_KEY_ID", undefined);
    vi.stubEnv("AWS_PROFILE", undefined);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes credentials and region from that profile", async () => {
    const ivs = track(createIvsClient(loadConfig({ IVS_ENDPOINT: "aws", AWS_PROFILE: "media" }).ivs));
    const credentials = await ivs.config.credentials();
    expect(credentials.accessKeyId).toBe("AKIDPROFILE");
    expect(await ivs.config.region()).toBe("eu-central-1");
  });
});

function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
