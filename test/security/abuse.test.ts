import { randomUUID } from "node:crypto";
import type { IvsClient } from "@aws-sdk/client-ivs";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createGatewayApp } from "../../src/app.ts";
import type { LiveHub } from "../../src/live/live-hub.ts";
import { Mirror } from "../../src/mirror/mirror.ts";
import { TEST_AUTH_HEADERS, TEST_SECURITY } from "../gateway/test-auth.ts";
import { useSecureGateway } from "./harness.ts";

// Two replicas sharing one rate budget through Redis (npm test needs Redis on 127.0.0.1:6379).
const REDIS = {
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  REDIS_KEY_PREFIX: `rl-${randomUUID()}:`,
};
// Registered first, so it runs after the gateways stopped: what they left in Redis (the mirror is kept
// there on purpose, without expiry) goes with the file.
afterAll(async () => {
  const redis = new Redis(REDIS.REDIS_URL);
  const keys = await redis.keys(`${REDIS.REDIS_KEY_PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});
const h = useSecureGateway({ RATE_LIMIT_PER_MINUTE: "5" });
const r1 = useSecureGateway({ ...REDIS, RATE_LIMIT_PER_MINUTE: "4" });
const r2 = useSecureGateway({ ...REDIS, RATE_LIMIT_PER_MINUTE: "4" });

const PING = "{ __typename }";
const token = (g: typeof h, sub: string) => g.mint({ scope: "ivs:read", tenant: "acme", sub });

describe("CSRF prevention", () => {
  // With AUTH_DISABLED every request is let in: a cross-site form post would run. There the check is on.
  const open = useSecureGateway({
    AUTH_JWT_SECRET: "",
    AUTH_ISSUER: "",
    AUTH_AUDIENCE: "",
    AUTH_API_KEYS: "",
    TENANT_CLAIM: "",
    PLAYBACK_PRIVATE_KEY: "",
    AUTH_DISABLED: "true",
  });
  const formPost = (url: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: `query=${encodeURIComponent(PING)}`,
    });
  const get = (url: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/graphql?query=${encodeURIComponent(PING)}`, { headers });

  it("refuses, where credentials are ambient, a cross-site GET and a form post, which need no preflight", async () => {
    expect((await get(open.gateway.url)).status).toBe(403);
    expect((await formPost(open.gateway.url)).status).toBe(403);
    expect((await get(open.gateway.url, { "x-graphql-yoga-csrf": "1" })).status).toBe(200);
  });

  it("lets GET clients in where every request carries its own credential, and refuses forgeries without one", async () => {
    // What a cross-site page can send: no Authorization header (the browser never adds a bearer token).
    expect((await get(h.gateway.url)).status).toBe(401);
    expect((await formPost(h.gateway.url)).status).toBe(401);
    // What GraphiQL's subscriptions and urql's queries send: a GET with the token in a header.
    const auth = h.bearer(await token(h, "csrf"));
    const res = await get(h.gateway.url, auth);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { __typename: "Query" } });
  });
});

describe("per-principal rate limit", () => {
  it("answers 429 with Retry-After past the budget, for that principal only (HTTP)", async () => {
    const greedy = h.bearer(await token(h, "greedy"));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await h.post(PING, {}, greedy)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await h.post(PING, {}, greedy);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    expect((await h.post(PING, {}, h.bearer(await token(h, "patient")))).status).toBe(200);
  });

  it("counts operations on a WebSocket against the same budget", async () => {
    const { client } = h.ws(h.bearer(await token(h, "ws-greedy")));
    const texts: string[] = [];
    for (let i = 0; i < 6; i++) texts.push((await h.wsRun(client, PING)).text);
    expect(texts.slice(0, 5).every((t) => t.includes('"Query"'))).toBe(true);
    expect(texts[5]).toContain("RATE_LIMITED");
  });

  it("is one budget across replicas with Redis", async () => {
    const shared = await token(r1, "replicated");
    const statuses: number[] = [];
    for (const g of [r1, r2, r1, r2, r1]) statuses.push((await g.post(PING, {}, g.bearer(shared))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});

describe("error masking", () => {
  const failing = (error: Error) => {
    const ivs = { send: async () => Promise.reject(error) } as unknown as IvsClient;
    return createGatewayApp({
      ivs,
      live: {} as LiveHub,
      mirror: new Mirror({ ivs }),
      graphiql: false,
      logging: false,
      security: TEST_SECURITY,
    });
  };

  it("shows an unexpected failure as 'Unexpected error.', without its message or stack", async () => {
    const yoga = failing(new Error("connect ECONNREFUSED 10.0.0.7:443 sk_us-west-2_internal_detail"));
    const res = await yoga.fetch("http://gateway/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...TEST_AUTH_HEADERS },
      body: JSON.stringify({ query: "{ channels { edges { node { arn } } } }" }),
    });
    const text = await res.text();
    expect(text).toContain("Unexpected error.");
    expect(text).not.toContain("ECONNREFUSED");
    expect(text).not.toContain("sk_us-west-2");
    expect(text).not.toContain("stack");
  });
});

describe("logs", () => {
  it("hold none of the secrets used above", async () => {
    for (const g of [h, r1, r2]) expect(await g.leaks()).toEqual([]);
  });
});
