import { ListChannelsCommand } from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { until, useSecureGateway } from "./harness.ts";

const h = useSecureGateway();

const QUERY = "{ channels(first: 5) { edges { node { arn } } } }";
const MUTATION = `mutation ($name: String!) { createChannel(input: { name: $name }) { __typename } }`;
const LIVE = "subscription ($arns: [String!]!) { channelLiveStatus(arns: $arns) { channelArn status } }";
const SECRETS = `query ($arn: String!) { channel(arn: $arn) { streamKeys { value } } }`;
const PASSPHRASE = `query ($arn: String!) { channel(arn: $arn) { srt { passphrase } } }`;

/** A tenant token with exactly these scopes. */
const token = (scope: string) => h.mint({ scope, tenant: "acme", sub: `scopes-${scope || "none"}` });
const forbidden = (text: string) => text.includes('"FORBIDDEN"');

async function created(name: string): Promise<boolean> {
  const out = await h.gateway.ivs.send(new ListChannelsCommand({ filterByName: name }));
  return (out.channels ?? []).length > 0;
}

describe("scopes over HTTP", () => {
  it("queries need ivs:read", async () => {
    const res = await h.post(QUERY, {}, h.bearer(await token("ivs:write ivs:secrets")));
    expect(res.status).toBe(200);
    expect(res.body.data).toBeNull();
    expect(forbidden(JSON.stringify(res.body))).toBe(true);
    const ok = await h.post(QUERY, {}, h.bearer(await token("ivs:read")));
    expect(ok.body.errors).toBeUndefined();
  });

  it("mutations need ivs:write, and a refused one changes nothing", async () => {
    const res = await h.post(
      MUTATION,
      { name: "scope-denied" },
      h.bearer(await token("ivs:read ivs:secrets")),
    );
    expect(forbidden(JSON.stringify(res.body))).toBe(true);
    expect(await created("scope-denied")).toBe(false);
    const ok = await h.post(MUTATION, { name: "scope-allowed" }, h.bearer(await token("ivs:write")));
    expect(ok.body.data).toEqual({ createChannel: { __typename: "CreateChannelPayload" } });
  });

  it("SSE subscriptions need ivs:read", async () => {
    const arn = await h.channel("scope-sse", "acme");
    const res = await fetch(`${h.gateway.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        ...h.bearer(await token("ivs:write")),
      },
      body: JSON.stringify({ query: LIVE, variables: { arns: [arn] } }),
    });
    const text = await res.text();
    expect(forbidden(text)).toBe(true);
    expect(text).not.toContain("OFFLINE");
  });

  it("stream-key values and SRT passphrases need ivs:secrets", async () => {
    const arn = await h.channel("scope-secrets", "acme");
    const reader = h.bearer(await token("ivs:read"));
    for (const query of [SECRETS, PASSPHRASE]) {
      const denied = await h.post(query, { arn }, reader);
      expect(forbidden(JSON.stringify(denied.body)), query).toBe(true);
      expect(JSON.stringify(denied.body)).not.toMatch(/sk_[a-z0-9-]+_/);
    }
    const keys = await h.post<{ channel: { streamKeys: { value: string }[] } }>(
      SECRETS,
      { arn },
      h.bearer(await token("ivs:read ivs:secrets")),
    );
    expect(keys.body.data?.channel.streamKeys[0]?.value).toMatch(/^sk_/);
  });

  it("viewer-session revocation and key-pair import and delete need ivs:admin", async () => {
    const arn = await h.channel("scope-admin", "acme");
    const ADMIN_OPS = [
      `mutation { startViewerSessionRevocation(input: { channelArn: "${arn}", viewerId: "v1" }) { __typename } }`,
      `mutation { batchStartViewerSessionRevocation(input: { viewerSessions: [{ channelArn: "${arn}", viewerId: "v1" }] }) { __typename } }`,
      `mutation { importPlaybackKeyPair(input: { publicKeyMaterial: "x" }) { __typename } }`,
      `mutation { deletePlaybackKeyPair(input: { arn: "arn:aws:ivs:us-west-2:123456789012:playback-key/abcd1234efgh" }) { __typename } }`,
    ];
    const editor = h.bearer(await token("ivs:read ivs:write ivs:secrets"));
    const admin = h.bearer(await h.mint({ scope: "ivs:admin", sub: "operator" }));
    for (const query of ADMIN_OPS) {
      const denied = await h.post(query, {}, editor);
      expect(forbidden(JSON.stringify(denied.body)), query).toBe(true);
      expect(denied.body.data, query).toBeNull();
      const allowed = await h.post(query, {}, admin);
      // Allowed through: IVS's answer (a result or a typed error), not a refusal.
      expect(forbidden(JSON.stringify(allowed.body)), query).toBe(false);
      expect(allowed.body.data, query).toBeTruthy();
    }
  });
});

describe("scopes over WebSocket", () => {
  it("a query, a mutation and a subscription each need their scope", async () => {
    const arn = await h.channel("scope-ws", "acme");
    const writer = h.ws(h.bearer(await token("ivs:write")));
    const reader = h.ws(h.bearer(await token("ivs:read")));
    expect(forbidden((await h.wsRun(writer.client, QUERY)).text)).toBe(true);
    expect(forbidden((await h.wsRun(reader.client, MUTATION, { name: "scope-ws-denied" })).text)).toBe(true);
    expect(await created("scope-ws-denied")).toBe(false);
    const sub = await h.wsRun(writer.client, LIVE, { arns: [arn] });
    expect(forbidden(sub.text)).toBe(true);
    expect(sub.text).not.toContain("OFFLINE");
    expect((await h.wsRun(reader.client, QUERY)).results[0]?.errors).toBeUndefined();
  });
});

describe("subscriptions are authorized for each event, not only at the start", () => {
  it("an SSE subscription whose token expires delivers no further event", async () => {
    const arn = await h.channel("scope-expiring-sse", "acme");
    const short = await h.mint({ tenant: "acme", exp: Math.floor(Date.now() / 1000) + 2 });
    const res = await fetch(`${h.gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...h.bearer(short) },
      body: JSON.stringify({ query: LIVE, variables: { arns: [arn] } }),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();
    await until(() => text.includes("OFFLINE"));
    await new Promise((r) => setTimeout(r, 2600));
    await h.control("/broadcasts/start", { channelArn: arn });
    await until(() => text.includes("UNAUTHENTICATED"), 8000);
    expect(text).not.toContain('"LIVE"');
    await reader.cancel();
    await pump.catch(() => {});
    await h.control("/broadcasts/end", { channelArn: arn });
  });
});

describe("logs", () => {
  it("hold none of the secrets used above", async () => {
    expect(await h.leaks()).toEqual([]);
  });
});
