import { randomBytes, randomUUID } from "node:crypto";
import { CreateChannelCommand, CreateRecordingConfigurationCommand } from "@aws-sdk/client-ivs";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callsOf, type OperationCount, type RunningGateway, startGateway } from "./harness.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const redis = new Redis(REDIS_URL);
const running: RunningGateway[] = [];
const prefixes: string[] = [];

const DASHBOARD = `query ($arn: String!) {
  channel(arn: $arn) { arn name srt { passphrase } streamKeys { arn value } recordingConfiguration { arn name } }
}`;
const RC = `query ($arn: String!) { recordingConfiguration(arn: $arn) { arn name } }`;

const total = (counts: Record<string, OperationCount>) =>
  Object.values(counts).reduce((sum, c) => sum + c.total, 0);

/** Two replicas on one Redis prefix: the first embeds the emulator, the second calls the first's. */
async function replicas(env: Record<string, string>): Promise<[RunningGateway, RunningGateway]> {
  const prefix = `test-${randomUUID()}:`;
  prefixes.push(prefix);
  const shared = { REDIS_URL, REDIS_KEY_PREFIX: prefix, ...env };
  const one = await startGateway(shared);
  running.push(one);
  const two = await startGateway({
    ...shared,
    IVS_ENDPOINT: one.emulatorUrl,
    AWS_ACCESS_KEY_ID: "replica",
    AWS_SECRET_ACCESS_KEY: "replica",
    AUTH_DISABLED: "true",
  });
  running.push(two);
  return [one, two];
}

/** Every string value under `prefix`, by key. */
async function dump(prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of await redis.keys(`${prefix}*`)) {
    if ((await redis.type(key)) !== "string") continue;
    out.set(key, (await redis.get(key)) as string);
  }
  return out;
}

afterAll(async () => {
  for (const g of running) await g.stop();
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

describe("two gateway replicas sharing a real Redis", () => {
  let one: RunningGateway;
  let two: RunningGateway;
  let arn = "";

  beforeAll(async () => {
    [one, two] = await replicas({
      CACHE_TTL_MS: "60000",
      CACHE_SECRET_KEY: randomBytes(32).toString("base64"),
    });
    arn = await one.arrange(async () => {
      const rc = await one.direct.send(
        new CreateRecordingConfigurationCommand({
          name: "shared",
          destinationConfiguration: { s3: { bucketName: "bucket" } },
        }),
      );
      const out = await one.direct.send(
        new CreateChannelCommand({
          name: "shared",
          recordingConfigurationArn: rc.recordingConfiguration?.arn,
        }),
      );
      return out.channel?.arn as string;
    });
  });

  it("serve what one cached from the other, without an IVS call", async () => {
    await one.resetCounts();
    const first = await one.gql(DASHBOARD, { arn });
    expect(first.errors).toBeUndefined();
    expect(total(await one.counts())).toBeGreaterThan(0);
    await one.resetCounts();
    expect(await two.gql(DASHBOARD, { arn })).toEqual(first);
    expect(total(await one.counts())).toBe(0);
  });

  it("keep stream key values and SRT passphrases sealed in Redis", async () => {
    const res = await one.gql<{ channel: { srt: { passphrase: string }; streamKeys: { value: string }[] } }>(
      DASHBOARD,
      { arn },
    );
    const value = res.data?.channel.streamKeys[0]?.value as string;
    const passphrase = res.data?.channel.srt.passphrase as string;
    expect(value).toMatch(/^sk_/);
    const stored = await dump(prefixes[0] as string);
    const keyEntry = [...stored].find(([k]) => k.includes(":cache:stream-key:"));
    expect(keyEntry?.[1]).toMatch(/^sealed:v1\./);
    for (const raw of stored.values()) {
      expect(raw).not.toContain(value);
      expect(raw).not.toContain(passphrase);
    }
    // Configuration without secrets is stored as it is.
    expect([...stored.values()].some((raw) => raw.includes('"name":"shared"'))).toBe(true);
  });
});

describe("two replicas sharing the request budget", () => {
  it("keep their combined calls within the quota: no 429 however the load is split", async () => {
    const [one, two] = await replicas({ CACHE_ENABLED: "false", COALESCE_ENABLED: "false" });
    const arn = await one.arrange(async () => {
      const out = await one.direct.send(
        new CreateRecordingConfigurationCommand({
          destinationConfiguration: { s3: { bucketName: "bucket" } },
        }),
      );
      return out.recordingConfiguration?.arn as string;
    });
    await one.resetCounts();
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? one : two).gql(RC, { arn })),
    );
    const elapsed = Date.now() - started;
    for (const r of results) expect(r.errors).toBeUndefined();
    // Each replica alone would pace at 2.4/s: together 4.8/s against IVS's 3. Shared, they pace at 2.4/s.
    expect(callsOf(await one.counts(), "GetRecordingConfiguration")).toEqual({ total: 12, throttled: 0 });
    expect(elapsed).toBeGreaterThanOrEqual(((12 - 1) / 2.4) * 1000 * 0.9);
  });
});

describe("a replica on Redis without CACHE_SECRET_KEY", () => {
  it("keeps secrets in its memory only, and still shares the rest", async () => {
    const [one, two] = await replicas({ CACHE_TTL_MS: "60000" });
    const arn = await one.arrange(async () => {
      const out = await one.direct.send(new CreateChannelCommand({ name: "unsealed" }));
      return out.channel?.arn as string;
    });
    const res = await one.gql<{ channel: { streamKeys: { value: string }[] } }>(
      `query ($arn: String!) { channel(arn: $arn) { streamKeys { arn value } } }`,
      { arn },
    );
    const value = res.data?.channel.streamKeys[0]?.value as string;
    expect(value).toMatch(/^sk_/);
    const stored = await dump(prefixes[prefixes.length - 1] as string);
    expect(
      [...stored.keys()].some((k) => k.includes(":cache:stream-key:") || k.includes(":cache:channel:")),
    ).toBe(false);
    for (const raw of stored.values()) expect(raw).not.toContain(value);
    // The key list holds no secret: the other replica reads it from Redis, and fetches the value itself.
    await one.resetCounts();
    await two.gql(`query ($arn: String!) { channel(arn: $arn) { streamKeys { arn value } } }`, { arn });
    const counts = await one.counts();
    expect(callsOf(counts, "ListStreamKeys").total).toBe(0);
    expect(callsOf(counts, "BatchGetStreamKey").total).toBe(1);
  });
});
