import { randomBytes, randomUUID } from "node:crypto";
import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  DeleteChannelCommand,
  IvsClient,
} from "@aws-sdk/client-ivs";
import { createClient } from "graphql-ws";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createEmulator, type Emulator } from "../../emulator/index.ts";
import { callsOf, type OperationCount, type RunningGateway, startGateway } from "../budget/harness.ts";
import { collect } from "../live/harness.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const EVENTS_API_KEY = "redis-test-events-key-0123456789";
const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];

const PAGE = `query ($arn: String!) { channel(arn: $arn) {
  arn name playbackUrl srt { passphrase } streamKeys { arn value } recordingConfiguration { arn name }
  sessions(first: 5) { edges { node { streamId startTime endTime } } } } }`;
const NAMES = `{ channels(first: 100) { edges { node { arn name } } } }`;

/** List and batch calls: what a crawl makes. */
const crawlCalls = (counts: Record<string, OperationCount>) =>
  Object.entries(counts)
    .filter(([op]) => /^(List|BatchGet)/.test(op) && op !== "ListStreams")
    .reduce((sum, [, c]) => sum + c.total, 0);

/** Every string stored under `prefix` (values, hash fields, stream entries), for looking for secrets. */
async function everything(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const key of await redis.keys(`${prefix}*`)) {
    const type = await redis.type(key);
    if (type === "string") out.push((await redis.get(key)) as string);
    else if (type === "hash") out.push(...Object.values(await redis.hgetall(key)));
    else if (type === "stream")
      for (const [, fields] of await redis.xrange(key, "-", "+")) out.push(...fields);
  }
  return out;
}

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

/** A standalone emulator (IVS's real quotas) that several gateways share, delivering events to each. */
function useEmulator() {
  const e = { emulator: undefined as unknown as Emulator, direct: undefined as unknown as IvsClient };
  beforeAll(async () => {
    e.emulator = createEmulator({ port: 0, recordingActivationMs: 0 });
    await e.emulator.start();
    e.direct = new IvsClient({
      region: "us-west-2",
      endpoint: e.emulator.url,
      credentials: { accessKeyId: "tool", secretAccessKey: "tool" },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    e.direct?.destroy();
    await e.emulator?.stop();
  });
  return e;
}

/** An emulator, a Redis prefix of its own (cleaned after the file) and the replicas started on them. */
function useReplicaSet() {
  const e = useEmulator();
  const prefix = `test-${randomUUID()}:`;
  prefixes.push(prefix);
  const running: RunningGateway[] = [];
  afterAll(async () => {
    for (const g of running.reverse()) await g.stop();
  });
  return { e, prefix, running };
}

/** A replica on the shared emulator and Redis prefix, receiving the emulator's events like EventBridge. */
async function replica(
  e: ReturnType<typeof useEmulator>,
  env: Record<string, string>,
): Promise<RunningGateway> {
  const g = await startGateway({
    IVS_ENDPOINT: e.emulator.url,
    IVS_ANONYMOUS: "true",
    AUTH_DISABLED: "true",
    EVENTS_API_KEY,
    REDIS_URL,
    ...env,
  });
  e.emulator.delivery.addTarget({
    url: `${g.gateway.url}/events`,
    apiKeyHeader: "x-api-key",
    apiKey: EVENTS_API_KEY,
  });
  const stop = g.stop.bind(g);
  g.stop = async () => {
    e.emulator.delivery.removeTarget(`${g.gateway.url}/events`);
    await stop();
  };
  return g;
}

/** Until the leader has saved the mirror to Redis. */
async function saved(prefix: string): Promise<void> {
  await expect
    .poll(async () => Number(await redis.hget(`${prefix}mirror:meta`, "savedAt")), { timeout: 5000 })
    .toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 1200));
}

