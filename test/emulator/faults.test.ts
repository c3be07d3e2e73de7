import { ListChannelsCommand } from "@aws-sdk/client-ivs";
import { afterEach, describe, expect, it } from "vitest";
import { createEmulator } from "../../emulator/index.ts";
import { useEmulator } from "./harness.ts";

const h = useEmulator({ seed: 7 });

afterEach(async () => {
  await h.control("PUT", "/faults", {
    errorRate: 0,
    throttleRate: 0,
    latencyMs: 0,
    latencyJitterMs: 0,
    operations: [],
  });
  h.emulator.setFaults({ operations: undefined });
});

async function outcomes(n: number) {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      await h.ivs.send(new ListChannelsCommand({})).then(
        () => "ok",
        (e: Error) => e.name,
      ),
    );
  }
  return out;
}

describe("API fault knobs", () => {
  it("answers every request 500 or 503 at errorRate 1", async () => {
    await h.control("PUT", "/faults", { errorRate: 1 });
    const seen = new Set(await outcomes(20));
    expect([...seen].sort()).toEqual(["InternalServerException", "ServiceUnavailable"]);
  });

  it("throttles at throttleRate 1 without quotas", async () => {
    await h.control("PUT", "/faults", { throttleRate: 1 });
    await expect(h.ivs.send(new ListChannelsCommand({}))).rejects.toMatchObject({
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 429 },
    });
  });

  it("answers about the configured share with errors", async () => {
    await h.control("PUT", "/faults", { errorRate: 0.5 });
    const errors = (await outcomes(200)).filter((o) => o !== "ok").length;
    expect(errors).toBeGreaterThan(60);
    expect(errors).toBeLessThan(140);
  });

  it("adds latency", async () => {
    await h.control("PUT", "/faults", { latencyMs: 150 });
    const started = performance.now();
    await h.ivs.send(new ListChannelsCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it("limits faults to the listed operations", async () => {
    await h.control("PUT", "/faults", { errorRate: 1, operations: ["GetChannel"] });
    expect(await outcomes(5)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
  });

  it("rejects knob values out of range", async () => {
    expect((await h.control("PUT", "/faults", { errorRate: 2 })).status).toBe(400);
    expect((await h.control("PUT", "/faults", { latencyMs: "slow" })).status).toBe(400);
    expect((await h.control("PUT", "/faults", { operations: "GetChannel" })).status).toBe(400);
  });

  it("reproduces the same draws with the same seed", async () => {
    const run = async () => {
      const e = createEmulator({ port: 0, quotas: { enabled: false }, faults: { errorRate: 0.5 }, seed: 42 });
      await e.start();
      const seq: number[] = [];
      for (let i = 0; i < 30; i++)
        seq.push((await fetch(`${e.url}/ListChannels`, { method: "POST", body: "{}" })).status);
      await e.stop();
      return seq;
    };
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    expect(new Set(a).size).toBeGreaterThan(1);
  });
});

describe("request counters", () => {
  it("counts per operation and status, and resets", async () => {
    await h.control("DELETE", "/requests");
    await h.ivs.send(new ListChannelsCommand({}));
    await h.ivs.send(new ListChannelsCommand({ maxResults: 0 })).catch(() => undefined);
    const { body } = await h.control<{
      total: number;
      operations: Record<
        string,
        { total: number; byStatus: Record<string, number>; byError: Record<string, number> }
      >;
    }>("GET", "/requests");
    expect(body.total).toBe(2);
    expect(body.operations.ListChannels).toEqual({
      total: 2,
      byStatus: { 200: 1, 400: 1 },
      byError: { ValidationException: 1 },
    });
    await h.control("DELETE", "/requests");
    expect((await h.control<{ total: number }>("GET", "/requests")).body.total).toBe(0);
  });
});
