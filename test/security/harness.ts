import { generateKeyPairSync, randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { CreateChannelCommand } from "@aws-sdk/client-ivs";
import { type Client, createClient } from "graphql-ws";
import { SignJWT } from "jose";
import { afterAll, beforeAll } from "vitest";
import WebSocket from "ws";
import type { EmulatorOptions } from "../../emulator/index.ts";
import { hashApiKey } from "../../src/auth/api-keys.ts";
import { SCOPES } from "../../src/auth/scopes.ts";
import { loadConfig } from "../../src/config/gateway.ts";
import { createLogger } from "../../src/logger.ts";
import { buildGateway, type Gateway } from "../../src/server.ts";

export const SECRET = `jwt-secret-${randomBytes(16).toString("hex")}`;
export const ISSUER = "https://id.example.test/";
export const AUDIENCE = "ivs-gateway-security-test";
export const ALL = SCOPES.join(" ");
/** An API key with write access for tenant acme; only its hash is configured. */
export const API_KEY = `key-${randomBytes(24).toString("base64url")}`;
export const PLAYBACK_PEM = generateKeyPairSync("ec", { namedCurve: "secp384r1" })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();

export interface GraphQLBody<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface MintOptions {
  scope?: string;
  tenant?: string;
  sub?: string;
  /** jose duration or seconds since the epoch. Default 10 minutes. */
  exp?: string | number;
  aud?: string;
  iss?: string;
  secret?: string;
}

/** A gateway on a real port (HTTP, SSE, graphql-ws) with JWT, API-key and tenancy configured, logging in memory. */
export function useSecureGateway(env: Record<string, string> = {}, emulator: Partial<EmulatorOptions> = {}) {
  const lines: string[] = [];
  /** Every secret the file's tests used or received, checked against the logs at the end. */
  const secrets = new Set<string>([SECRET, API_KEY, PLAYBACK_PEM]);
  const clients: Client[] = [];
  let gateway: Gateway;

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split("\n").filter(Boolean));
        done();
      },
    });
    const config = loadConfig({
      PORT: "0",
      SEED_DEMO_DATA: "false",
      AUTH_JWT_SECRET: SECRET,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_API_KEYS: JSON.stringify([
        { id: "acme-ci", sha256: hashApiKey(API_KEY), scope: "ivs:read ivs:write", tenant: "acme" },
      ]),
      TENANT_CLAIM: "tenant",
      PLAYBACK_PRIVATE_KEY: PLAYBACK_PEM,
      ...env,
    });
    gateway = buildGateway(config, {
      logger: createLogger({ level: "trace", destination }),
      emulator: {
        quotas: { enabled: false },
        recordingActivationMs: 0,
        broadcasts: { recordingEndDelayScale: 0 },
        ...emulator,
      } as Partial<EmulatorOptions>,
    });
    await gateway.start();
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await gateway?.stop();
  });

  const remember = (value: unknown) => {
    // Stream-key values, SRT passphrases and tokens in any response are secrets too.
    JSON.stringify(value, (key, v) => {
      if (["value", "passphrase", "token"].includes(key) && typeof v === "string" && v.length > 8)
        secrets.add(v);
      return v;
    });
  };

  const h = {
    get gateway() {
      return gateway;
    },
    lines,
    secrets,
    /** Signs a token (HS256 with the configured secret unless told otherwise) and remembers it. */
    async mint(options: MintOptions = {}): Promise<string> {
      const claims: Record<string, unknown> = { scope: options.scope ?? ALL };
      if (options.tenant !== undefined) claims.tenant = options.tenant;
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(options.sub ?? "alice")
        .setIssuer(options.iss ?? ISSUER)
        .setAudience(options.aud ?? AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(options.exp ?? "10m")
        .sign(new TextEncoder().encode(options.secret ?? SECRET));
      secrets.add(token);
      return token;
    },
    bearer: (token: string) => ({ authorization: `Bearer ${token}` }),
    /** POST /graphql over the real port. */
    async post<T = Record<string, unknown>>(
      query: string,
      variables: Record<string, unknown> = {},
      headers: Record<string, string> = {},
    ): Promise<{ status: number; headers: Headers; body: GraphQLBody<T> }> {
      const res = await fetch(`${gateway.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      const body = (
        text.startsWith("{") ? JSON.parse(text) : { errors: [{ message: text }] }
      ) as GraphQLBody<T>;
      remember(body);
      return { status: res.status, headers: res.headers, body };
    },
    /** A graphql-ws client over a real socket, sending `connectionParams` in connection_init. */
    ws(connectionParams: Record<string, unknown> | undefined) {
      const closed: { code: number; reason: string }[] = [];
      const client = createClient({
        url: `${gateway.url.replace("http", "ws")}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
        // Refusals are what these tests provoke; they are asserted, not printed.
        onNonLazyError: () => {},
        ...(connectionParams ? { connectionParams } : {}),
        on: { closed: (e) => void closed.push(e as { code: number; reason: string }) },
      });
      clients.push(client);
      return { client, closed };
    },
    /** One operation over graphql-ws: its results and errors once it completes or fails. */
    async wsRun(client: Client, query: string, variables: Record<string, unknown> = {}) {
      const results: GraphQLBody[] = [];
      const errors: unknown[] = [];
      await new Promise<void>((resolve) => {
        client.subscribe(
          { query, variables },
          {
            next: (r) => void results.push(r as GraphQLBody),
            error: (e) => {
              errors.push(e);
              resolve();
            },
            complete: resolve,
          },
        );
      });
      remember(results);
      return { results, errors, text: JSON.stringify({ results, errors }) };
    },
    /**
     * A channel created directly in IVS, tagged with its tenant; returns once its CloudTrail event has
     * reached the gateway (as EventBridge would deliver it), so the gateway's mirror knows it.
     */
    async channel(name: string, tenant?: string): Promise<string> {
      return (await h.channelWithKey(name, tenant)).arn;
    },
    async channelWithKey(name: string, tenant?: string): Promise<{ arn: string; keyArn: string }> {
      const out = await gateway.ivs.send(
        new CreateChannelCommand({ name, ...(tenant ? { tags: { tenant } } : {}) }),
      );
      remember(out.streamKey);
      await h.delivered();
      return { arn: out.channel?.arn as string, keyArn: out.streamKey?.arn as string };
    },
    /** Until every event the emulator emitted so far (CloudTrail ones included) reached the gateway. */
    async delivered(): Promise<void> {
      await fetch(`${gateway.emulatorUrl}/_emulator/event-deliveries/flush`, { method: "POST" });
    },
    async control(path: string, body?: unknown): Promise<unknown> {
      const res = await fetch(`${gateway.emulatorUrl}/_emulator${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return res.json();
    },
    /** Every secret used in the file, looked for in every log line and in /metrics. */
    async leaks(): Promise<string[]> {
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      const haystack = `${lines.join("\n")}\n${metrics}`;
      // A PEM is also looked for line by line: a logger could print it with escaped newlines.
      const needles = [...secrets].flatMap((s) =>
        s.includes("\n") ? s.split("\n").filter((l) => l.length > 40) : [s],
      );
      return needles.filter((s) => haystack.includes(s));
    },
  };
  return h;
}

/** Waits until `check` holds, polling; for events that arrive asynchronously. */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
