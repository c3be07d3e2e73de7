import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { type Client, createClient } from "graphql-ws";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  type ComposeService,
  containerPorts,
  envOf,
  execForm,
  finalStage,
  readCompose,
  readDockerfile,
  seconds,
  stageImageFiles,
  startOrder,
} from "./deploy-files.ts";

/**
 * compose.yaml's services as plain processes, the way compose would start them, on this machine (no Docker
 * daemon here): the commands and environment come from compose.yaml and the Dockerfile, service host names
 * become 127.0.0.1, container ports become free ports, and the processes run from a copy of what the image
 * holds (the sources it COPYs, production dependencies only). Redis is the one already on 127.0.0.1:6379,
 * under a fresh key prefix, removed afterwards.
 */
const REDIS_PORT = 6379;
const prefix = `deploy-test-${randomUUID()}:`;
const compose = readCompose({});
const dockerfile = readDockerfile();
const image = finalStage(dockerfile);
const imageEnv = envOf(image);
const imageCmd = execForm(image.instructions.filter((i) => i.keyword === "CMD").at(-1)?.args ?? "");
const imageHealthcheck = execForm(image.instructions.find((i) => i.keyword === "HEALTHCHECK")?.args ?? "");
const apiKey = compose["x-example-api-key"] as string;
const GATEWAYS = ["gateway-1", "gateway-2"] as const;

let stageDir = "";
/** service → container port → port on this machine. */
const ports: Record<string, Record<number, number>> = {};
const envs: Record<string, Record<string, string>> = {};
const running = new Map<string, { child: ChildProcess; log: string[] }>();
const clients: Client[] = [];

function service(name: string): ComposeService {
  const s = compose.services[name];
  if (!s) throw new Error(`compose.yaml has no service ${name}`);
  return s;
}

/** Whether a service runs this repository's image (its Dockerfile's CMD and HEALTHCHECK apply). */
const ownImage = (s: ComposeService) => s.build !== undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The service's environment, as its container would see it, translated to this machine. */
function translate(name: string): Record<string, string> {
  const s = service(name);
  const own = containerPorts(s);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    ...(ownImage(s) ? imageEnv : {}),
    ...s.environment,
  };
  for (const [key, value] of Object.entries(env)) {
    let v = value.replace(/\/\/([a-z0-9-]+):(\d+)/g, (all, host: string, port: string) => {
      const local = ports[host]?.[Number(port)];
      return local === undefined ? all : `//127.0.0.1:${local}`;
    });
    if (/HOST$/.test(key) && v === "0.0.0.0") v = "127.0.0.1";
    if (/PORT$/.test(key) && own.includes(Number(v))) v = String(ports[name]?.[Number(v)]);
    if (key === "REDIS_KEY_PREFIX") v = prefix;
    env[key] = v;
  }
  return env;
}

/** The healthcheck compose would run for a service: its own, else its image's. */
function healthcheckOf(name: string): string[] {
  const s = service(name);
  if (s.healthcheck) {
    const [kind, ...rest] = s.healthcheck.test;
    expect(kind).toBe("CMD");
    return rest;
  }
  if (ownImage(s)) return imageHealthcheck;
  throw new Error(`${name} has no healthcheck`);
}

function run(command: string[], env: Record<string, string>, timeoutMs = 3000): Promise<number> {
  const [bin, ...args] = command as [string, ...string[]];
  return new Promise((resolve) => {
    execFile(
      bin === "node" ? process.execPath : bin,
      args,
      { cwd: stageDir, env, timeout: timeoutMs },
      (error) => resolve(error ? (typeof error.code === "number" ? error.code : 1) : 0),
    );
  });
}

