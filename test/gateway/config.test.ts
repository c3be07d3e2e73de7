import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeConfig, loadConfig } from "../../src/config/gateway.ts";
import { type Env, redactUrl } from "../../src/config/primitives.ts";
import { CONFIG_VARIABLES } from "../../src/config/variables.ts";
import { configFailure as failure } from "../config-failure.ts";

describe("loadConfig defaults", () => {
  it("with an empty environment: embedded emulator, 127.0.0.1:4000, demo data, dummy static keys", () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 4000,
      host: "127.0.0.1",
      logLevel: "info",
      ivs: {
        backend: "embedded",
        region: "us-west-2",
        credentials: { kind: "static", accessKeyId: "embedded", secretAccessKey: "embedded" },
        connectTimeoutMs: 3000,
        requestTimeoutMs: 10_000,
        maxAttempts: 3,
        keepAlive: true,
      },
      // Port 4001, or any free one when it is taken; demo broadcasts on the demo channels.
      emulator: { port: 4001, portFallback: true, seedDemoData: true, demoBroadcasts: true },
      // Development comforts: GraphiQL and the live page on, pretty logs on a terminal.
      development: { graphiql: true, livePage: true, logFormat: "auto" },
      events: {
        apiKeyHeader: "x-api-key",
        reconcileIntervalMs: 30_000,
        replayRetentionMs: 3_600_000,
        clockSkewMs: 300_000,
        maxAgeMs: 86_400_000,
        logMaxBytes: 67_108_864,
      },
      redisKeyPrefix: "ivs-gateway:",
      redisTimeoutMs: 1000,
      // IVS quotas paced at 80%; the mirror listed again every 5 min, each channel's lists every hour.
      budget: { share: 0.8, rates: {}, deadlineMs: 10_000 },
      mirror: { resyncMs: 300_000, channelResyncMs: 3_600_000, windowMs: 20 },
      // Idempotency keys and finished jobs kept a day; the newest 50,000 audit records.
      writes: {
        idempotencyTtlMs: 86_400_000,
        auditMaxRecords: 50_000,
        jobRetentionMs: 86_400_000,
        jobLeaseMs: 10_000,
      },
      // Tracing off, no manifest, 10 s for in-flight requests on SIGTERM.
      telemetry: {
        exporter: "none",
        endpoint: "http://localhost:4318/v1/traces",
        headers: {},
        serviceName: "ivs-gateway",
        sampler: "parentbased_always_on",
        samplerRatio: 1,
      },
      documents: { only: false },
      drainTimeoutMs: 10_000,
      // Secure by default: development mode mints a token; limits at GraphQL Armor's defaults.
      auth: { mode: "dev", apiKeys: [], tenantTagKey: "tenant" },
      limits: {
        maxDepth: 6,
        maxCost: 5000,
        maxAliases: 15,
        maxTokens: 1000,
        maxBodyBytes: 65_536,
        rateLimitPerMinute: 600,
        introspection: true,
        fieldSuggestions: true,
        // Every request carries a bearer token: nothing for CSRF prevention to protect (docs/security.md).
        csrfPrevention: false,
        // Per principal and replica; browsers on this machine (dev servers) may call cross-origin.
        maxSubscriptionsPerPrincipal: 500,
        maxConnectionsPerPrincipal: 100,
        corsOrigins: ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"],
        corsCredentials: false,
      },
    });
  });

  it("treats empty and blank values as unset", () => {
    expect(loadConfig({ PORT: "", IVS_ENDPOINT: "  ", LOG_LEVEL: "" })).toMatchObject({
      port: 4000,
      logLevel: "info",
      ivs: { backend: "embedded" },
    });
  });

  it("documents exactly the variables it reads", () => {
    const source = readFileSync(new URL("../../src/config/gateway.ts", import.meta.url), "utf8");
    const read = new Set([...source.matchAll(/read\("([A-Z_]+)"\)/g)].map((m) => m[1]));
    read.add("AWS_REGION"); // read through a variable holding IVS_REGION or AWS_REGION
    expect(new Set(CONFIG_VARIABLES.map((v) => v.name))).toEqual(read);
  });
});

