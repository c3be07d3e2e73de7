import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { exportJWK, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/gateway.ts";
import { ConfigError, type Env } from "../../src/config/primitives.ts";
import { createLogger } from "../../src/logger.ts";
import { buildGateway, type Gateway } from "../../src/server.ts";
import { GATEWAY_PROGRAM } from "../support/programs.ts";

const PING = JSON.stringify({ query: "{ channels(first: 1) { edges { node { arn } } } }" });
const post = (g: Gateway, headers: Record<string, string> = {}) =>
  fetch(`${g.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: PING,
  });

function memoryGateway(env: Env) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _e, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const gateway = buildGateway(loadConfig({ PORT: "0", SEED_DEMO_DATA: "false", ...env }), {
    logger: createLogger({ level: "trace", destination }),
  });
  return { gateway, lines };
}

describe("secure by default: development mode", () => {
  const { gateway, lines } = memoryGateway({});
  beforeAll(() => gateway.start());
  afterAll(() => gateway.stop());

  it("requires the token it minted, and never logs it", async () => {
    expect(gateway.devToken).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await post(gateway)).status).toBe(401);
    expect((await post(gateway, { authorization: `Bearer ${gateway.devToken}` })).status).toBe(200);
    expect(lines.some((l) => l.includes("development mode"))).toBe(true);
    expect(lines.join("\n")).not.toContain(gateway.devToken as string);
  });

  it("suggests field names in development mode (they are hidden elsewhere)", async () => {
    const res = await fetch(`${gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gateway.devToken}` },
      body: JSON.stringify({ query: "{ chanels { edges { node { arn } } } }" }),
    });
    expect(JSON.stringify(await res.json())).toMatch(/Did you mean \\"channels?\\"/);
  });

  it("prints the token once on stdout from npm start (dist/main.js), outside every log line", async () => {
    const child = spawn(process.execPath, [...GATEWAY_PROGRAM], {
      env: { PATH: process.env.PATH, PORT: "0", SEED_DEMO_DATA: "false", LOG_LEVEL: "trace" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += String(d);
    });
    const deadline = Date.now() + 15_000;
    while (!/Dev token.*\n/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    const token = /Dev token \(24 h\): +export TOKEN=(\S+)/.exec(out)?.[1] ?? "";
    expect(token).toMatch(/^ey/);
    expect(out.split(token).length - 1).toBe(1);
    expect(out.split("\n").filter((l) => l.startsWith("{") && l.includes(token))).toEqual([]);
  });
});

describe("explicitly disabled", () => {
  const { gateway, lines } = memoryGateway({ AUTH_DISABLED: "true" });
  beforeAll(() => gateway.start());
  afterAll(() => gateway.stop());

  it("lets anyone in, and says so in a warning", async () => {
    expect((await post(gateway)).status).toBe(200);
    expect(gateway.devToken).toBeUndefined();
    expect(lines.some((l) => l.includes('"level":40') && l.includes("AUTH_DISABLED=true"))).toBe(true);
  });
});

describe("configuration refuses what would be insecure", () => {
  it("will not start against another backend with no authentication", async () => {
    const { gateway } = memoryGateway({
      IVS_ENDPOINT: "http://127.0.0.1:9",
      IVS_ANONYMOUS: "true",
      SEED_DEMO_DATA: "",
    });
    await expect(gateway.start()).rejects.toThrow(ConfigError);
    expect(() => gateway.url).toThrow(/not started/);
  });

  it.each([
    [{ AUTH_JWT_SECRET: "short", AUTH_ISSUER: "i", AUTH_AUDIENCE: "a" }, "AUTH_JWT_SECRET"],
    [{ AUTH_JWT_SECRET: "x".repeat(40), AUTH_AUDIENCE: "a" }, "AUTH_ISSUER"],
    [{ AUTH_JWT_SECRET: "x".repeat(40), AUTH_ISSUER: "i" }, "AUTH_AUDIENCE"],
    [{ AUTH_JWKS_URL: "http://idp.example/jwks", AUTH_ISSUER: "i", AUTH_AUDIENCE: "a" }, "AUTH_JWKS_URL"],
    [{ AUTH_DISABLED: "true", AUTH_JWT_SECRET: "x".repeat(40) }, "AUTH_DISABLED"],
    [{ AUTH_API_KEYS: '[{"id":"k","sha256":"my-plain-key","scope":"ivs:read"}]' }, "AUTH_API_KEYS"],
    [{ AUTH_API_KEYS: `[{"id":"k","sha256":"${"a".repeat(64)}","scope":"ivs:raed"}]` }, "AUTH_API_KEYS"],
    [
      {
        TENANT_CLAIM: "tenant",
        AUTH_API_KEYS: `[{"id":"k","sha256":"${"a".repeat(64)}","scope":"ivs:read"}]`,
      },
      "AUTH_API_KEYS",
    ],
    [
      { PLAYBACK_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----" },
      "PLAYBACK_PRIVATE_KEY",
    ],
    [
      {
        PLAYBACK_PRIVATE_KEY: generateKeyPairSync("ec", { namedCurve: "prime256v1" })
          .privateKey.export({ type: "pkcs8", format: "pem" })
          .toString(),
      },
      "PLAYBACK_PRIVATE_KEY",
    ],
  ])("refuses %j naming %s, without echoing the value", (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env as Env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    for (const value of Object.values(env))
      if (value.length > 20) expect((error as Error).message).not.toContain(value);
  });
});

describe("JWTs from an identity provider's JWKS", () => {
  const idp = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  let jwk: JWK;
  let server: Server;
  let g: ReturnType<typeof memoryGateway>;
  beforeAll(async () => {
    jwk = { ...(await exportJWK(idp.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    g = memoryGateway({ AUTH_JWKS_URL: url, AUTH_ISSUER: "https://idp.test/", AUTH_AUDIENCE: "ivs" });
    await g.gateway.start();
  });
  afterAll(async () => {
    await g.gateway.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  const sign = (key: Parameters<SignJWT["sign"]>[0], alg = "ES256") =>
    new SignJWT({ scope: "ivs:read" })
      .setProtectedHeader({ alg, kid: "k1" })
      .setSubject("u")
      .setIssuer("https://idp.test/")
      .setAudience("ivs")
      .setExpirationTime("5m")
      .sign(key);

  it("accepts the provider's token and refuses another key's and an HMAC made from the public key", async () => {
    expect((await post(g.gateway, { authorization: `Bearer ${await sign(idp.privateKey)}` })).status).toBe(
      200,
    );
    expect((await post(g.gateway, { authorization: `Bearer ${await sign(other.privateKey)}` })).status).toBe(
      401,
    );
    const confused = await sign(new TextEncoder().encode(JSON.stringify(jwk)), "HS256");
    expect((await post(g.gateway, { authorization: `Bearer ${confused}` })).status).toBe(401);
  });
});
