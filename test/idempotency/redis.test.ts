import { randomBytes, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisIdempotencyStore } from "../../src/idempotency/store.ts";
import { createSecretBox } from "../../src/ivs/secret-box.ts";
import { type Answer, CREATE, fresh, REDIS_URL, type Replica, useIdempotencyRig } from "./harness.ts";

const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];
const newPrefix = () => {
  const prefix = `test-idem-${randomUUID()}:`;
  prefixes.push(prefix);
  return prefix;
};

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

/** Every string stored under `prefix`, to look for secrets in. */
async function everything(prefix: string): Promise<string> {
  const out: string[] = [];
  for (const key of await redis.keys(`${prefix}*`)) {
    const type = await redis.type(key);
    if (type === "string") out.push((await redis.get(key)) as string);
    else if (type === "hash") out.push(...Object.values(await redis.hgetall(key)));
    else if (type === "stream")
      for (const [, fields] of await redis.xrange(key, "-", "+")) out.push(...fields);
  }
  return out.join("\n");
}

const CREATE_WITH_SECRET = `mutation ($name: String!) {
  createChannel(input: { name: $name }) {
    ... on CreateChannelPayload { channel { arn } streamKey { arn value } }
  }
}`;
type SecretAnswer = { createChannel?: { channel?: { arn: string }; streamKey?: { value: string } } };

const arnOf = (a: { body: { data?: { createChannel?: { channel?: { arn: string } } } | null } }) =>
  a.body.data?.createChannel?.channel?.arn;

describe("two replicas sharing Redis", () => {
  const rig = useIdempotencyRig();
  const prefix = newPrefix();
  let one: Replica;
  let two: Replica;
  beforeAll(async () => {
    const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix };
    one = await rig.replica(env);
    two = await rig.replica(env);
  });

  it("a retry on the other replica after a dropped answer replays the first result", async () => {
    const { key, name } = fresh("replica");
    const before = rig.creates();
    rig.emulator.setFaults({ latencyMs: 400, operations: ["CreateChannel"] });
    try {
      const controller = new AbortController();
      const first = one.post(CREATE, { name }, { key, signal: controller.signal });
      await new Promise((r) => setTimeout(r, 150));
      controller.abort();
      await expect(first).rejects.toThrow();
      // Sent while the first is still executing on the other replica: it waits for it, then replays.
      const retry = await two.post(CREATE, { name }, { key });
      expect(retry.status).toBe(200);
      expect(retry.headers.get("idempotency-replayed")).toBe("true");
      const channels = await rig.channelsNamed(name);
      expect(channels).toHaveLength(1);
      expect(arnOf(retry)).toBe(channels[0]);
    } finally {
      rig.emulator.setFaults({ latencyMs: 0 });
    }
    expect(rig.creates() - before).toBe(1);
    // The key is in Redis under the gateway's prefix, by a digest: neither the key nor the principal in clear.
    const stored = await redis.keys(`${prefix}idem:*`);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.join(" ")).not.toContain(key);
  });

  it("refuses the key with another input on the other replica", async () => {
    const { key, name } = fresh("replica-reuse");
    await one.post(CREATE, { name }, { key });
    const before = rig.creates();
    const other = await two.post(CREATE, { name: `${name}-b` }, { key });
    expect(other.status).toBe(422);
    expect(other.body.errors?.[0]?.extensions?.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(rig.creates()).toBe(before);
  });

  it("two replicas receiving one key at once make one IVS call", async () => {
    const { key, name } = fresh("replica-race");
    const before = rig.creates();
    rig.emulator.setFaults({ latencyMs: 300, operations: ["CreateChannel"] });
    let answers: Answer[];
    try {
      answers = await Promise.all([one.post(CREATE, { name }, { key }), two.post(CREATE, { name }, { key })]);
    } finally {
      rig.emulator.setFaults({ latencyMs: 0 });
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const [a, b] = answers as [Answer, Answer];
    expect(arnOf(a)).toBeDefined();
    expect(arnOf(a)).toBe(arnOf(b));
    expect(rig.creates() - before).toBe(1);
    expect(await rig.channelsNamed(name)).toHaveLength(1);
  });

  it("without MIRROR_SECRET_KEY keeps a result holding secrets out of Redis, and refuses its replay", async () => {
    const { key, name } = fresh("withheld");
    const first = await one.post(CREATE_WITH_SECRET, { name }, { key });
    const value = (first.body.data as SecretAnswer | undefined)?.createChannel?.streamKey?.value;
    expect(value).toMatch(/^sk_/);
    const before = rig.creates();
    const retry = await two.post(CREATE_WITH_SECRET, { name }, { key });
    expect(retry.status).toBe(409);
    expect(retry.body.errors?.[0]?.extensions).toEqual({
      code: "IDEMPOTENCY_RESULT_WITHHELD",
      retriable: false,
    });
    expect(rig.creates()).toBe(before);
    expect(await rig.channelsNamed(name)).toHaveLength(1);
    expect(await everything(prefix)).not.toContain(value);
  });
});

