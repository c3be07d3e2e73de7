import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { originAllowed } from "../../src/auth/cors.ts";
import { loadConfig } from "../../src/config/gateway.ts";
import { CSRF_HEADER } from "../../src/plugins/use-limits.ts";
import { buildGateway } from "../../src/server.ts";
import { useSecureGateway } from "./harness.ts";

const APP = "https://app.example.com";
const EVIL = "https://evil.example";
const QUERY = JSON.stringify({ query: "{ __typename }" });

// Outside development mode, with nothing configured: no cross-origin access at all.
const closed = useSecureGateway();
const list = useSecureGateway({ CORS_ORIGINS: `${APP}, http://localhost:*` });
const any = useSecureGateway({ CORS_ORIGINS: "*" });
const credentials = useSecureGateway({ CORS_ORIGINS: APP, CORS_CREDENTIALS: "true" });

/** A browser's cross-origin POST (with the caller's token), as fetch from a page on `origin` sends it. */
async function post(url: string, origin: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", origin, ...headers },
    body: QUERY,
  });
  await res.arrayBuffer();
  return res;
}

/** The preflight a browser sends before that POST. */
async function preflight(url: string, origin: string) {
  const res = await fetch(`${url}/graphql`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": `content-type, authorization, ${CSRF_HEADER}`,
    },
  });
  await res.arrayBuffer();
  return res;
}

const allowHeaders = (res: Response) =>
  [...res.headers.keys()].filter((name) => name.startsWith("access-control-allow"));
const varies = (res: Response) =>
  (res.headers.get("vary") ?? "")
    .split(",")
    .map((v) => v.trim().toLowerCase())
    .includes("origin");

describe("CORS: an allow-list, not an echo", () => {
  it("answers an allowed origin with itself, without credentials unless configured, and Vary: Origin", async () => {
    const auth = list.bearer(await list.mint({ sub: "browser" }));
    const res = await post(list.gateway.url, APP, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(res.headers.get("access-control-expose-headers")).toMatch(/x-request-id/);
    expect(varies(res)).toBe(true);
  });

  it("gives a disallowed origin no CORS header at all, whatever the request carries", async () => {
    const auth = list.bearer(await list.mint({ sub: "attacker" }));
    for (const origin of [
      EVIL,
      "https://app.example.com.evil.example",
      "http://localhost.evil.example:5173",
      "null",
    ]) {
      const res = await post(list.gateway.url, origin, auth);
      expect(allowHeaders(res), origin).toEqual([]);
      expect(varies(res)).toBe(true);
    }
    // Nothing is configured outside development mode: no origin is allowed.
    const res = await post(closed.gateway.url, APP, closed.bearer(await closed.mint({ sub: "browser" })));
    expect(allowHeaders(res)).toEqual([]);
  });

  it("answers a preflight with allow headers for an allowed origin only", async () => {
    const ok = await preflight(list.gateway.url, APP);
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(APP);
    expect(ok.headers.get("access-control-allow-methods")).toBe("GET, POST");
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    expect(ok.headers.get("access-control-allow-credentials")).toBeNull();
    const refused = await preflight(list.gateway.url, EVIL);
    expect(allowHeaders(refused)).toEqual([]);
  });

  it("takes scheme://host:* as any port of that host", async () => {
    const auth = list.bearer(await list.mint({ sub: "vite" }));
    const res = await post(list.gateway.url, "http://localhost:5173", auth);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(allowHeaders(await post(list.gateway.url, "https://localhost:5173", auth))).toEqual([]);
  });

  it("lets * allow any origin, never with credentials", async () => {
    const auth = any.bearer(await any.mint({ sub: "anyone" }));
    const res = await post(any.gateway.url, EVIL, auth);
    expect(res.headers.get("access-control-allow-origin")).toBe(EVIL);
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(
      (await preflight(any.gateway.url, EVIL)).headers.get("access-control-allow-credentials"),
    ).toBeNull();
  });

  it("sends Access-Control-Allow-Credentials with CORS_CREDENTIALS, to allowed origins only", async () => {
    const auth = credentials.bearer(await credentials.mint({ sub: "proxy" }));
    const res = await post(credentials.gateway.url, APP, auth);
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(
      (await preflight(credentials.gateway.url, APP)).headers.get("access-control-allow-credentials"),
    ).toBe("true");
    expect(allowHeaders(await post(credentials.gateway.url, EVIL, auth))).toEqual([]);
    expect(allowHeaders(await preflight(credentials.gateway.url, EVIL))).toEqual([]);
  });

  it("matches origins exactly, by host and port", () => {
    const allowed = [APP, "http://localhost:*", "http://[::1]:*"];
    expect(originAllowed(allowed, "HTTPS://APP.EXAMPLE.COM")).toBe(true);
    expect(originAllowed(allowed, "http://localhost")).toBe(true);
    expect(originAllowed(allowed, "http://[::1]:8080")).toBe(true);
    expect(originAllowed(allowed, "https://app.example.com:8443")).toBe(false);
    expect(originAllowed(allowed, "http://localhost:5173.evil.example")).toBe(false);
    expect(originAllowed(allowed, "http://localhost:")).toBe(false);
    expect(originAllowed([], APP)).toBe(false);
  });
});

describe("CORS in development mode", () => {
  const gateway = buildGateway(
    loadConfig({ PORT: "0", EMULATOR_PORT: "0", SEED_DEMO_DATA: "false", LOG_LEVEL: "silent" }),
  );
  beforeAll(() => gateway.start());
  afterAll(() => gateway.stop());

  it("allows a dev server on this machine (http://localhost:5173) and nothing else", async () => {
    const auth = { authorization: `Bearer ${gateway.devToken}` };
    const res = await post(gateway.url, "http://localhost:5173", auth);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(
      (await preflight(gateway.url, "http://127.0.0.1:3000")).headers.get("access-control-allow-origin"),
    ).toBe("http://127.0.0.1:3000");
    expect(allowHeaders(await post(gateway.url, EVIL, auth))).toEqual([]);
  });
});
