import { randomBytes, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../budget/harness.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const redis = new Redis(REDIS_URL);
const prefix = `test-audit-${randomUUID()}:`;
const SECRET = `audit-jwt-${randomBytes(16).toString("hex")}`;
const AUTH = { AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: "https://id.example.test/", AUTH_AUDIENCE: "audit" };
const SHARED = { ...AUTH, REDIS_URL, REDIS_KEY_PREFIX: prefix, AUDIT_MAX_RECORDS: "100" };
const ALIASES = 15;

const AUDIT = `query ($first: Int, $filter: AuditEventFilter) { auditEvents(first: $first, filter: $filter) {
  edges { node { principal operation resourceArn outcome errorCode requestId ivsOperations { operation requestId outcome } } }
  pageInfo { hasNextPage } } }`;

interface AuditEvent {
  principal: string;
  operation: string;
  resourceArn: string | null;
  outcome: string;
  errorCode: string | null;
  requestId: string;
  ivsOperations: { operation: string; requestId: string | null; outcome: string }[];
}
interface AuditPage {
  auditEvents: { edges: { node: AuditEvent }[]; pageInfo: { hasNextPage: boolean } };
}
interface Body<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

function mint(sub: string, scope: string): Promise<string> {
  return new SignJWT({ scope })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuer(AUTH.AUTH_ISSUER)
    .setAudience(AUTH.AUTH_AUDIENCE)
    .setExpirationTime("10m")
    .sign(new TextEncoder().encode(SECRET));
}

async function post<T>(g: RunningGateway, token: string, query: string, variables = {}) {
  const res = await fetch(`${g.gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { requestId: res.headers.get("x-request-id"), body: (await res.json()) as Body<T> };
}

/** Every string in the audit stream's entries. */
async function streamText(): Promise<string> {
  const entries = await redis.xrange(`${prefix}audit`, "-", "+");
  return entries.flatMap(([, fields]) => fields).join("\n");
}

describe("the audit trail on Redis, shared by replicas", () => {
  let one: RunningGateway;
  let two: RunningGateway;
  const tokens = { alice: "", bob: "", root: "" };

  beforeAll(async () => {
    tokens.alice = await mint("alice", "ivs:read ivs:write ivs:secrets");
    tokens.bob = await mint("bob", "ivs:read ivs:write");
    tokens.root = await mint("root", "ivs:read ivs:write ivs:secrets ivs:admin");
    one = await startGateway(SHARED);
    two = await startGateway({ ...SHARED, IVS_ENDPOINT: one.emulatorUrl, IVS_ANONYMOUS: "true" });
  }, 30_000);

  afterAll(async () => {
    await two?.stop();
    await one?.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  const audit = async (g: RunningGateway, variables: Record<string, unknown>) => {
    const res = await post<AuditPage>(g, tokens.root, AUDIT, variables);
    expect(res.body.errors).toBeUndefined();
    return res.body.data?.auditEvents as AuditPage["auditEvents"];
  };

  it("shows a mutation made on one replica to another, with its principal", async () => {
    const created = await post<{
      createChannel: { channel: { arn: string }; streamKey: { value: string } };
    }>(
      one,
      tokens.alice,
      `mutation { createChannel(input: { name: "replicated" }) {
        ... on CreateChannelPayload { channel { arn } streamKey { value } } } }`,
    );
    expect(created.body.errors).toBeUndefined();
    const arn = created.body.data?.createChannel.channel.arn as string;
    const value = created.body.data?.createChannel.streamKey.value as string;
    expect(value).toMatch(/^sk_/);

    const seen = await audit(two, { first: 10, filter: { resourceArn: arn } });
    expect(seen.edges.map((e) => e.node)).toEqual([
      {
        principal: "jwt:alice",
        operation: "createChannel",
        resourceArn: arn,
        outcome: "OK",
        errorCode: null,
        requestId: created.requestId,
        ivsOperations: [{ operation: "CreateChannel", requestId: expect.any(String), outcome: "OK" }],
      },
    ]);

    const deleted = await post(
      two,
      tokens.bob,
      `mutation ($arn: String!) {
      deleteChannel(input: { arn: $arn }) { __typename } }`,
      { arn },
    );
    expect(deleted.body.errors).toBeUndefined();
    const both = await audit(one, { first: 10, filter: { resourceArn: arn } });
    expect(both.edges.map((e) => [e.node.principal, e.node.operation, e.node.outcome])).toEqual([
      ["jwt:bob", "deleteChannel", "OK"],
      ["jwt:alice", "createChannel", "OK"],
    ]);

    const stored = await streamText();
    expect(stored).toContain(arn);
    for (const secret of [value, ...Object.values(tokens), SECRET])
      expect(stored.includes(secret)).toBe(false);
  });

  it("keeps AUDIT_MAX_RECORDS records in a capped stream", async () => {
    // 150 createChannel calls refused before any IVS call (a bad name): cheap, and each one a record.
    const batch = `mutation { ${Array.from(
      { length: ALIASES },
      (_, i) => `c${i}: createChannel(input: { name: "bad name!" }) { __typename }`,
    ).join(" ")} }`;
    for (let i = 0; i < 150 / ALIASES; i++) {
      const res = await post<Record<string, { __typename: string }>>(one, tokens.alice, batch);
      expect(res.body.errors).toBeUndefined();
      expect(Object.values(res.body.data ?? {}).map((r) => r.__typename)).toEqual(
        Array.from({ length: ALIASES }, () => "ValidationError"),
      );
    }
    expect(await redis.xlen(`${prefix}audit`)).toBe(100);
    const page = await audit(two, { first: 100 });
    expect(page.edges).toHaveLength(100);
    expect(page.pageInfo.hasNextPage).toBe(false);
    // The oldest went first: what is left is the last 100 refusals, not the earlier changes.
    expect(
      new Set(page.edges.map((e) => `${e.node.operation} ${e.node.outcome} ${e.node.errorCode}`)),
    ).toEqual(new Set(["createChannel ValidationError BAD_USER_INPUT"]));
    expect(page.edges.every((e) => e.node.ivsOperations.length === 0 && e.node.resourceArn === null)).toBe(
      true,
    );
  });
});
