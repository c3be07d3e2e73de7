import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { describeConfig, loadConfig } from "../../src/config/gateway.ts";
import { createSecretBox } from "../../src/ivs/secret-box.ts";
import { configFailure as failure } from "../config-failure.ts";

describe("budget and mirror variables", () => {
  it("reads every variable", () => {
    const key = randomBytes(32).toString("base64");
    const config = loadConfig({
      IVS_BUDGET_SHARE: "0.5",
      IVS_RATES: '{"GetStream": 10, "ListStreamKeys": 2.5}',
      IVS_QUEUE_DEADLINE_MS: "2500",
      MIRROR_RESYNC_INTERVAL_MS: "60000",
      MIRROR_CHANNEL_RESYNC_INTERVAL_MS: "7200000",
      MIRROR_SECRET_KEY: key,
      COALESCE_WINDOW_MS: "0",
    });
    expect(config.budget).toEqual({
      share: 0.5,
      rates: { GetStream: 10, ListStreamKeys: 2.5 },
      deadlineMs: 2500,
    });
    expect(config.mirror).toEqual({
      resyncMs: 60_000,
      channelResyncMs: 7_200_000,
      windowMs: 0,
      secretKey: Buffer.from(key, "base64"),
    });
    // The key is a secret: never logged.
    expect(JSON.stringify(describeConfig(config))).not.toContain(key);
  });

  it.each([
    [{ IVS_BUDGET_SHARE: "1.5" }, "IVS_BUDGET_SHARE"],
    [{ IVS_BUDGET_SHARE: "0" }, "IVS_BUDGET_SHARE"],
    [{ IVS_RATES: "[1]" }, "IVS_RATES"],
    [{ IVS_RATES: '{"GetStreams": 5}' }, "IVS_RATES"],
    [{ IVS_RATES: '{"GetStream": 0}' }, "IVS_RATES"],
    [{ IVS_QUEUE_DEADLINE_MS: "10" }, "IVS_QUEUE_DEADLINE_MS"],
    [{ MIRROR_RESYNC_INTERVAL_MS: "soon" }, "MIRROR_RESYNC_INTERVAL_MS"],
    [{ MIRROR_RESYNC_INTERVAL_MS: "999" }, "MIRROR_RESYNC_INTERVAL_MS"],
    [{ MIRROR_CHANNEL_RESYNC_INTERVAL_MS: "0" }, "MIRROR_CHANNEL_RESYNC_INTERVAL_MS"],
    [{ MIRROR_SECRET_KEY: randomBytes(16).toString("base64") }, "MIRROR_SECRET_KEY"],
    [{ COALESCE_WINDOW_MS: "5000" }, "COALESCE_WINDOW_MS"],
    // Variables of the read path the mirror replaced stop the gateway with the way forward.
    [{ CACHE_ENABLED: "false" }, "CACHE_ENABLED"],
    [{ CACHE_TTL_MS: "1000" }, "CACHE_TTL_MS"],
    [{ CACHE_SECRET_KEY: randomBytes(32).toString("base64") }, "CACHE_SECRET_KEY"],
    [{ COALESCE_ENABLED: "off" }, "COALESCE_ENABLED"],
  ])("refuses %j, naming %s", (env, variable) => {
    expect(failure(env).variable).toBe(variable);
  });
});

describe("the secret box", () => {
  const box = createSecretBox(randomBytes(32));

  it("opens what it sealed under the same cache key only", () => {
    const sealed = box.seal("sk_secret", "key-a");
    expect(sealed).not.toContain("sk_secret");
    expect(box.open(sealed, "key-a")).toBe("sk_secret");
    expect(box.open(sealed, "key-b")).toBeUndefined();
  });

  it("refuses a tampered or foreign value", () => {
    const sealed = box.seal("sk_secret", "k");
    const parts = sealed.split(".");
    parts[3] = Buffer.from("sk_other").toString("base64url");
    expect(box.open(parts.join("."), "k")).toBeUndefined();
    expect(createSecretBox(randomBytes(32)).open(sealed, "k")).toBeUndefined();
  });
});
