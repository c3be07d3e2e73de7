import { describe, expect, it } from "vitest";
import { API_KEY, AUDIENCE, until, useSecureGateway } from "./harness.ts";

const h = useSecureGateway();
const PING = "query Ping { channels(first: 1) { edges { node { arn } } } }";
const LIVE = "subscription ($arns: [String!]!) { channelLiveStatus(arns: $arns) { channelArn status } }";

/** The attacker's credentials, each of which must be refused. */
const attempts = async () => ({
  "no credentials": {},
  "a bad signature": h.bearer(await h.mint({ secret: "another-secret-of-at-least-32-bytes!!" })),
  "an expired token": h.bearer(await h.mint({ exp: Math.floor(Date.now() / 1000) - 60 })),
  "a wrong audience": h.bearer(await h.mint({ aud: "some-other-api" })),
  "a wrong issuer": h.bearer(await h.mint({ iss: "https://evil.example/" })),
  "an unsigned token (alg none)": h.bearer(
    `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(
      JSON.stringify({ sub: "x", scope: "ivs:admin", aud: AUDIENCE, exp: 9e9 }),
    ).toString("base64url")}.`,
  ),
  "an unknown API key": { "x-api-key": "not-a-configured-key-0123456789" },
  "a token and a key at once": { ...h.bearer(await h.mint({ tenant: "acme" })), "x-api-key": API_KEY },
  "a non-bearer scheme": { authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` },
});

describe("HTTP: every operation needs valid credentials", () => {
  it("answers 401 with a Bearer challenge, never the presented token, and runs nothing", async () => {
    for (const [name, headers] of Object.entries(await attempts())) {
      for (const query of [PING, 'mutation { deleteChannel(input: { arn: "x" }) { __typename } }']) {
        const res = await h.post(query, {}, headers);
        expect(res.status, name).toBe(401);
        expect(res.headers.get("www-authenticate"), name).toMatch(/^Bearer realm="ivs-gateway"/);
        expect(res.body.errors?.[0]?.extensions?.code, name).toBe("UNAUTHENTICATED");
        expect(res.body.data, name).toBeUndefined();
        const auth = (headers as Record<string, string>).authorization ?? "";
        if (auth) expect(JSON.stringify(res.body), name).not.toContain(auth.replace(/^\w+ /, ""));
      }
    }
  });

  it("says when a token has expired", async () => {
    const res = await h.post(PING, {}, h.bearer(await h.mint({ exp: Math.floor(Date.now() / 1000) - 60 })));
    expect(res.body.errors?.[0]?.message).toBe("The token has expired");
  });

  it("refuses an SSE subscription without credentials before streaming", async () => {
    const arn = await h.channel("sse-anon", "acme");
    const res = await fetch(`${h.gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: LIVE, variables: { arns: [arn] } }),
    });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).toContain("UNAUTHENTICATED");
    expect(text).not.toContain('"data"');
  });

  it("lets a valid token and a valid API key in", async () => {
    const jwt = await h.post(PING, {}, h.bearer(await h.mint({ tenant: "acme" })));
    expect(jwt.status).toBe(200);
    expect(jwt.body.data).toBeTruthy();
    const key = await h.post(PING, {}, { "x-api-key": API_KEY });
    expect(key.status).toBe(200);
    expect(key.body.data).toBeTruthy();
  });

  it("refuses a token without the tenant claim unless it is an administrator's", async () => {
    const plain = await h.post(PING, {}, h.bearer(await h.mint({ scope: "ivs:read ivs:write" })));
    expect(plain.status).toBe(401);
    const admin = await h.post(PING, {}, h.bearer(await h.mint({ scope: "ivs:read ivs:admin" })));
    expect(admin.status).toBe(200);
  });

  it("keeps the event ingest behind its own key, not a bearer token", async () => {
    const token = await h.mint({ tenant: "acme" });
    const res = await fetch(`${h.gateway.url}/events`, {
      method: "POST",
      headers: { "content-type": "application/json", ...h.bearer(token) },
      body: "{}",
    });
    expect(res.status).toBe(401);
  });
});

describe("WebSocket: connection_init must carry valid credentials", () => {
  it("closes the socket with 4401 for each refused credential, before any operation runs", async () => {
    for (const [name, headers] of Object.entries(await attempts())) {
      const { client, closed } = h.ws(headers);
      const run = await h.wsRun(client, PING);
      await until(() => closed.length > 0);
      expect(closed[0]?.code, name).toBe(4401);
      expect(run.results, name).toEqual([]);
    }
  });

  it("closes with 4401 for a subscription and a mutation alike", async () => {
    const arn = await h.channel("ws-anon", "acme");
    for (const query of [LIVE, 'mutation { deleteChannel(input: { arn: "x" }) { __typename } }']) {
      const { client, closed } = h.ws(undefined);
      const run = await h.wsRun(client, query, { arns: [arn] });
      await until(() => closed.length > 0);
      expect(closed[0]?.code).toBe(4401);
      expect(run.results).toEqual([]);
    }
  });

  it("serves a valid token and a valid API key", async () => {
    const jwt = h.ws(h.bearer(await h.mint({ tenant: "acme" })));
    expect((await h.wsRun(jwt.client, PING)).results[0]?.data).toBeTruthy();
    const key = h.ws({ "x-api-key": API_KEY });
    expect((await h.wsRun(key.client, PING)).results[0]?.data).toBeTruthy();
  });

  it("closes a socket when its token expires, ending its subscriptions", async () => {
    const arn = await h.channel("ws-expiring", "acme");
    const token = await h.mint({ tenant: "acme", exp: Math.floor(Date.now() / 1000) + 2 });
    const { client, closed } = h.ws(h.bearer(token));
    const run = h.wsRun(client, LIVE, { arns: [arn] });
    await until(() => closed.length > 0, 8000);
    expect(closed[0]?.code).toBe(4401);
    expect(closed[0]?.reason).toBe("The token has expired");
    await run;
  });
});

describe("logs", () => {
  it("hold none of the secrets used above", async () => {
    expect(await h.leaks()).toEqual([]);
  });
});
