import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../emulator/index.ts";
import { loadConfig } from "../../src/config/gateway.ts";
import { createLogger } from "../../src/logger.ts";
import { buildGateway, type Gateway } from "../../src/server.ts";

/*
 * Finding 10 of issue 11, readiness part: /ready turns 503 ("ivs unreachable") when the IVS endpoint stops
 * answering under a running gateway, /health stays 200 and says so, and /ready recovers once IVS answers.
 */

let emulator: Emulator;
let gateway: Gateway;
let port: number;

async function ready() {
  const res = await fetch(`${gateway.url}/ready`);
  return { status: res.status, body: (await res.json()) as { ready: boolean; reasons?: string[] } };
}

/** A read of a channel the mirror does not hold: a lookup at IVS (BatchGetChannel). */
const lookUpMissing = () =>
  fetch(`${gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: "query ($arn: String!) { channel(arn: $arn) { arn } }",
      variables: {
        arn: `arn:aws:ivs:us-west-2:123456789012:channel/${randomUUID().replaceAll("-", "").slice(0, 12)}`,
      },
    }),
  });

beforeAll(async () => {
  emulator = createEmulator({ port: 0, quotas: { enabled: false } });
  await emulator.start();
  port = Number(new URL(emulator.url).port);
  gateway = buildGateway(
    loadConfig({
      PORT: "0",
      IVS_ENDPOINT: emulator.url,
      IVS_ANONYMOUS: "true",
      AUTH_DISABLED: "true",
      IVS_MAX_ATTEMPTS: "1",
      RECONCILE_INTERVAL_MS: "3600000",
    }),
    { logger: createLogger({ level: "silent" }) },
  );
  await gateway.start();
  await gateway.mirror.synced();
}, 30_000);

afterAll(async () => {
  await gateway?.stop();
  await emulator?.stop();
});

describe("/ready with an IVS endpoint that stops answering", () => {
  it("is 503 naming IVS while it is down, with /health 200, and 200 once it answers again", async () => {
    expect((await ready()).status).toBe(200);
    await emulator.stop();
    // One attempt without an answer, just after answers, is a blip (a reset keep-alive socket), not an outage.
    await lookUpMissing();
    expect((await ready()).status).toBe(200);
    // Three in a row are an outage.
    await lookUpMissing();
    await lookUpMissing();
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.body.reasons).toContain("ivs unreachable");
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      ok: true,
      ready: false,
      checks: { ivs: { reachable: false } },
    });

    emulator = createEmulator({ port, quotas: { enabled: false } });
    await emulator.start();
    expect((await lookUpMissing()).status).toBe(200);
    expect((await ready()).status).toBe(200);
  });
});