describe("replicas sharing the mirror through Redis", () => {
  const e = useEmulator();
  const prefix = `test-${randomUUID()}:`;
  prefixes.push(prefix);
  const shared = { REDIS_KEY_PREFIX: prefix, MIRROR_SECRET_KEY: randomBytes(32).toString("base64") };
  const arns: string[] = [];
  let one: RunningGateway;
  let two: RunningGateway | undefined;

  beforeAll(async () => {
    // An account made before any gateway runs: the first replica crawls it.
    const rc = await e.direct.send(
      new CreateRecordingConfigurationCommand({
        name: "shared",
        destinationConfiguration: { s3: { bucketName: "bucket" } },
      }),
    );
    e.emulator.limiter.options = { ...e.emulator.limiter.options, enabled: false };
    for (let i = 0; i < 30; i++) {
      const out = await e.direct.send(
        new CreateChannelCommand({
          name: `shared-${i}`,
          recordingConfigurationArn: rc.recordingConfiguration?.arn,
        }),
      );
      arns.push(out.channel?.arn as string);
    }
    e.emulator.limiter.options = { ...e.emulator.limiter.options, enabled: true };
    e.emulator.limiter.reset();
    for (const arn of arns.slice(0, 3)) {
      e.emulator.broadcasts.start({ channelArn: arn });
      e.emulator.broadcasts.end(arn);
    }
    one = await replica(e, shared);
  });
  afterAll(async () => {
    await two?.stop();
    await one?.stop();
  });

  it("crawls the account once: a second replica loads the first's mirror and lists nothing", async () => {
    const first = await one.gql(PAGE, { arn: arns[0] });
    expect(first.errors).toBeUndefined();
    await saved(prefix);
    await one.resetCounts();
    two = await replica(e, shared);
    expect(crawlCalls(await one.counts())).toBe(0);
    expect(await two.gql(PAGE, { arn: arns[0] })).toEqual(first);
    const names = await two.gql<{ channels: { edges: unknown[] } }>(NAMES);
    expect(names.data?.channels.edges).toHaveLength(30);
    const counts = await one.counts();
    expect(crawlCalls(counts)).toBe(0);
    expect(callsOf(counts, "BatchGetStreamKey").total + callsOf(counts, "GetStreamSession").total).toBe(0);
  });

  it("shows what one replica changed on the other at once, with no IVS read", async () => {
    const other = two as RunningGateway;
    await one.resetCounts();
    const res = await other.gql(
      `mutation ($arn: String!) { updateChannel(input: { arn: $arn, name: "renamed-on-two" }) { __typename } }`,
      { arn: arns[1] },
    );
    expect(res.errors).toBeUndefined();
    await expect
      .poll(
        async () => (await one.gql<{ channel: { name: string } }>(PAGE, { arn: arns[1] })).data?.channel.name,
        {
          timeout: 2000,
          interval: 20,
        },
      )
      .toBe("renamed-on-two");
    const counts = await one.counts();
    expect(Object.keys(counts).filter((op) => op !== "UpdateChannel" && counts[op]?.total)).toEqual([]);
  });

  it("keeps stream key values and SRT passphrases only sealed in Redis", async () => {
    const res = await one.gql<{ channel: { srt: { passphrase: string }; streamKeys: { value: string }[] } }>(
      PAGE,
      {
        arn: arns[2],
      },
    );
    const value = res.data?.channel.streamKeys[0]?.value as string;
    const passphrase = res.data?.channel.srt.passphrase as string;
    expect(value).toMatch(/^sk_/);
    expect(passphrase.length).toBeGreaterThan(10);
    await saved(prefix);
    const stored = await everything(prefix);
    for (const raw of stored) {
      expect(raw).not.toContain(value);
      expect(raw).not.toContain(passphrase);
    }
    // They are there, sealed (v1.<nonce>.<tag>.<ciphertext>), and the rest is plain.
    const keys = Object.values(await redis.hgetall(`${prefix}mirror:keys`)).join("\n");
    expect(keys).toMatch(/"x":"v1\./);
    expect(stored.some((raw) => raw.includes('"name":"shared-2"'))).toBe(true);
  });

  it("restarts serving reads from Redis before making any IVS call, and does not crawl again", async () => {
    const before = await one.gql(PAGE, { arn: arns[0] });
    await saved(prefix);
    await two?.stop();
    two = undefined;
    await one.stop();
    // IVS is unreachable: whatever this replica answers comes from what it loaded.
    const offline = await startGateway({
      IVS_ENDPOINT: "http://127.0.0.1:9",
      IVS_ANONYMOUS: "true",
      IVS_MAX_ATTEMPTS: "1",
      AUTH_DISABLED: "true",
      REDIS_URL,
      ...shared,
    }).catch((error: unknown) => {
      throw new Error(`the replica did not start without IVS: ${String(error)}`);
    });
    try {
      expect(await offline.gql(PAGE, { arn: arns[0] })).toEqual(before);
      const names = await offline.gql<{ channels: { edges: unknown[] } }>(NAMES);
      expect(names.data?.channels.edges).toHaveLength(30);
    } finally {
      await offline.stop();
    }
    // Back on IVS, leading again: no list pass, no key or session lists (they are not due).
    e.emulator.counters.reset();
    one = await replica(e, shared);
    await new Promise((r) => setTimeout(r, 1500));
    expect(one.gateway.mirror.status().leader).toBe(true);
    expect(crawlCalls(await one.counts())).toBe(0);
    expect(await one.gql(PAGE, { arn: arns[0] })).toEqual(before);
  });
});

describe("replicas on Redis without MIRROR_SECRET_KEY", () => {
  const { e, prefix, running } = useReplicaSet();

  it("keep secrets in each process only, and share the rest", async () => {
    const out = await e.direct.send(new CreateChannelCommand({ name: "unsealed" }));
    const arn = out.channel?.arn as string;
    const one = await replica(e, { REDIS_KEY_PREFIX: prefix });
    running.push(one);
    const res = await one.gql<{ channel: { streamKeys: { value: string }[] } }>(
      `query ($arn: String!) { channel(arn: $arn) { streamKeys { arn value } } }`,
      { arn },
    );
    const value = res.data?.channel.streamKeys[0]?.value as string;
    expect(value).toBe(out.streamKey?.value);
    await saved(prefix);
    for (const raw of await everything(prefix)) expect(raw).not.toContain(value);
    // The other replica has the key list from Redis, and reads the value from IVS itself, once.
    const two = await replica(e, { REDIS_KEY_PREFIX: prefix });
    running.push(two);
    await one.resetCounts();
    const again = await two.gql<{ channel: { streamKeys: { value: string }[] } }>(
      `query ($arn: String!) { channel(arn: $arn) { streamKeys { arn value } } }`,
      { arn },
    );
    expect(again.data?.channel.streamKeys[0]?.value).toBe(value);
    const counts = await one.counts();
    expect(callsOf(counts, "ListStreamKeys").total).toBe(0);
    expect(callsOf(counts, "BatchGetStreamKey").total).toBe(1);
  });
});

describe("two replicas sharing the request budget", () => {
  const { e, prefix, running } = useReplicaSet();

  it("keep their combined calls within the quota: no 429 however the load is split", async () => {
    const one = await replica(e, { REDIS_KEY_PREFIX: prefix });
    const two = await replica(e, { REDIS_KEY_PREFIX: prefix });
    running.push(one, two);
    await one.resetCounts();
    // Configurations the account does not have: each lookup is one GetRecordingConfiguration (3 TPS).
    const arn = (i: number) =>
      `arn:aws:ivs:us-west-2:123456789012:recording-configuration/shared${String(i).padStart(6, "0")}`;
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 === 0 ? one : two).gql(`query ($arn: String!) { recordingConfiguration(arn: $arn) { arn } }`, {
          arn: arn(i),
        }),
      ),
    );
    const elapsed = Date.now() - started;
    for (const r of results) expect(r.errors).toBeUndefined();
    // Each replica alone would pace at 2.4/s: together 4.8/s against IVS's 3. Shared, they pace at 2.4/s.
    expect(callsOf(await one.counts(), "GetRecordingConfiguration")).toEqual({ total: 12, throttled: 0 });
    expect(elapsed).toBeGreaterThanOrEqual(((12 - 1) / 2.4) * 1000 * 0.9);
  });
});

