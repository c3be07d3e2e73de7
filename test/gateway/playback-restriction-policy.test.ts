import { CreateChannelCommand, paginateListPlaybackRestrictionPolicies } from "@aws-sdk/client-ivs";
import { beforeEach, describe, expect, it } from "vitest";
import { type GatewayHarness, useGateway } from "./harness.ts";

const FIELDS = "id arn name allowedCountries allowedOrigins enableStrictOriginEnforcement tags { key value }";
const RESULT = `__typename
    ... on PlaybackRestrictionPolicy { ${FIELDS} }
    ... on Error { message }
    ... on ValidationError { field }
    ... on NotFoundError { missingArn: arn }`;

const CREATE = `mutation ($input: CreatePlaybackRestrictionPolicyInput!) {
  createPlaybackRestrictionPolicy(input: $input) { ${RESULT} }
}`;
const UPDATE = `mutation ($input: UpdatePlaybackRestrictionPolicyInput!) {
  updatePlaybackRestrictionPolicy(input: $input) { ${RESULT} }
}`;
const DELETE = `mutation ($arn: String!) {
  deletePlaybackRestrictionPolicy(input: { arn: $arn }) {
    __typename
    ... on DeletePlaybackRestrictionPolicyPayload { deletedId arn }
    ... on Error { message }
    ... on NotFoundError { missingArn: arn }
  }
}`;
const GET = `query ($arn: String!) { playbackRestrictionPolicy(arn: $arn) { ${FIELDS} } }`;
const MISSING = "arn:aws:ivs:us-west-2:123456789012:playback-restriction-policy/missing00000";

type Result = Record<string, unknown> & { __typename: string };

async function create(h: GatewayHarness, input: Record<string, unknown> = {}): Promise<Result> {
  const res = await h.gql<{ createPlaybackRestrictionPolicy: Result }>(CREATE, { input });
  expect(res.errors).toBeUndefined();
  return res.data?.createPlaybackRestrictionPolicy as Result;
}

async function update(h: GatewayHarness, input: Record<string, unknown>): Promise<Result> {
  const res = await h.gql<{ updatePlaybackRestrictionPolicy: Result }>(UPDATE, { input });
  expect(res.errors).toBeUndefined();
  return res.data?.updatePlaybackRestrictionPolicy as Result;
}

