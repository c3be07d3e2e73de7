import { CreateChannelCommand, GetChannelCommand, ListPlaybackKeyPairsCommand } from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { RATE_LIMITS } from "../../emulator/index.ts";
import { useEmulator } from "./harness.ts";

const h = useEmulator({ quotas: { enabled: true, scale: 1 } });

type AwsError = Error & { $metadata: { httpStatusCode?: number; attempts?: number } };

async function burst(n: number, call: () => Promise<unknown>) {
  const results = await Promise.allSettled(Array.from({ length: n }, call));
  const rejected = results
    .filter((r): r is PromiseRejectedResult => r.status === "rejected")
    .map((r) => r.reason as AwsError);
  return { ok: results.length - rejected.length, rejected };
}

describe("request-rate quotas", () => {
  it("has a published rate for every operation", () => {
    expect(RATE_LIMITS.GetChannel).toBe(5);
    expect(RATE_LIMITS.ListPlaybackKeyPairs).toBe(3);
    expect(RATE_LIMITS.BatchStartViewerSessionRevocation).toBe(2);
    expect(RATE_LIMITS.StartViewerSessionRevocation).toBe(10);
    expect(RATE_LIMITS.PutMetadata).toBe(155);
    expect(Object.keys(RATE_LIMITS)).toHaveLength(41);
  });

  it("answers a burst beyond the rate with 429 ThrottlingException", async () => {
    h.emulator.limiter.reset();
    const arn = "arn:aws:ivs:us-west-2:123456789012:channel/missing";
    const { ok, rejected } = await burst(20, () => h.ivs.send(new GetChannelCommand({ arn })));
    const throttled = rejected.filter((e) => e.name === "ThrottlingException");
    // 5 fit the one-second bucket (they are 404s, which still count); the rest are throttled.
    expect(ok).toBe(0);
    expect(rejected.filter((e) => e.name === "ResourceNotFoundException")).toHaveLength(5);
    expect(throttled).toHaveLength(15);
    expect(throttled[0]?.$metadata.httpStatusCode).toBe(429);
    expect(throttled[0]?.message).toContain("Operation: ivs:GetChannel exceeded call rate: 5");
  });

  it("keeps operations in separate buckets", async () => {
    h.emulator.limiter.reset();
    await burst(5, () => h.ivs.send(new CreateChannelCommand({})));
    const keyPairs = await burst(3, () => h.ivs.send(new ListPlaybackKeyPairsCommand({})));
    expect(keyPairs.ok).toBe(3);
    const more = await burst(2, () => h.ivs.send(new ListPlaybackKeyPairsCommand({})));
    expect(more.rejected.map((e) => e.name)).toEqual(["ThrottlingException", "ThrottlingException"]);
  });

  it("refills: a call after the bucket drained passes once time has passed", async () => {
    h.emulator.limiter.reset();
    await burst(3, () => h.ivs.send(new ListPlaybackKeyPairsCommand({})));
    await expect(h.ivs.send(new ListPlaybackKeyPairsCommand({}))).rejects.toMatchObject({
      name: "ThrottlingException",
    });
    await new Promise((r) => setTimeout(r, 400)); // 3 TPS: one token every 333 ms
    await expect(h.ivs.send(new ListPlaybackKeyPairsCommand({}))).resolves.toBeDefined();
  });

  it("is seen by an SDK client with default retries as retried throttles", async () => {
    h.emulator.limiter.reset();
    const client = h.client({ maxAttempts: 2 });
    await burst(3, () => h.ivs.send(new ListPlaybackKeyPairsCommand({})));
    const before = h.emulator.counters.get("ListPlaybackKeyPairs").byError.ThrottlingException ?? 0;
    await client.send(new ListPlaybackKeyPairsCommand({})).catch(() => undefined);
    const after = h.emulator.counters.get("ListPlaybackKeyPairs").byError.ThrottlingException ?? 0;
    expect(after - before).toBeGreaterThanOrEqual(1);
  });

  it("can be scaled and switched off through the control API", async () => {
    const scaled = await h.control("PUT", "/quotas", { scale: 10 });
    expect(scaled.status).toBe(200);
    const fast = await burst(30, () => h.ivs.send(new ListPlaybackKeyPairsCommand({})));
    expect(fast.ok).toBe(30);
    const off = await h.control("PUT", "/quotas", { enabled: false, scale: 1 });
    expect(off.body).toMatchObject({ enabled: false, scale: 1 });
    expect((await burst(40, () => h.ivs.send(new ListPlaybackKeyPairsCommand({})))).ok).toBe(40);
    expect((await h.control("PUT", "/quotas", { scale: -1 })).status).toBe(400);
    await h.control("PUT", "/quotas", { enabled: true, scale: 1 });
  });
});
