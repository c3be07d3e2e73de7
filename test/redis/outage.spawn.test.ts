import { randomUUID } from "node:crypto";
import { CreateChannelCommand, IvsClient } from "@aws-sdk/client-ivs";
import { type Client, createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { createEmulator, type Emulator } from "../../emulator/index.ts";
import { loadConfig } from "../../src/config/gateway.ts";
import { createLogger } from "../../src/logger.ts";
import { buildGateway, type Gateway } from "../../src/server.ts";
import { collect } from "../live/harness.ts";
import { type TestRedis, testRedis } from "./redis-server.ts";

/*
 * Finding 3 of issue 11: a gateway whose Redis dies. Reads go on from this replica's memory without
 * stalling, what must be stored in Redis fails typed and retriable, /ready says so while /health stays
 * 200, ioredis's errors go through the logger (rate-limited), never to stderr; once Redis is back, /ready
 * is 200 again and events reach subscribers again.
 */

const TIMEOUT_MS = 1000;
const EVENTS_API_KEY = "outage-events-key-0123456789";
let redis: TestRedis;
let emulator: Emulator;
let direct: IvsClient;
let gateway: Gateway;
let ws: Client;
const lines: Record<string, unknown>[] = [];
const stderr: string[] = [];
const prefix = `test-outage-${randomUUID()}:`;

const LIVE_STATUS = `subscription ($arns: [String!]!) {
  channelLiveStatus(arns: $arns) { channelArn status streamId }
}`;
type Status = { channelLiveStatus: { channelArn: string; status: string; streamId: string | null } };

async function gql(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}

async function ready(): Promise<{ status: number; body: { ready: boolean; reasons?: string[] } }> {
  const res = await fetch(`${gateway.url}/ready`);
  return { status: res.status, body: (await res.json()) as { ready: boolean; reasons?: string[] } };
}

async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function control(path: string, body?: unknown) {
  const res = await fetch(`${emulator.url}/_emulator${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const createChannel = async (name: string) =>
  (await direct.send(new CreateChannelCommand({ name }))).channel?.arn as string;

beforeAll(async () => {
  // ioredis prints "[ioredis] Unhandled error event" with console.error, i.e. to this process's stderr.
  const write = process.stderr.write.bind(process.stderr) as (...args: unknown[]) => boolean;
  vi.spyOn(process.stderr, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    stderr.push(String(chunk));
    return write(chunk, ...rest);
  }) as typeof process.stderr.write);
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    stderr.push(args.map(String).join(" "));
  });
  redis = await testRedis();
  await redis.start();
  emulator = createEmulator({ port: 0, quotas: { enabled: false } });
  await emulator.start();
  direct = new IvsClient({
    region: "us-west-2",
    endpoint: emulator.url,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await createChannel("before-outage");
  gateway = buildGateway(
    loadConfig({
      PORT: "0",
      IVS_ENDPOINT: emulator.url,
      IVS_ANONYMOUS: "true",
      AUTH_DISABLED: "true",
      EVENTS_API_KEY,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      REDIS_TIMEOUT_MS: String(TIMEOUT_MS),
      RECONCILE_INTERVAL_MS: "3600000",
    }),
    {
      logger: createLogger({
        level: "info",
        destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
      }),
    },
  );
  await gateway.start();
  await gateway.mirror.synced();
  emulator.delivery.addTarget({
    url: `${gateway.url}/events`,
    apiKeyHeader: "x-api-key",
    apiKey: EVENTS_API_KEY,
  });
  ws = createClient({
    url: `${gateway.url.replace("http", "ws")}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
}, 60_000);

afterAll(async () => {
  await ws?.dispose();
  await gateway?.stop();
  await emulator?.stop();
  direct?.destroy();
  await redis?.kill();
  vi.restoreAllMocks();
});

describe("a gateway whose Redis goes down and comes back", () => {
  it("answers from memory, fails typed what needs Redis, tells /ready, and resumes after", async () => {
    const arn = (
      (await gql("{ channels(first: 10) { edges { node { arn name } } } }")).data as {
        channels: { edges: { node: { arn: string; name: string } }[] };
      }
    ).channels.edges.find((e) => e.node.name === "before-outage")?.node.arn as string;
    expect(arn).toMatch(/^arn:aws:ivs:/);
    expect((await ready()).status).toBe(200);
    const sub = collect<Status>(ws, LIVE_STATUS, { arns: [arn] });
    await sub.until((items) => items.length === 1);

    await redis.kill();
    await until("/ready to say redis is down", async () => (await ready()).status === 503);
    const down = await ready();
    expect(down.body.ready).toBe(false);
    expect(down.body.reasons).toContain("redis unreachable");
    // A probe that chose to ride out Redis outages keeps this replica in rotation.
    const ignoring = await fetch(`${gateway.url}/ready?ignore=redis`);
    expect(await ignoring.json()).toMatchObject({ ready: true });
    expect(ignoring.status).toBe(200);
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { ready: boolean }).ready).toBe(false);

    // Reads: from the mirror, and what it lacks from IVS on the budget's local share (before: a 10 s stall,
    // then a masked internal error).
    const missing = await createChannel("during-outage");
    for (const [query, variables] of [
      ["query ($arn: String!) { channel(arn: $arn) { arn name } }", { arn }],
      ["{ channels(first: 10) { edges { node { name } } } }", {}],
      ["query ($arn: String!) { channel(arn: $arn) { arn name } }", { arn: missing }],
    ] as const) {
      const out = await gql(query, variables);
      expect(out.errors, query).toBeUndefined();
      expect(out.data, query).toBeTruthy();
    }
    expect(
      (
        (await gql("query ($arn: String!) { channel(arn: $arn) { name } }", { arn: missing })).data as {
          channel: { name: string };
        }
      ).channel.name,
    ).toBe("during-outage");

    // A job cannot be stored: the typed result says so, retriable.
    const job = await gql(
      `mutation { createChannels(input: { channels: [{ name: "j1" }] }) {
        __typename ... on Error { message retriable } } }`,
    );
    expect(job.data?.createChannels).toMatchObject({
      __typename: "ServiceUnavailableError",
      retriable: true,
    });
    // A query that reads Redis: SERVICE_UNAVAILABLE, retriable (not a masked internal error).
    const audit = await gql("{ auditEvents(first: 5) { edges { cursor } } }");
    expect(audit.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", retriable: true });
    // An idempotency-keyed mutation cannot record its key: refused, retriable, before anything is done.
    const keyed = await gql(
      'mutation { createChannel(input: { name: "keyed" }) { __typename } }',
      undefined,
      {
        "idempotency-key": randomUUID(),
      },
    );
    expect(keyed.errors?.[0]?.extensions).toMatchObject({ code: "IDEMPOTENCY_UNAVAILABLE", retriable: true });

    // The outage is logged once a reconnect attempt fails (ioredis retries after 100–200 ms, then backs off);
    // Redis comes back only after that, or a fast test could end the outage before any attempt is made.
    await until("the outage to be logged", async () =>
      lines.some((l) => String(l.msg).startsWith("redis unreachable")),
    );
    await redis.start();
    await until("/ready to be 200 again", async () => (await ready()).status === 200);
    // Events flow again: a broadcast reaches the subscriber opened before the outage.
    const started = (await control("/broadcasts/start", { channelArn: arn })) as { streamId: string };
    await sub.until((items) => items.some((i) => i.channelLiveStatus.streamId === started.streamId), 15_000);
    await control("/broadcasts/end", { channelArn: arn });
    sub.dispose();

    expect(stderr.join("\n")).not.toMatch(/Unhandled error event/);
    const unreachable = lines.filter((l) => String(l.msg).startsWith("redis unreachable"));
    expect(unreachable.length).toBeGreaterThanOrEqual(1);
    // Rate-limited across every connection: one line per 30 s of outage, not one per error event.
    expect(unreachable.length).toBeLessThanOrEqual(2);
    expect(lines.filter((l) => l.msg === "redis reconnected").length).toBeGreaterThanOrEqual(1);
    // Every warning or error line of the outage, whatever logged it, stays few.
    expect(lines.filter((l) => Number(l.level) >= 40).length).toBeLessThan(20);
  }, 90_000);
});
