import { createHash, createPublicKey, generateKeyPairSync } from "node:crypto";
import {
  DeletePlaybackKeyPairCommand,
  GetPlaybackKeyPairCommand,
  ImportPlaybackKeyPairCommand,
  ListPlaybackKeyPairsCommand,
  paginateListPlaybackKeyPairs,
} from "@aws-sdk/client-ivs";
import { afterEach, describe, expect, it } from "vitest";
import { ACCOUNT, expectIvsError, missingArn, REGION, rawPost, uniqueName } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

/** A fresh ES384 key pair, as `openssl ecparam -name secp384r1` would make. */
function p384() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "secp384r1" });
  return {
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

const md5Fingerprint = (pem: string) =>
  (
    createHash("md5")
      .update(createPublicKey(pem).export({ type: "spki", format: "der" }))
      .digest("hex")
      .match(/../g) ?? []
  ).join(":");

describe("playback key pairs", () => {
  const h = useEmulator();
  const imported: string[] = [];
  const importKey = async (
    publicKeyMaterial: string,
    extra: { name?: string; tags?: Record<string, string> } = {},
  ) => {
    const { keyPair } = await h.ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial, ...extra }));
    imported.push(keyPair?.arn as string);
    return keyPair;
  };

  // The account holds at most three pairs, so every test leaves the emulator empty.
  afterEach(async () => {
    for (const arn of imported.splice(0))
      await h.ivs.send(new DeletePlaybackKeyPairCommand({ arn })).catch(() => undefined);
  });

  it("imports a P-384 key and returns arn, name, fingerprint and tags", async () => {
    const { publicPem } = p384();
    const name = uniqueName("key");
    const keyPair = await importKey(publicPem, { name, tags: { use: "tokens" } });
    expect(keyPair).toEqual({
      arn: expect.stringMatching(new RegExp(`^arn:aws:ivs:${REGION}:${ACCOUNT}:playback-key/[a-zA-Z0-9-]+$`)),
      name,
      fingerprint: md5Fingerprint(publicPem),
      tags: { use: "tokens" },
    });
    expect(keyPair?.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  });

  it('defaults name to "" and tags to {}', async () => {
    const keyPair = await importKey(p384().publicPem);
    expect(keyPair).toMatchObject({ name: "", tags: {} });
  });

  it("never returns the key material", async () => {
    const { publicPem } = p384();
    const raw = await rawPost(h.emulator, "ImportPlaybackKeyPair", { publicKeyMaterial: publicPem });
    expect(raw.status).toBe(200);
    const arn = (raw.body.keyPair as { arn: string }).arn;
    imported.push(arn);
    const got = await rawPost(h.emulator, "GetPlaybackKeyPair", { arn });
    const listed = await rawPost(h.emulator, "ListPlaybackKeyPairs", {});
    for (const body of [raw.body, got.body, listed.body]) expect(JSON.stringify(body)).not.toContain("BEGIN");
    expect(Object.keys(got.body.keyPair as object).sort()).toEqual(["arn", "fingerprint", "name", "tags"]);
  });

  it("GetPlaybackKeyPair returns the pair; List returns summaries without the fingerprint", async () => {
    const keyPair = await importKey(p384().publicPem, { name: uniqueName("get") });
    const got = await h.ivs.send(new GetPlaybackKeyPairCommand({ arn: keyPair?.arn }));
    expect(got.keyPair).toEqual(keyPair);
    const raw = await rawPost(h.emulator, "ListPlaybackKeyPairs", {});
    expect(raw.body.keyPairs).toEqual([{ arn: keyPair?.arn, name: keyPair?.name, tags: {} }]);
  });

  it.each([
    ["an RSA key", () => generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey],
    ["a P-256 key", () => generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey],
    ["an Ed25519 key", () => generateKeyPairSync("ed25519").publicKey],
  ])("rejects %s with a ValidationException naming publicKeyMaterial", async (_label, make) => {
    const pem = make().export({ type: "spki", format: "pem" }).toString();
    await expectIvsError(
      h.ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: pem })),
      "ValidationException",
      400,
      "publicKeyMaterial",
      "P-384",
    );
  });

  it.each([
    ["garbage", "not a key"],
    ["a private key", p384().privatePem],
    ["a corrupted PEM body", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"],
    ["an empty string", ""],
  ])("rejects %s with a ValidationException naming publicKeyMaterial", async (_label, material) => {
    await expectIvsError(
      h.ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: material })),
      "ValidationException",
      400,
      "publicKeyMaterial",
    );
  });

  it("requires publicKeyMaterial and validates the name", async () => {
    await expectIvsError(
      h.ivs.send(new ImportPlaybackKeyPairCommand({} as never)),
      "ValidationException",
      400,
      "publicKeyMaterial",
    );
    await expectIvsError(
      h.ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: p384().publicPem, name: "a b" })),
      "ValidationException",
      400,
      "name",
    );
  });

  it("409s when the same key is imported again, even with other line endings", async () => {
    const { publicPem } = p384();
    const first = await importKey(publicPem);
    const crlf = publicPem.replace(/\n/g, "\r\n");
    await expectIvsError(
      h.ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: crlf })),
      "ConflictException",
      409,
      first?.arn as string,
    );
  });

  it("402s on the fourth pair and accepts one again after a delete", async () => {
    const pairs = [];
    for (let i = 0; i < 3; i++) pairs.push(await importKey(p384().publicPem));
    await expectIvsError(
      h.ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: p384().publicPem })),
      "ServiceQuotaExceededException",
      402,
      "3",
    );
    await h.ivs.send(new DeletePlaybackKeyPairCommand({ arn: pairs[0]?.arn }));
    expect((await importKey(p384().publicPem))?.arn).toBeDefined();
  });

  it("deletes with HTTP 200, after which the pair is gone", async () => {
    const keyPair = await importKey(p384().publicPem);
    const out = await h.ivs.send(new DeletePlaybackKeyPairCommand({ arn: keyPair?.arn }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    await expectIvsError(
      h.ivs.send(new GetPlaybackKeyPairCommand({ arn: keyPair?.arn })),
      "ResourceNotFoundException",
      404,
    );
    await expectIvsError(
      h.ivs.send(new DeletePlaybackKeyPairCommand({ arn: keyPair?.arn })),
      "ResourceNotFoundException",
      404,
    );
  });

  it("404s and 400s for unknown and malformed ARNs", async () => {
    const arn = missingArn("playback-key");
    await expectIvsError(
      h.ivs.send(new GetPlaybackKeyPairCommand({ arn })),
      "ResourceNotFoundException",
      404,
      arn,
    );
    await expectIvsError(
      h.ivs.send(new GetPlaybackKeyPairCommand({ arn: missingArn("channel") })),
      "ValidationException",
      400,
      "arn",
    );
  });

  it("pages with the paginator and explicit tokens; rejects bad tokens and sizes", async () => {
    const arns = [];
    for (let i = 0; i < 3; i++) arns.push((await importKey(p384().publicPem))?.arn);
    const seen: (string | undefined)[] = [];
    let pages = 0;
    for await (const page of paginateListPlaybackKeyPairs({ client: h.ivs, pageSize: 1 }, {})) {
      pages++;
      seen.push(...(page.keyPairs ?? []).map((k) => k.arn));
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(arns);

    const first = await h.ivs.send(new ListPlaybackKeyPairsCommand({ maxResults: 2 }));
    const rest = await h.ivs.send(new ListPlaybackKeyPairsCommand({ nextToken: first.nextToken }));
    expect([...(first.keyPairs ?? []), ...(rest.keyPairs ?? [])].map((k) => k.arn)).toEqual(arns);
    expect(rest.nextToken).toBeUndefined();

    const list = (input: { maxResults?: number; nextToken?: string }) =>
      h.ivs.send(new ListPlaybackKeyPairsCommand(input));
    await expectIvsError(list({ maxResults: 0 }), "ValidationException", 400, "maxResults");
    await expectIvsError(list({ maxResults: 101 }), "ValidationException", 400, "maxResults");
    await expectIvsError(list({ nextToken: "x".repeat(1025) }), "ValidationException", 400, "nextToken");
    await expectIvsError(
      list({ nextToken: "eyJvIjoiTGlzdENoYW5uZWxzIiwiYSI6MX0" }),
      "ValidationException",
      400,
      "nextToken",
    );
  });
});
