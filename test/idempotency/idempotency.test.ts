import { beforeAll, describe, expect, it } from "vitest";
import { memoryIdempotencyStore } from "../../src/idempotency/store.ts";
import { CREATE, fresh, type Replica, useIdempotencyRig, wsRun } from "./harness.ts";

const rig = useIdempotencyRig();
let gw: Replica;

beforeAll(async () => {
  // One attempt per IVS call: an injected failure is answered at once, not after the SDK's retries.
  gw = await rig.replica({ IVS_MAX_ATTEMPTS: "1" });
});

/** Runs `fn` with every CreateChannel delayed by `ms` in the emulator. */
async function slowCreates<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  rig.emulator.setFaults({ latencyMs: ms, operations: ["CreateChannel"] });
  try {
    return await fn();
  } finally {
    rig.emulator.setFaults({ latencyMs: 0, errorRate: 0 });
  }
}

const arnOf = (a: { body: { data?: { createChannel?: { channel?: { arn: string } } } | null } }) =>
  a.body.data?.createChannel?.channel?.arn;

describe("Idempotency-Key on mutations", () => {
  it("without a key, a retried create makes a second channel (what the key prevents)", async () => {
    const { name } = fresh("nokey");
    await gw.post(CREATE, { name });
    await gw.post(CREATE, { name });
    expect(await rig.channelsNamed(name)).toHaveLength(2);
  });

  it("a create retried with its idempotency key after a dropped answer yields one channel", async () => {
    const { key, name } = fresh("dropped");
    const before = rig.creates();
    await slowCreates(400, async () => {
      const controller = new AbortController();
      const first = gw.post(CREATE, { name }, { key, signal: controller.signal });
      // The request is on the wire and the gateway is waiting for IVS when the answer is dropped.
      await new Promise((r) => setTimeout(r, 150));
      controller.abort();
      await expect(first).rejects.toThrow();
      // The gateway finishes the mutation anyway, and records its result under the key.
      await expect.poll(() => rig.channelsNamed(name), { timeout: 5000 }).toHaveLength(1);
    });
    await new Promise((r) => setTimeout(r, 100));
    const retry = await gw.post(CREATE, { name }, { key });
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotency-replayed")).toBe("true");
    expect(retry.body.extensions).toEqual({ idempotency: { replayed: true } });
    const channels = await rig.channelsNamed(name);
    expect(channels).toHaveLength(1);
    expect(arnOf(retry)).toBe(channels[0]);
    expect(rig.creates() - before).toBe(1);
  });

  it("a repeat returns the first answer, even written differently, without calling IVS", async () => {
    const { key, name } = fresh("repeat");
    const first = await gw.post(CREATE, { name }, { key });
    expect(first.body.data?.createChannel?.__typename).toBe("CreateChannelPayload");
    expect(first.headers.get("idempotency-replayed")).toBeNull();
    const before = rig.creates();
    // Same operation: other whitespace, a comment, the header as a Structured Field string.
    const reformatted = `# retried\n${CREATE.replace(/\n\s*/g, " ")}`;
    const again = await gw.post(reformatted, { name }, { key: `"${key}"` });
    expect(again.headers.get("idempotency-replayed")).toBe("true");
    expect(again.body.data).toEqual(first.body.data);
    expect(rig.creates()).toBe(before);
  });

  it("the same key with a different input is refused with 422 IDEMPOTENCY_KEY_REUSED and no IVS call", async () => {
    const { key, name } = fresh("reused");
    await gw.post(CREATE, { name }, { key });
    const before = rig.creates();
    const other = await gw.post(CREATE, { name: `${name}-other` }, { key });
    expect(other.status).toBe(422);
    expect(other.body.errors?.[0]?.extensions).toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
      retriable: false,
    });
    expect(other.body.data).toBeUndefined();
    expect(rig.creates()).toBe(before);
    expect(await rig.channelsNamed(`${name}-other`)).toHaveLength(0);
  });

  it("two concurrent requests with one key make one IVS call and get the same channel", async () => {
    const { key, name } = fresh("concurrent");
    const before = rig.creates();
    const [a, b] = await slowCreates(300, () =>
      Promise.all([gw.post(CREATE, { name }, { key }), gw.post(CREATE, { name }, { key })]),
    );
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(arnOf(a)).toBeDefined();
    expect(arnOf(a)).toBe(arnOf(b));
    // Exactly one of them is the replay.
    const replayed = [a, b].map((x) => x.headers.get("idempotency-replayed"));
    expect(replayed.filter((h) => h === "true")).toHaveLength(1);
    expect(rig.creates() - before).toBe(1);
    expect(await rig.channelsNamed(name)).toEqual([arnOf(a)]);
  });

  it("two principals using the same key do not collide or see each other's results", async () => {
    const { key, name } = fresh("principals");
    const alice = await gw.post(CREATE, { name }, { key, who: "alice" });
    // Another input under the same key: for bob it is a first use, not a reuse.
    const bob = await gw.post(CREATE, { name: `${name}-bob` }, { key, who: "bob" });
    expect(bob.status).toBe(200);
    expect(bob.headers.get("idempotency-replayed")).toBeNull();
    expect(arnOf(bob)).not.toBe(arnOf(alice));
    const bobAgain = await gw.post(CREATE, { name: `${name}-bob` }, { key, who: "bob" });
    expect(arnOf(bobAgain)).toBe(arnOf(bob));
    const aliceAgain = await gw.post(CREATE, { name }, { key, who: "alice" });
    expect(arnOf(aliceAgain)).toBe(arnOf(alice));
    expect(await rig.channelsNamed(name)).toHaveLength(1);
    expect(await rig.channelsNamed(`${name}-bob`)).toHaveLength(1);
  });

  it("takes the key from extensions.idempotencyKey over graphql-ws", async () => {
    const { key, name } = fresh("ws");
    const client = gw.ws();
    const before = rig.creates();
    const first = await wsRun(client, CREATE, { name }, { idempotencyKey: key });
    expect(first.data?.createChannel?.__typename).toBe("CreateChannelPayload");
    expect(first.extensions).toBeUndefined();
    const again = await wsRun(client, CREATE, { name }, { idempotencyKey: key });
    expect(again.extensions).toEqual({ idempotency: { replayed: true } });
    expect(again.data).toEqual(first.data);
    // Same principal, same key: HTTP replays what the WebSocket created.
    const overHttp = await gw.post(CREATE, { name }, { key });
    expect(overHttp.headers.get("idempotency-replayed")).toBe("true");
    expect(arnOf(overHttp)).toBe(first.data?.createChannel?.channel?.arn);
    const refused = await wsRun(client, CREATE, { name: `${name}-x` }, { idempotencyKey: key });
    expect(refused.errors?.[0]?.extensions).toEqual({ code: "IDEMPOTENCY_KEY_REUSED", retriable: false });
    expect(rig.creates() - before).toBe(1);
    expect(await rig.channelsNamed(name)).toHaveLength(1);
  });

  it("refuses a malformed key with 400 before calling IVS, and ignores the header on queries", async () => {
    const { name } = fresh("malformed");
    const before = rig.creates();
    for (const key of ["k".repeat(256), "tab\tkey", ""]) {
      const answer = await gw.post(CREATE, { name }, { key });
      expect(answer.status, JSON.stringify(key)).toBe(400);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe("IDEMPOTENCY_KEY_INVALID");
    }
    const client = gw.ws();
    const overWs = await wsRun(client, CREATE, { name }, { idempotencyKey: 42 });
    expect(overWs.errors?.[0]?.extensions?.code).toBe("IDEMPOTENCY_KEY_INVALID");
    expect(rig.creates()).toBe(before);
    expect(await rig.channelsNamed(name)).toHaveLength(0);
    const query = await gw.post("{ channels(first: 1) { edges { node { arn } } } }", {}, { key: "tab\tkey" });
    expect(query.status).toBe(200);
    expect(query.body.errors).toBeUndefined();
    // 255 printable characters is the longest key allowed.
    const longest = await gw.post(CREATE, { name }, { key: "~".repeat(255) });
    expect(longest.body.data?.createChannel?.__typename).toBe("CreateChannelPayload");
  });

  it("does not keep a retriable failure: the retry with the key executes again", async () => {
    const { key, name } = fresh("retriable");
    rig.emulator.setFaults({ errorRate: 1, operations: ["CreateChannel"] });
    let failed: Awaited<ReturnType<Replica["post"]>>;
    try {
      failed = await gw.post(CREATE, { name }, { key });
    } finally {
      rig.emulator.setFaults({ errorRate: 0 });
    }
    expect(failed.body.data?.createChannel).toMatchObject({
      __typename: "ServiceUnavailableError",
      retriable: true,
    });
    const retry = await gw.post(CREATE, { name }, { key });
    expect(retry.headers.get("idempotency-replayed")).toBeNull();
    expect(retry.body.data?.createChannel?.__typename).toBe("CreateChannelPayload");
    expect(await rig.channelsNamed(name)).toEqual([arnOf(retry)]);
  });

  it("keeps a final typed failure: the retry replays it without calling IVS", async () => {
    const { key } = fresh("final");
    const bad = "bad name!";
    const first = await gw.post(CREATE, { name: bad }, { key });
    expect(first.body.data?.createChannel?.__typename).toBe("ValidationError");
    const again = await gw.post(CREATE, { name: bad }, { key });
    expect(again.headers.get("idempotency-replayed")).toBe("true");
    expect(again.body.data).toEqual(first.body.data);
  });
});

describe("the key window", () => {
  let clock = Date.now();
  let short: Replica;
  beforeAll(async () => {
    short = await rig.replica({}, memoryIdempotencyStore({ ttlMs: 60_000, now: () => clock }));
  });

  it("replays within the window and executes again once it has passed", async () => {
    const { key, name } = fresh("expiry");
    const first = await short.post(CREATE, { name }, { key });
    clock += 59_000;
    const within = await short.post(CREATE, { name }, { key });
    expect(within.headers.get("idempotency-replayed")).toBe("true");
    expect(arnOf(within)).toBe(arnOf(first));
    clock += 2_000;
    const after = await short.post(CREATE, { name }, { key });
    expect(after.headers.get("idempotency-replayed")).toBeNull();
    expect(arnOf(after)).not.toBe(arnOf(first));
    expect(await rig.channelsNamed(name)).toHaveLength(2);
  });
});