describe("replicas with MIRROR_SECRET_KEY", () => {
  const rig = useIdempotencyRig();
  const prefix = newPrefix();
  let one: Replica;
  let two: Replica;
  beforeAll(async () => {
    const env = {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      MIRROR_SECRET_KEY: randomBytes(32).toString("base64"),
    };
    one = await rig.replica(env);
    two = await rig.replica(env);
  });

  it("replays a result holding secrets from the other replica, sealed in Redis", async () => {
    const { key, name } = fresh("sealed");
    const first = await one.post(CREATE_WITH_SECRET, { name }, { key });
    const value = (first.body.data as SecretAnswer | undefined)?.createChannel?.streamKey?.value;
    expect(value).toMatch(/^sk_/);
    const retry = await two.post(CREATE_WITH_SECRET, { name }, { key });
    expect(retry.headers.get("idempotency-replayed")).toBe("true");
    expect(retry.body.data).toEqual(first.body.data);
    expect(await rig.channelsNamed(name)).toHaveLength(1);
    expect(await everything(prefix)).not.toContain(value);
  });
});

describe("the Redis store", () => {
  const result = { data: { ok: true } };

  it("forgets a completed key after its window", async () => {
    const store = redisIdempotencyStore({ redis, prefix: newPrefix(), ttlMs: 300 });
    const begun = await store.begin("k", "fp");
    if (begun.kind !== "new") throw new Error(begun.kind);
    await store.complete("k", begun.claim, "fp", result, false);
    expect(await store.begin("k", "fp")).toEqual({ kind: "replay", result });
    expect(await store.begin("k", "other")).toEqual({ kind: "mismatch" });
    await new Promise((r) => setTimeout(r, 400));
    expect((await store.begin("k", "other")).kind).toBe("new");
  });

  it("lets a claim lapse, and never lets a lapsed claimer overwrite the next one", async () => {
    const store = redisIdempotencyStore({ redis, prefix: newPrefix(), claimMs: 150 });
    const first = await store.begin("k", "fp");
    if (first.kind !== "new") throw new Error(first.kind);
    expect(await store.begin("k", "fp")).toEqual({ kind: "in-flight" });
    await new Promise((r) => setTimeout(r, 250));
    const second = await store.begin("k", "fp");
    if (second.kind !== "new") throw new Error(second.kind);
    await store.complete("k", first.claim, "fp", { data: { stale: true } }, false);
    await store.abandon("k", first.claim);
    expect(await store.begin("k", "fp")).toEqual({ kind: "in-flight" });
    await store.complete("k", second.claim, "fp", result, false);
    expect(await store.begin("k", "fp")).toEqual({ kind: "replay", result });
  });

  it("abandons a claim so that a retry executes, and seals results with a secret box", async () => {
    const prefix = newPrefix();
    const store = redisIdempotencyStore({ redis, prefix, box: createSecretBox(randomBytes(32)) });
    const first = await store.begin("k", "fp");
    if (first.kind !== "new") throw new Error(first.kind);
    await store.abandon("k", first.claim);
    const second = await store.begin("k", "fp");
    if (second.kind !== "new") throw new Error(second.kind);
    await store.complete("k", second.claim, "fp", { data: { value: "sk_plain-secret" } }, true);
    expect(await everything(prefix)).not.toContain("sk_plain-secret");
    expect(await store.begin("k", "fp")).toEqual({
      kind: "replay",
      result: { data: { value: "sk_plain-secret" } },
    });
  });
});