describe("server variables", () => {
  it("reads PORT, HOST and LOG_LEVEL", () => {
    expect(loadConfig({ PORT: "0", HOST: "0.0.0.0", LOG_LEVEL: "DEBUG" })).toMatchObject({
      port: 0,
      host: "0.0.0.0",
      logLevel: "debug",
    });
  });

  it.each([
    ["PORT", "http"],
    ["PORT", "-1"],
    ["PORT", "65536"],
    ["PORT", "80.5"],
    ["HOST", "http://localhost"],
    ["HOST", "local host"],
    ["LOG_LEVEL", "verbose"],
  ])("rejects %s=%s naming the variable", (name, value) => {
    const error = failure({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toMatch(new RegExp(`^${name} `));
    expect(error.message).toContain(value);
  });
});

describe("IVS_ENDPOINT", () => {
  it("aws uses the real service with the default chain and no region of its own", () => {
    const config = loadConfig({ IVS_ENDPOINT: "aws" });
    expect(config.ivs).toMatchObject({ backend: "aws", credentials: { kind: "default" } });
    expect(config.ivs.region).toBeUndefined();
    expect(config.ivs.endpoint).toBeUndefined();
    expect(config.emulator).toBeUndefined();
  });

  it("a URL selects that endpoint, without demo data, trailing slash removed", () => {
    const config = loadConfig({ IVS_ENDPOINT: "http://127.0.0.1:4566/" });
    expect(config.ivs).toMatchObject({
      backend: "endpoint",
      endpoint: "http://127.0.0.1:4566",
      region: "us-west-2",
    });
    expect(config.emulator).toBeUndefined();
  });

  it.each(["ftp://example.com", "not a url", "http://user:pw@example.com"])("rejects %s", (value) => {
    expect(failure({ IVS_ENDPOINT: value }).variable).toBe("IVS_ENDPOINT");
  });

  it("keeps a password in IVS_ENDPOINT out of the message", () => {
    expect(failure({ IVS_ENDPOINT: "http://user:hunter2@example.com" }).message).not.toContain("hunter2");
  });
});

describe("region", () => {
  it("IVS_REGION wins over AWS_REGION", () => {
    expect(loadConfig({ IVS_REGION: "eu-west-1", AWS_REGION: "us-east-1" }).ivs.region).toBe("eu-west-1");
    expect(loadConfig({ AWS_REGION: "ap-northeast-1" }).ivs.region).toBe("ap-northeast-1");
  });

  it("names whichever variable carried the bad region", () => {
    expect(failure({ AWS_REGION: "Oregon" }).variable).toBe("AWS_REGION");
    expect(failure({ IVS_REGION: "us_west_2", AWS_REGION: "us-west-2" }).variable).toBe("IVS_REGION");
  });
});

describe("credentials", () => {
  it("static keys with a session token", () => {
    const env = {
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "s3cr3t",
      AWS_SESSION_TOKEN: "tok",
    };
    expect(loadConfig({ ...env, IVS_ENDPOINT: "aws" }).ivs.credentials).toEqual({
      kind: "static",
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "s3cr3t",
      sessionToken: "tok",
    });
  });

  it("a named profile", () => {
    expect(loadConfig({ AWS_PROFILE: "media-prod", IVS_ENDPOINT: "aws" }).ivs.credentials).toEqual({
      kind: "profile",
      profile: "media-prod",
    });
  });

  it("anonymous", () => {
    expect(
      loadConfig({ IVS_ANONYMOUS: "yes", IVS_ENDPOINT: "http://localhost:4566" }).ivs.credentials,
    ).toEqual({
      kind: "anonymous",
    });
  });

  it.each([
    [{ AWS_ACCESS_KEY_ID: "AKID" }, "AWS_SECRET_ACCESS_KEY"],
    [{ AWS_SECRET_ACCESS_KEY: "s" }, "AWS_ACCESS_KEY_ID"],
    [{ AWS_SESSION_TOKEN: "t" }, "AWS_SESSION_TOKEN"],
    [{ AWS_PROFILE: "has space" }, "AWS_PROFILE"],
    [{ AWS_PROFILE: "p", AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s" }, "AWS_PROFILE"],
    [{ IVS_ANONYMOUS: "true", AWS_PROFILE: "p" }, "IVS_ANONYMOUS"],
    [{ IVS_ANONYMOUS: "maybe" }, "IVS_ANONYMOUS"],
  ] as [Env, string][])("%o fails naming %s", (env, variable) => {
    expect(failure(env).variable).toBe(variable);
  });

  it("never puts a secret key into an error message", () => {
    const error = failure({ AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI" });
    expect(error.message).not.toContain("wJalrXUtnFEMI");
  });
});

describe("IVS client tuning", () => {
  it("reads timeouts, attempts and keep-alive", () => {
    const config = loadConfig({
      IVS_CONNECT_TIMEOUT_MS: "250",
      IVS_REQUEST_TIMEOUT_MS: "0",
      IVS_MAX_ATTEMPTS: "1",
      IVS_KEEP_ALIVE: "false",
    });
    expect(config.ivs).toMatchObject({
      connectTimeoutMs: 250,
      requestTimeoutMs: 0,
      maxAttempts: 1,
      keepAlive: false,
    });
  });

  it.each([
    ["IVS_CONNECT_TIMEOUT_MS", "1s"],
    ["IVS_REQUEST_TIMEOUT_MS", "-5"],
    ["IVS_MAX_ATTEMPTS", "0"],
    ["IVS_MAX_ATTEMPTS", "11"],
    ["IVS_KEEP_ALIVE", "nope"],
  ])("rejects %s=%s naming the variable", (name, value) => {
    const error = failure({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toContain(value);
  });
});

describe("embedded emulator variables", () => {
  it("reads EMULATOR_PORT, SEED_DEMO_DATA and DEMO_BROADCASTS", () => {
    // A port that is set is meant: no fallback. No demo data, so no demo broadcasts by default.
    expect(loadConfig({ EMULATOR_PORT: "4566", SEED_DEMO_DATA: "off" }).emulator).toEqual({
      port: 4566,
      portFallback: false,
      seedDemoData: false,
      demoBroadcasts: false,
    });
    expect(loadConfig({ DEMO_BROADCASTS: "false" }).emulator?.demoBroadcasts).toBe(false);
    expect(failure({ DEMO_BROADCASTS: "sometimes" }).variable).toBe("DEMO_BROADCASTS");
    expect(failure({ IVS_ENDPOINT: "aws", DEMO_BROADCASTS: "true" }).variable).toBe("DEMO_BROADCASTS");
  });

  it("turns development comforts off outside development, and reads their variables", () => {
    const production = loadConfig({
      IVS_ENDPOINT: "aws",
      AWS_REGION: "eu-west-1",
      AUTH_JWT_SECRET: "x".repeat(40),
      AUTH_ISSUER: "i",
      AUTH_AUDIENCE: "a",
    });
    expect(production.development).toEqual({ graphiql: false, livePage: false, logFormat: "auto" });
    expect(production.limits).toMatchObject({ fieldSuggestions: false, csrfPrevention: false });
    expect(loadConfig({ AUTH_DISABLED: "true" }).limits.csrfPrevention).toBe(true);
    expect(
      loadConfig({ GRAPHIQL: "false", LIVE_PAGE: "false", LOG_FORMAT: "json", CSRF_PREVENTION: "true" }),
    ).toMatchObject({
      development: { graphiql: false, livePage: false, logFormat: "json" },
      limits: { csrfPrevention: true },
    });
    expect(failure({ LOG_FORMAT: "yaml" }).variable).toBe("LOG_FORMAT");
  });

  it("rejects them with another backend, so demo data never lands in a real account", () => {
    expect(failure({ IVS_ENDPOINT: "aws", SEED_DEMO_DATA: "true" }).variable).toBe("SEED_DEMO_DATA");
    expect(failure({ IVS_ENDPOINT: "http://localhost:4566", EMULATOR_PORT: "4566" }).variable).toBe(
      "EMULATOR_PORT",
    );
    expect(loadConfig({ IVS_ENDPOINT: "aws", SEED_DEMO_DATA: "false" }).emulator).toBeUndefined();
  });

  it.each([
    ["EMULATOR_PORT", "99999"],
    ["SEED_DEMO_DATA", "2"],
  ])("rejects %s=%s", (name, value) => {
    expect(failure({ [name]: value }).variable).toBe(name);
  });
});

describe("REDIS_URL", () => {
  it("keeps a redis URL", () => {
    expect(loadConfig({ REDIS_URL: "rediss://:pw@cache:6380/2" }).redisUrl).toBe("rediss://:pw@cache:6380/2");
  });

  it.each(["http://cache:6379", "cache:6379", "nonsense"])("rejects %s", (value) => {
    expect(failure({ REDIS_URL: value }).variable).toBe("REDIS_URL");
  });

  it("keeps the password out of the rejection message", () => {
    expect(failure({ REDIS_URL: "http://:topsecret@cache" }).message).not.toContain("topsecret");
  });
});

describe("describeConfig", () => {
  it("shows the shape of the configuration without keys, tokens or passwords", () => {
    const config = loadConfig({
      IVS_ENDPOINT: "aws",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI",
      AWS_SESSION_TOKEN: "FwoGZXIvYXdzEBY",
      REDIS_URL: "redis://:hunter2@cache:6379",
    });
    const text = JSON.stringify(describeConfig(config));
    expect(text).toContain('"credentials":"static"');
    for (const secret of ["AKIDEXAMPLE", "wJalrXUtnFEMI", "FwoGZXIvYXdzEBY", "hunter2"])
      expect(text).not.toContain(secret);
    expect(redactUrl("redis://:hunter2@cache:6379")).toBe("redis://:***@cache:6379");
  });
});

describe("live events variables", () => {
  it("reads the ingest key, its header, the reconciliation period, the replay window and the event bounds", () => {
    const config = loadConfig({
      EVENTS_API_KEY: "0123456789abcdef-key",
      EVENTS_API_KEY_HEADER: "X-Ivs-Key",
      RECONCILE_INTERVAL_MS: "5000",
      EVENT_REPLAY_RETENTION_MS: "60000",
      REDIS_KEY_PREFIX: "tenant-a:",
      EVENT_CLOCK_SKEW_MS: "60000",
      EVENT_MAX_AGE_MS: "3600000",
      EVENT_LOG_MAX_BYTES: "1048576",
    });
    expect(config.events).toEqual({
      apiKey: "0123456789abcdef-key",
      apiKeyHeader: "x-ivs-key",
      reconcileIntervalMs: 5000,
      replayRetentionMs: 60_000,
      clockSkewMs: 60_000,
      maxAgeMs: 3_600_000,
      logMaxBytes: 1_048_576,
    });
    expect(config.redisKeyPrefix).toBe("tenant-a:");
  });

  it("refuses a short ingest key, a bad header name, a period under a second and a bad prefix", () => {
    expect(failure({ EVENTS_API_KEY: "short" }).variable).toBe("EVENTS_API_KEY");
    expect(failure({ EVENTS_API_KEY_HEADER: "x api key" }).variable).toBe("EVENTS_API_KEY_HEADER");
    expect(failure({ RECONCILE_INTERVAL_MS: "10" }).variable).toBe("RECONCILE_INTERVAL_MS");
    expect(failure({ REDIS_KEY_PREFIX: "has space" }).variable).toBe("REDIS_KEY_PREFIX");
  });

  it("never shows the ingest key when the configuration is logged", () => {
    const shown = JSON.stringify(describeConfig(loadConfig({ EVENTS_API_KEY: "0123456789abcdef-secret" })));
    expect(shown).not.toContain("0123456789abcdef-secret");
  });
});

describe("hardening variables", () => {
  it("reads CORS origins, per-principal caps and the Redis timeout", () => {
    const config = loadConfig({
      CORS_ORIGINS: "https://app.example.com, http://localhost:*",
      CORS_CREDENTIALS: "true",
      MAX_SUBSCRIPTIONS_PER_PRINCIPAL: "20",
      MAX_CONNECTIONS_PER_PRINCIPAL: "3",
      REDIS_TIMEOUT_MS: "250",
    });
    expect(config.limits).toMatchObject({
      corsOrigins: ["https://app.example.com", "http://localhost:*"],
      corsCredentials: true,
      maxSubscriptionsPerPrincipal: 20,
      maxConnectionsPerPrincipal: 3,
    });
    expect(config.redisTimeoutMs).toBe(250);
  });

  it("allows no cross-origin caller outside development mode unless told", () => {
    const config = loadConfig({ IVS_ENDPOINT: "http://127.0.0.1:9", AUTH_DISABLED: "true" });
    expect(config.limits.corsOrigins).toEqual([]);
    expect(config.limits.corsCredentials).toBe(false);
  });

  it("refuses a malformed origin, * mixed with origins, and credentials for any origin", () => {
    expect(failure({ CORS_ORIGINS: "app.example.com" }).message).toMatch(/^CORS_ORIGINS must be/);
    expect(failure({ CORS_ORIGINS: "*,https://a.example" }).message).toMatch(/^CORS_ORIGINS is either \*/);
    expect(failure({ CORS_ORIGINS: "*", CORS_CREDENTIALS: "true" }).message).toMatch(
      /^CORS_CREDENTIALS cannot/,
    );
    expect(failure({ MAX_CONNECTIONS_PER_PRINCIPAL: "0" }).message).toMatch(
      /^MAX_CONNECTIONS_PER_PRINCIPAL must/,
    );
    expect(failure({ EVENT_CLOCK_SKEW_MS: "10" }).message).toMatch(/^EVENT_CLOCK_SKEW_MS must/);
    expect(failure({ REDIS_TIMEOUT_MS: "5" }).message).toMatch(/^REDIS_TIMEOUT_MS must/);
  });
});