describe("playback restriction policies", () => {
  const h = useGateway();
  beforeEach(() => h.resetCounts());

  it("creates a policy with IVS's defaults (everything allowed)", async () => {
    expect(await create(h)).toMatchObject({
      __typename: "PlaybackRestrictionPolicy",
      arn: expect.stringMatching(/:playback-restriction-policy\//),
      name: "",
      allowedCountries: [],
      allowedOrigins: [],
      enableStrictOriginEnforcement: false,
      tags: [],
    });
  });

  it("creates a restrictive policy and finds it by ARN and global id", async () => {
    const policy = await create(h, {
      name: "eu-only",
      allowedCountries: ["DE", "FR"],
      allowedOrigins: ["https://example.com"],
      enableStrictOriginEnforcement: true,
      tags: [{ key: "env", value: "prod" }],
    });
    const { __typename, ...fields } = policy;
    expect(fields).toMatchObject({ allowedCountries: ["DE", "FR"], enableStrictOriginEnforcement: true });
    expect((await h.gql(GET, { arn: policy.arn })).data).toEqual({ playbackRestrictionPolicy: fields });
    const node = await h.gql<{ node: Result }>(
      `query ($id: ID!) { node(id: $id) { ... on PlaybackRestrictionPolicy { name } } }`,
      { id: policy.id },
    );
    expect(node.data?.node).toEqual({ name: "eu-only" });
  });

  it("answers null for a missing or malformed ARN (the malformed one without a request)", async () => {
    // What the mirror lacks is asked for once, then remembered as missing; a malformed ARN never is.
    expect((await h.gql(GET, { arn: MISSING })).data).toEqual({ playbackRestrictionPolicy: null });
    expect(h.count("GetPlaybackRestrictionPolicy")).toBe(1);
    expect((await h.gql(GET, { arn: MISSING })).data).toEqual({ playbackRestrictionPolicy: null });
    expect((await h.gql(GET, { arn: "arn:aws:ivs:x" })).data).toEqual({ playbackRestrictionPolicy: null });
    expect(h.count("GetPlaybackRestrictionPolicy")).toBe(1);
  });

  it("updates only the members given; an empty list allows all again", async () => {
    const policy = await create(h, {
      name: "before",
      allowedCountries: ["US"],
      allowedOrigins: ["https://a.io"],
    });
    expect(await update(h, { arn: policy.arn, name: "after" })).toMatchObject({
      name: "after",
      allowedCountries: ["US"],
      allowedOrigins: ["https://a.io"],
    });
    expect(
      await update(h, { arn: policy.arn, allowedCountries: [], enableStrictOriginEnforcement: true }),
    ).toMatchObject({
      name: "after",
      allowedCountries: [],
      enableStrictOriginEnforcement: true,
    });
    // The update's result replaces what an earlier read in the same request may have cached.
    expect((await h.gql(GET, { arn: policy.arn })).data).toMatchObject({
      playbackRestrictionPolicy: { name: "after", allowedCountries: [] },
    });
  });

  it("returns NotFoundError when updating a missing policy", async () => {
    expect(await update(h, { arn: MISSING, name: "x" })).toEqual({
      __typename: "NotFoundError",
      message: expect.any(String),
      missingArn: MISSING,
    });
  });

  it("refuses bad input naming the field, without calling IVS", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ allowedCountries: ["USA"] }, "input.allowedCountries[0]"],
      [{ allowedOrigins: ["https://ok.io", `https://${"a".repeat(130)}.io`] }, "input.allowedOrigins[1]"],
      [{ name: "no spaces" }, "input.name"],
    ];
    for (const [input, field] of cases) {
      expect(await create(h, input), field).toMatchObject({ __typename: "ValidationError", field });
      expect(await update(h, { arn: MISSING, ...input }), field).toMatchObject({
        __typename: "ValidationError",
        field,
      });
    }
    expect(await update(h, { arn: "bad" })).toMatchObject({
      __typename: "ValidationError",
      field: "input.arn",
    });
    expect(h.count("CreatePlaybackRestrictionPolicy")).toBe(0);
    expect(h.count("UpdatePlaybackRestrictionPolicy")).toBe(0);
  });

  it("pages with first/after from the mirror, in ARN order", async () => {
    for (let i = 0; i < 5; i++) await create(h, { name: `page-${i}` });
    await h.resetCounts();
    const first = await h.gql<{ playbackRestrictionPolicies: Connection }>(
      `{ playbackRestrictionPolicies(first: 4) { edges { node { arn } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(first.data?.playbackRestrictionPolicies.edges).toHaveLength(4);

    const seen = first.data?.playbackRestrictionPolicies.edges.map((e) => e.node.arn) ?? [];
    let after = first.data?.playbackRestrictionPolicies.pageInfo.endCursor ?? null;
    while (after) {
      const res: { data?: { playbackRestrictionPolicies: Connection } } = await h.gql(
        `query ($after: String) { playbackRestrictionPolicies(first: 4, after: $after) {
          edges { node { arn } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      const conn = res.data?.playbackRestrictionPolicies as Connection;
      seen.push(...conn.edges.map((e) => e.node.arn));
      after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
    }
    expect(h.count("ListPlaybackRestrictionPolicies")).toBe(0);
    const all: string[] = [];
    for await (const page of paginateListPlaybackRestrictionPolicies({ client: h.ivs }, { maxResults: 100 }))
      all.push(...(page.playbackRestrictionPolicies ?? []).map((p) => p.arn as string));
    expect(all.length).toBeGreaterThan(4);
    expect(seen).toEqual([...all].sort());
  });

  it("answers lookups of one policy from the mirror, node(id) included", async () => {
    const policy = await create(h);
    await h.resetCounts();
    const res = await h.gql(
      `query ($arn: String!, $id: ID!) { a: playbackRestrictionPolicy(arn: $arn) { name }
        b: playbackRestrictionPolicy(arn: $arn) { arn } c: node(id: $id) { id } }`,
      { arn: policy.arn, id: policy.id },
    );
    expect(res).toEqual({ data: { a: { name: "" }, b: { arn: policy.arn }, c: { id: policy.id } } });
    expect(h.count("GetPlaybackRestrictionPolicy")).toBe(0);
  });

  it("lists the channels the policy restricts", async () => {
    const policy = await create(h);
    const out = await h.ivs.send(
      new CreateChannelCommand({ playbackRestrictionPolicyArn: policy.arn as string }),
    );
    await h.ivs.send(new CreateChannelCommand({}));
    const res = await h.gql(
      `query ($arn: String!) { playbackRestrictionPolicy(arn: $arn) { channels { edges { node { arn } } } } }`,
      { arn: policy.arn },
    );
    expect(res.data).toEqual({
      playbackRestrictionPolicy: { channels: { edges: [{ node: { arn: out.channel?.arn } }] } },
    });
  });

  it("deletes a policy, returning its ARN and global id; ConflictError while a channel uses it", async () => {
    const used = await create(h);
    await h.ivs.send(new CreateChannelCommand({ playbackRestrictionPolicyArn: used.arn as string }));
    const conflict = await h.gql<{ deletePlaybackRestrictionPolicy: Result }>(DELETE, { arn: used.arn });
    expect(conflict.data?.deletePlaybackRestrictionPolicy).toMatchObject({ __typename: "ConflictError" });

    const policy = await create(h);
    const res = await h.gql<{ deletePlaybackRestrictionPolicy: Result }>(DELETE, { arn: policy.arn });
    expect(res.data?.deletePlaybackRestrictionPolicy).toEqual({
      __typename: "DeletePlaybackRestrictionPolicyPayload",
      deletedId: policy.id,
      arn: policy.arn,
    });
    const again = await h.gql<{ deletePlaybackRestrictionPolicy: Result }>(DELETE, { arn: policy.arn });
    expect(again.data?.deletePlaybackRestrictionPolicy).toMatchObject({
      __typename: "NotFoundError",
      missingArn: policy.arn,
    });
  });
});

describe("playback restriction policies at the account quota", () => {
  const h = useGateway({ limits: { playbackRestrictionPolicies: 1 } });

  it("returns QuotaExceededError", async () => {
    expect(await create(h)).toMatchObject({ __typename: "PlaybackRestrictionPolicy" });
    expect(await create(h)).toMatchObject({ __typename: "QuotaExceededError" });
  });
});

interface Connection {
  edges: { node: { arn: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
