import { generateKeyPairSync } from "node:crypto";
import { paginateListPlaybackKeyPairs } from "@aws-sdk/client-ivs";
import { beforeEach, describe, expect, it } from "vitest";
import { type GatewayHarness, useGateway } from "./harness.ts";

const IMPORT = `mutation ($input: ImportPlaybackKeyPairInput!) {
  importPlaybackKeyPair(input: $input) {
    __typename
    ... on PlaybackKeyPair { id arn name fingerprint tags { key value } }
    ... on Error { message }
    ... on ValidationError { field }
  }
}`;

const DELETE = `mutation ($arn: String!) {
  deletePlaybackKeyPair(input: { arn: $arn }) {
    __typename
    ... on DeletePlaybackKeyPairPayload { deletedId arn }
    ... on NotFoundError { missingArn: arn }
  }
}`;

const GET = `query ($arn: String!) { playbackKeyPair(arn: $arn) { id arn name fingerprint } }`;
const MISSING = "arn:aws:ivs:us-west-2:123456789012:playback-key/missing00000";

type Result = Record<string, unknown> & { __typename: string };

const publicPem = (namedCurve = "secp384r1") =>
  generateKeyPairSync("ec", { namedCurve }).publicKey.export({ type: "spki", format: "pem" }).toString();

async function importKey(h: GatewayHarness, input: Record<string, unknown> = {}): Promise<Result> {
  const res = await h.gql<{ importPlaybackKeyPair: Result }>(IMPORT, {
    input: { publicKeyMaterial: publicPem(), ...input },
  });
  expect(res.errors).toBeUndefined();
  return res.data?.importPlaybackKeyPair as Result;
}

describe("playback key pairs", () => {
  const h = useGateway({ limits: { playbackKeyPairs: 100 } });
  beforeEach(() => h.resetCounts());

  it("imports a P-384 public key and returns the key pair with its fingerprint", async () => {
    const pair = await importKey(h, { name: "signer", tags: [{ key: "team", value: "video" }] });
    expect(pair).toMatchObject({
      __typename: "PlaybackKeyPair",
      arn: expect.stringMatching(/^arn:aws:ivs:us-west-2:123456789012:playback-key\//),
      name: "signer",
      fingerprint: expect.stringMatching(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/),
      tags: [{ key: "team", value: "video" }],
    });
    const node = await h.gql<{ node: Result }>(
      `query ($id: ID!) { node(id: $id) { __typename ... on PlaybackKeyPair { arn fingerprint } } }`,
      { id: pair.id },
    );
    expect(node.data?.node).toEqual({
      __typename: "PlaybackKeyPair",
      arn: pair.arn,
      fingerprint: pair.fingerprint,
    });
  });

  it("looks a key pair up by ARN; null when missing or malformed", async () => {
    const pair = await importKey(h);
    expect((await h.gql(GET, { arn: pair.arn })).data).toEqual({
      playbackKeyPair: { id: pair.id, arn: pair.arn, name: "", fingerprint: pair.fingerprint },
    });
    expect((await h.gql(GET, { arn: MISSING })).data).toEqual({ playbackKeyPair: null });
    await h.resetCounts();
    expect((await h.gql(GET, { arn: "not-an-arn" })).data).toEqual({ playbackKeyPair: null });
    expect(h.count("GetPlaybackKeyPair")).toBe(0);
  });

  it("refuses key material IVS would refuse, naming the field, without calling IVS", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ publicKeyMaterial: "not a key" }, "input.publicKeyMaterial"],
      [{ publicKeyMaterial: publicPem("prime256v1") }, "input.publicKeyMaterial"],
      [{ name: "bad name!" }, "input.name"],
      [{ tags: [{ key: "", value: "x" }] }, "input.tags.key"],
    ];
    for (const [input, field] of cases)
      expect(await importKey(h, input), field).toMatchObject({ __typename: "ValidationError", field });
    expect(h.count("ImportPlaybackKeyPair")).toBe(0);
  });

  it("returns ConflictError when the same public key is imported twice", async () => {
    const publicKeyMaterial = publicPem();
    expect(await importKey(h, { publicKeyMaterial })).toMatchObject({ __typename: "PlaybackKeyPair" });
    expect(await importKey(h, { publicKeyMaterial })).toMatchObject({
      __typename: "ConflictError",
      message: expect.stringContaining("already been imported"),
    });
  });

  it("pages through key pairs with their fingerprints (absent from list summaries) from the mirror", async () => {
    for (let i = 0; i < 3; i++) await importKey(h);
    await h.resetCounts();
    const summary = await h.gql<{ playbackKeyPairs: Connection }>(
      `{ playbackKeyPairs(first: 100) { edges { node { arn name } } } }`,
    );
    expect(h.count("GetPlaybackKeyPair")).toBe(0);
    const total = summary.data?.playbackKeyPairs.edges.length ?? 0;

    const seen: { arn: string; fingerprint: string }[] = [];
    let after: string | null = null;
    do {
      const res: { data?: { playbackKeyPairs: Connection } } = await h.gql(
        `query ($after: String) { playbackKeyPairs(first: 2, after: $after) {
          edges { node { arn fingerprint } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      const conn = res.data?.playbackKeyPairs as Connection;
      seen.push(...conn.edges.map((e) => e.node as { arn: string; fingerprint: string }));
      after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toHaveLength(total);
    for (const pair of seen) expect(pair.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect(h.count("GetPlaybackKeyPair")).toBe(0);
    expect(h.count("ListPlaybackKeyPairs")).toBe(0);

    const all: string[] = [];
    for await (const page of paginateListPlaybackKeyPairs({ client: h.ivs }, {}))
      all.push(...(page.keyPairs ?? []).map((p) => p.arn as string));
    expect(seen.map((p) => p.arn)).toEqual([...all].sort());
  });

  it("reports a cursor it did not issue as a BAD_USER_INPUT error naming `after`", async () => {
    const res = await h.gql(`{ playbackKeyPairs(after: "garbage") { edges { node { arn } } } }`);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
    expect(h.count("ListPlaybackKeyPairs")).toBe(0);
  });

  it("deletes a key pair, returning its ARN and global id; deleting again is NotFoundError", async () => {
    const pair = await importKey(h);
    const res = await h.gql<{ deletePlaybackKeyPair: Result }>(DELETE, { arn: pair.arn });
    expect(res.data?.deletePlaybackKeyPair).toEqual({
      __typename: "DeletePlaybackKeyPairPayload",
      deletedId: pair.id,
      arn: pair.arn,
    });
    expect((await h.gql(GET, { arn: pair.arn })).data).toEqual({ playbackKeyPair: null });
    const again = await h.gql<{ deletePlaybackKeyPair: Result }>(DELETE, { arn: pair.arn });
    expect(again.data?.deletePlaybackKeyPair).toEqual({ __typename: "NotFoundError", missingArn: pair.arn });
  });
});

describe("playback key pairs at the account quota (3)", () => {
  const h = useGateway();

  it("returns QuotaExceededError for the fourth key pair", async () => {
    for (let i = 0; i < 3; i++) expect(await importKey(h)).toMatchObject({ __typename: "PlaybackKeyPair" });
    expect(await importKey(h)).toMatchObject({ __typename: "QuotaExceededError" });
  });
});

interface Connection {
  edges: { node: Record<string, unknown> & { arn: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
