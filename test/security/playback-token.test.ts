import { createPrivateKey, createPublicKey, verify } from "node:crypto";
import { UpdateChannelCommand } from "@aws-sdk/client-ivs";
import { decodeProtectedHeader, importSPKI, jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { PLAYBACK_PEM, useSecureGateway } from "./harness.ts";

const h = useSecureGateway();
const off = useSecureGateway({ PLAYBACK_PRIVATE_KEY: "" });

const CREATE = `mutation ($input: CreatePlaybackTokenInput!) { createPlaybackToken(input: $input) {
  __typename
  ... on PlaybackToken { token expiresAt channelArn playbackUrl singleUseId }
  ... on ValidationError { field message }
  ... on NotFoundError { arn }
} }`;
type Result = { createPlaybackToken: Record<string, string> };
const PUBLIC_PEM = createPublicKey(createPrivateKey(PLAYBACK_PEM))
  .export({ type: "spki", format: "pem" })
  .toString();

let channelArn = "";
let acme: Record<string, string> = {};
const issue = async (input: Record<string, unknown>, headers = acme) =>
  (await h.post<Result>(CREATE, { input: { channelArn, ...input } }, headers)).body;

beforeAll(async () => {
  channelArn = await h.channel("acme-private", "acme");
  await h.gateway.ivs.send(new UpdateChannelCommand({ arn: channelArn, authorized: true }));
  acme = h.bearer(await h.mint({ scope: "ivs:read ivs:write", tenant: "acme", sub: "acme-backend" }));
});

describe("importing the signing key's public half", () => {
  it("takes the PEM derived from PLAYBACK_PRIVATE_KEY (an administrator's operation)", async () => {
    const admin = h.bearer(await h.mint({ scope: "ivs:admin", sub: "operator" }));
    const res = await h.post<{ importPlaybackKeyPair: { __typename: string; fingerprint: string } }>(
      `mutation ($pem: String!) { importPlaybackKeyPair(input: { publicKeyMaterial: $pem, name: "gateway" }) {
        __typename ... on PlaybackKeyPair { fingerprint } } }`,
      { pem: PUBLIC_PEM },
      admin,
    );
    expect(res.body.data?.importPlaybackKeyPair.__typename).toBe("PlaybackKeyPair");
    expect(res.body.data?.importPlaybackKeyPair.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  });
});

describe("createPlaybackToken", () => {
  it("issues an ES384 token with IVS's claims that the imported public key verifies", async () => {
    const before = Math.floor(Date.now() / 1000);
    const input = {
      viewerId: "viewer-42",
      origins: ["https://watch.example.com", "https://*.example.org"],
      strictOriginEnforcement: true,
      singleUse: true,
      viewerSessionVersion: 7,
      maximumResolution: "HD",
      expiresInSeconds: 300,
    };
    const out = (await issue(input)).data?.createPlaybackToken ?? {};
    expect(out.__typename).toBe("PlaybackToken");
    expect(decodeProtectedHeader(out.token as string)).toEqual({ alg: "ES384", typ: "JWT" });
    const { payload } = await jwtVerify(out.token as string, await importSPKI(PUBLIC_PEM, "ES384"));
    expect(payload).toEqual({
      "aws:channel-arn": channelArn,
      "aws:access-control-allow-origin": "https://watch.example.com,https://*.example.org",
      "aws:strict-origin-enforcement": true,
      "aws:single-use-uuid": out.singleUseId,
      "aws:viewer-id": "viewer-42",
      "aws:viewer-session-version": 7,
      "aws:maximum-resolution": "HD",
      exp: expect.any(Number),
    });
    expect(payload.exp).toBeGreaterThanOrEqual(before + 300);
    expect(payload.exp).toBeLessThanOrEqual(before + 302);
    // As IVS checks it: SHA-384 over header.payload, raw R||S signature (IEEE P1363).
    const [head, body, signature] = (out.token as string).split(".");
    const ok = verify(
      "sha384",
      Buffer.from(`${head}.${body}`),
      { key: PUBLIC_PEM, dsaEncoding: "ieee-p1363" },
      Buffer.from(signature as string, "base64url"),
    );
    expect(ok).toBe(true);
    expect(out.playbackUrl).toMatch(/\.m3u8\?token=ey/);
    expect(new Date(out.expiresAt as string).getTime() / 1000).toBe(payload.exp);
  });

  it.each([
    [{ viewerId: "v", expiresInSeconds: 601 }, "input.expiresInSeconds"],
    [{ singleUse: true, expiresInSeconds: 601 }, "input.expiresInSeconds"],
    [{ expiresInSeconds: 86_401 }, "input.expiresInSeconds"],
    [{ expiresInSeconds: 0 }, "input.expiresInSeconds"],
    [{ viewerId: "v".repeat(41) }, "input.viewerId"],
    [{ viewerSessionVersion: 1 }, "input.viewerSessionVersion"],
    [
      {
        strictOriginEnforcement: true,
        origins: ["a", "b", "c", "d", "e", "f"].map((s) => `https://${s}.com`),
      },
      "input.origins",
    ],
    [{ strictOriginEnforcement: true }, "input.origins"],
    [{ origins: ["https://example.com/path"] }, "input.origins[0]"],
    [{ origins: ["https://a.com,https://b.com"] }, "input.origins[0]"],
  ])("enforces IVS's bounds: %j → ValidationError on %s", async (input, field) => {
    const out = (await issue(input)).data?.createPlaybackToken;
    expect(out).toMatchObject({ __typename: "ValidationError", field });
  });

  it("allows a longer lifetime only without viewer id or single use", async () => {
    const out = (await issue({ expiresInSeconds: 3600 })).data?.createPlaybackToken;
    expect(out?.__typename).toBe("PlaybackToken");
  });

  it("needs ivs:write and a channel the caller can see", async () => {
    const reader = h.bearer(await h.mint({ scope: "ivs:read", tenant: "acme", sub: "acme-reader" }));
    expect(JSON.stringify(await issue({}, reader))).toContain("FORBIDDEN");
    const admin = h.bearer(await h.mint({ scope: "ivs:write ivs:admin", sub: "operator" }));
    const missing = "arn:aws:ivs:us-west-2:123456789012:channel/doesNotExist";
    const out = (await h.post<Result>(CREATE, { input: { channelArn: missing } }, admin)).body.data;
    expect(out?.createPlaybackToken).toEqual({ __typename: "NotFoundError", arn: missing });
  });

  it("is off without PLAYBACK_PRIVATE_KEY", async () => {
    const arn = await off.channel("no-key", "acme");
    const auth = off.bearer(await off.mint({ scope: "ivs:write", tenant: "acme" }));
    const res = await off.post(CREATE, { input: { channelArn: arn } }, auth);
    expect(res.body.errors?.[0]?.extensions?.code).toBe("PLAYBACK_TOKENS_OFF");
  });
});

describe("logs", () => {
  it("hold none of the secrets used above, issued tokens included", async () => {
    expect([...h.secrets].filter((s) => s.startsWith("ey")).length).toBeGreaterThan(3);
    expect(await h.leaks()).toEqual([]);
    expect(await off.leaks()).toEqual([]);
  });
});