describe("a channel deleted outside the gateway, with two replicas", () => {
  const { e, prefix, running } = useReplicaSet();

  it("completes its channelLiveStatus subscriptions on both, though only one replica received the event", async () => {
    const arn = (await e.direct.send(new CreateChannelCommand({ name: "doomed" }))).channel?.arn as string;
    const one = await replica(e, { REDIS_KEY_PREFIX: prefix });
    const two = await replica(e, { REDIS_KEY_PREFIX: prefix });
    running.push(one, two);
    // EventBridge delivers to one replica only: what the other learns comes through Redis.
    e.emulator.delivery.removeTarget(`${two.gateway.url}/events`);
    const clients = [one, two].map((g) =>
      createClient({
        url: `${g.gateway.url.replace("http", "ws")}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
      }),
    );
    try {
      type Update = { channelLiveStatus: { deleted: boolean; version: number; status: string } };
      const watching = clients.map((c) =>
        collect<Update>(
          c,
          `subscription ($arns: [String!]!) { channelLiveStatus(arns: $arns) { deleted version status } }`,
          { arns: [arn] },
        ),
      );
      for (const w of watching) await w.until((items) => items.length >= 1);
      await e.direct.send(new DeleteChannelCommand({ arn }));
      for (const w of watching) {
        const items = await w.until((all) => all.some((i) => i.channelLiveStatus.deleted), 5000);
        await expect.poll(() => w.done, { timeout: 2000 }).toBe(true);
        const last = items.at(-1)?.channelLiveStatus;
        expect(last).toMatchObject({ deleted: true, status: "OFFLINE" });
        expect(last?.version).toBeGreaterThan(
          items[0]?.channelLiveStatus.version ?? Number.POSITIVE_INFINITY,
        );
      }
    } finally {
      for (const c of clients) await c.dispose();
    }
  });
});

describe("a replica started before the leader first saved the mirror", () => {
  const { e, prefix, running } = useReplicaSet();

  it("takes the changes the shared log carried (CloudTrail) and gets synced", async () => {
    const one = await replica(e, { REDIS_KEY_PREFIX: prefix });
    running.push(one);
    // Made behind the gateways' backs: the leader learns it from the CloudTrail event in the shared log.
    const { channel } = await e.direct.send(new CreateChannelCommand({ name: "out-of-band" }));
    await one.settle();
    // Started before the leader's first save (there is no snapshot to load, only the log and the feed).
    expect(await redis.hget(`${prefix}mirror:meta`, "savedAt")).toBeNull();
    const two = await replica(e, { REDIS_KEY_PREFIX: prefix });
    running.push(two);
    // replica() resolves once its mirror says synced; the key list came from the log alone.
    expect(two.gateway.mirror.status().progress.keyLists).toEqual({ done: 1, total: 1 });
    await two.resetCounts();
    const res = await two.gql<{ channel: { streamKeys: { arn: string }[] } }>(
      `query ($arn: String!) { channel(arn: $arn) { streamKeys { arn } } }`,
      { arn: channel?.arn },
    );
    expect(res.data?.channel.streamKeys).toHaveLength(1);
    expect(crawlCalls(await two.counts())).toBe(0);
  }, 30_000);
});