async function waitHealthy(name: string, ms = 25_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const proc = running.get(name);
    if (proc && proc.child.exitCode !== null)
      throw new Error(`${name} exited ${proc.child.exitCode}:\n${proc.log.join("")}`);
    if ((await run(healthcheckOf(name), envs[name] ?? {})) === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} never became healthy:\n${running.get(name)?.log.join("") ?? ""}`);
}

function start(name: string): void {
  const s = service(name);
  const command = s.command ?? (ownImage(s) ? imageCmd : undefined);
  if (!command) throw new Error(`${name} has no command`);
  const [bin, ...args] = command as [string, ...string[]];
  expect(bin).toBe("node");
  const child = spawn(process.execPath, args, {
    cwd: stageDir,
    env: envs[name],
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  running.set(name, { child, log });
}

const gatewayUrl = (name: string) => `http://127.0.0.1:${ports[name]?.[4000]}`;
const emulatorUrl = () => `http://127.0.0.1:${ports.emulator?.[4566]}`;

/** One GraphQL request; `T` is the shape of `data` the query asks for. */
async function graphql<T = Record<string, unknown>>(
  name: string,
  query: string,
  variables: Record<string, unknown> = {},
  key = apiKey,
) {
  const res = await fetch(`${gatewayUrl(name)}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: T; errors?: unknown[] } };
}

async function health(name: string) {
  const res = await fetch(`${gatewayUrl(name)}/health`);
  return {
    status: res.status,
    body: (await res.json()) as { mirror: { leader: boolean; resources: Record<string, number> } },
  };
}

async function stop(name: string, graceMs: number): Promise<{ code: number | null; ms: number }> {
  const proc = running.get(name);
  if (!proc) return { code: null, ms: 0 };
  const began = Date.now();
  if (proc.child.exitCode === null && proc.child.signalCode === null) {
    const exited = once(proc.child, "exit");
    proc.child.kill("SIGTERM");
    const timer = setTimeout(() => proc.child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }
  running.delete(name);
  return { code: proc.child.exitCode, ms: Date.now() - began };
}

beforeAll(async () => {
  stageDir = stageImageFiles(dockerfile);
  for (const name of Object.keys(compose.services)) {
    ports[name] = {};
    for (const port of containerPorts(service(name)))
      (ports[name] as Record<number, number>)[port] = await freePort();
  }
  // Redis is not started: the one on this machine stands in for the redis service.
  ports.redis = { [REDIS_PORT]: REDIS_PORT };
  for (const name of startOrder(compose)) {
    const s = service(name);
    for (const [dep, { condition }] of Object.entries(s.depends_on ?? {}))
      if (condition === "service_healthy") await waitHealthy(dep);
    envs[name] = translate(name);
    if (name === "redis") {
      expect(s.image).toMatch(/^redis:7/);
      continue;
    }
    start(name);
  }
  await Promise.all(GATEWAYS.map((g) => waitHealthy(g)));
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.dispose();
  for (const name of [...running.keys()]) await stop(name, 5000);
  const redis = new Redis(REDIS_PORT, "127.0.0.1");
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  redis.disconnect();
  if (stageDir) rmSync(stageDir, { recursive: true, force: true });
}, 30_000);

describe("compose.yaml, its services run as processes", () => {
  // A failure shows what the services logged.
  beforeEach(({ onTestFailed }) =>
    onTestFailed(() => {
      for (const [name, { log }] of running) console.error(`---- ${name}\n${log.join("").slice(-4000)}`);
    }),
  );

  it("describes two gateways, Redis and the emulator, consistently", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["emulator", "gateway-1", "gateway-2", "redis"]);
    for (const g of GATEWAYS) {
      const env = service(g).environment ?? {};
      expect(env.IVS_ENDPOINT).toBe("http://emulator:4566");
      expect(env.REDIS_URL).toBe("redis://redis:6379");
      expect(env.HOST).toBe("0.0.0.0");
      expect(service(g).depends_on).toEqual({
        redis: { condition: "service_healthy" },
        emulator: { condition: "service_healthy" },
      });
      // SIGKILL comes only after the drain had its time.
      expect(seconds(service(g).stop_grace_period ?? "10s") * 1000).toBeGreaterThan(
        Number(env.DRAIN_TIMEOUT_MS),
      );
    }
    // The emulator sends EventBridge's key to the gateway's /events.
    const emulatorEnv = service("emulator").environment ?? {};
    expect(emulatorEnv.IVS_EMULATOR_EVENT_API_KEY).toBe(service("gateway-1").environment?.EVENTS_API_KEY);
    expect(emulatorEnv.IVS_EMULATOR_EVENT_TARGET).toBe("http://gateway-1:4000/events");
    // The example API key is the one AUTH_API_KEYS holds the hash of.
    const keys = JSON.parse(service("gateway-1").environment?.AUTH_API_KEYS ?? "[]") as { sha256: string }[];
    expect(keys.map((k) => k.sha256)).toEqual([createHash("sha256").update(apiKey).digest("hex")]);
  });

  it("starts both gateways healthy, on the emulator and a shared Redis, with event ingest on", async () => {
    for (const g of GATEWAYS) {
      const { status } = await health(g);
      expect(status).toBe(200);
      // The healthcheck passes once the gateway listens (/health answers while it starts, src/server.ts);
      // what it started with shows once the start is done.
      await expect
        .poll(async () => (await health(g)).body, { timeout: 15_000, interval: 200 })
        .toMatchObject({
          ok: true,
          ivs: { backend: "endpoint", endpoint: emulatorUrl(), region: "us-west-2" },
          live: { redis: true, ingest: true },
        });
    }
    // One replica at a time leads the mirror's sync.
    const leaders = await Promise.all(GATEWAYS.map(async (g) => (await health(g)).body.mirror.leader));
    expect(leaders.filter(Boolean)).toHaveLength(1);
  });

  it("runs the Dockerfile's HEALTHCHECK: 0 against a gateway, not 0 where nothing listens", async () => {
    for (const g of GATEWAYS) expect(await run(imageHealthcheck, envs[g] ?? {})).toBe(0);
    expect(await run(imageHealthcheck, { ...envs["gateway-1"], PORT: String(await freePort()) })).not.toBe(0);
  });

  it("answers queries on each gateway with the compose file's API key, and refuses callers without it", async () => {
    for (const g of GATEWAYS) {
      const ok = await graphql<{ channels: { edges: unknown[] } }>(
        g,
        "{ channels(first: 5) { edges { node { arn } } } }",
      );
      expect(ok.status).toBe(200);
      expect(ok.body.errors).toBeUndefined();
      expect(ok.body.data?.channels.edges).toBeInstanceOf(Array);
      expect((await graphql(g, "{ channels { edges { node { arn } } } }", {}, "wrong-key")).status).toBe(401);
      // Production settings: no introspection.
      const schema = await graphql(g, "{ __schema { queryType { name } } }");
      expect(schema.body.errors).toBeDefined();
    }
  });

  let arn = "";
  it("shows a mutation made on gateway-1 on gateway-2, through Redis", async () => {
    const before = (await health("gateway-2")).body.mirror.resources.channel ?? 0;
    const name = `deploy-${randomUUID().slice(0, 8)}`;
    const created = await graphql<{
      createChannel: { __typename: string; channel: { arn: string; name: string } };
    }>(
      "gateway-1",
      `mutation ($name: String!) { createChannel(input: { name: $name }) {
         __typename ... on CreateChannelPayload { channel { arn name } } } }`,
      { name },
    );
    expect(created.body.data?.createChannel.__typename).toBe("CreateChannelPayload");
    arn = created.body.data?.createChannel.channel.arn ?? "";
    // gateway-2 was asked nothing: only the Redis feed can tell its mirror.
    await expect
      .poll(async () => (await health("gateway-2")).body.mirror.resources.channel, { timeout: 5000 })
      .toBe(before + 1);
    const read = await graphql<{ channel: unknown }>(
      "gateway-2",
      "query ($arn: String!) { channel(arn: $arn) { arn name } }",
      {
        arn,
      },
    );
    expect(read.body.data?.channel).toEqual({ arn, name });
  });

  it("brings an event the emulator delivers to gateway-1 to subscribers on both gateways", async () => {
    expect(arn).not.toBe("");
    const seen: Record<string, { status: string; source: string }[]> = {};
    for (const g of GATEWAYS) {
      const client = createClient({
        url: `${gatewayUrl(g).replace("http", "ws")}/graphql`,
        connectionParams: { "x-api-key": apiKey },
        webSocketImpl: WebSocket,
        retryAttempts: 0,
      });
      clients.push(client);
      const list: { status: string; source: string }[] = [];
      seen[g] = list;
      client.subscribe<{ channelLiveStatus: { status: string; source: string } }>(
        {
          query: "subscription ($arns: [String!]!) { channelLiveStatus(arns: $arns) { status source } }",
          variables: { arns: [arn] },
        },
        { next: (r) => r.data && list.push(r.data.channelLiveStatus), error: () => {}, complete: () => {} },
      );
    }
    for (const g of GATEWAYS) await expect.poll(() => seen[g]?.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(seen["gateway-2"]?.[0]?.status).toBe("OFFLINE");
    const started = await fetch(`${emulatorUrl()}/_emulator/broadcasts/start`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channelArn: arn }),
    });
    expect(started.status).toBe(200);
    for (const g of GATEWAYS)
      await expect
        .poll(() => seen[g]?.some((u) => u.status === "LIVE" && u.source === "EVENT"), { timeout: 8000 })
        .toBe(true);
    // Delivered to gateway-1 only (compose's one target); gateway-2 had it from the shared event log.
    const deliveries = (await (await fetch(`${emulatorUrl()}/_emulator/event-targets`)).json()) as {
      targets: { url: string }[];
    };
    expect(deliveries.targets.map((t) => t.url)).toEqual([`${gatewayUrl("gateway-1")}/events`]);
    const ingested = async (g: string) => {
      const text = await (await fetch(`${gatewayUrl(g)}/metrics`)).text();
      return [...text.matchAll(/^ivs_events_ingested_total\{[^}]*\} (\d+)/gm)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
    };
    expect(await ingested("gateway-1")).toBeGreaterThan(0);
    expect(await ingested("gateway-2")).toBe(0);
  });

  it("stops each gateway on SIGTERM with exit code 0, well inside stop_grace_period", async () => {
    for (const c of clients.splice(0)) await c.dispose();
    for (const g of GATEWAYS) {
      const grace = seconds(service(g).stop_grace_period ?? "10s") * 1000;
      const { code, ms } = await stop(g, grace);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(grace);
    }
  }, 40_000);
});
