import { beforeAll, describe, expect, it } from "vitest";
import { ALL, useSecureGateway } from "../security/harness.ts";

const MISSING = "arn:aws:ivs:us-west-2:123456789012:channel/ZZZZZZZZZZZZ";
const CLOUDTRAIL = "AWS API Call via CloudTrail";

const EVENT_FIELDS = `id time principal principalKind tenant operation resourceArn outcome errorCode requestId
  ivsOperations { operation requestId outcome } job { id item }`;
const AUDIT = `query ($first: Int, $after: String, $filter: AuditEventFilter) {
  auditEvents(first: $first, after: $after, filter: $filter) {
    edges { cursor node { ${EVENT_FIELDS} } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  } }`;

interface AuditEvent {
  id: string;
  time: string;
  principal: string;
  principalKind: string;
  tenant: string | null;
  operation: string;
  resourceArn: string | null;
  outcome: string;
  errorCode: string | null;
  requestId: string;
  ivsOperations: { operation: string; requestId: string | null; outcome: string }[];
  job: { id: string; item: number } | null;
}
interface AuditPage {
  auditEvents: {
    edges: { cursor: string; node: AuditEvent }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  };
}
interface CloudTrailEvent {
  "detail-type": string;
  detail: {
    eventName: string;
    requestID: string;
    responseElements: Record<string, { arn?: string; value?: string }> | null;
  };
}

describe("the audit trail", () => {
  const h = useSecureGateway();
  const tokens = { alice: "", bob: "", root: "", tenantAdmin: "" };
  /** What the mutations below answered, in order, with the x-request-id of each response. */
  const done: { operation: string; requestId: string; arn: string }[] = [];
  let arn = "";
  let streamKeyValue = "";
  let playbackToken = "";
  let start: Date;
  let trail: AuditEvent[] = [];

  /** As the account-wide admin: the whole page (newest first) of records since the file started. */
  const audit = async (
    variables: { first?: number; after?: string; filter?: Record<string, unknown> } = {},
  ) => {
    const res = await h.post<AuditPage>(
      AUDIT,
      { first: 100, ...variables, filter: { since: start.toISOString(), ...variables.filter } },
      h.bearer(tokens.root),
    );
    expect(res.body.errors).toBeUndefined();
    return res.body.data?.auditEvents as AuditPage["auditEvents"];
  };

  const mutate = async (
    token: string,
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) => {
    const res = await h.post<Record<string, Record<string, unknown>>>(query, variables, {
      ...h.bearer(token),
      ...headers,
    });
    expect(res.body.errors).toBeUndefined();
    const requestId = res.headers.get("x-request-id") as string;
    expect(requestId).toBeTruthy();
    done.push({ operation, requestId, arn: String((variables.input as { arn?: string }).arn ?? "") });
    return res.body.data?.[operation] as Record<string, unknown>;
  };

  beforeAll(async () => {
    start = new Date();
    tokens.alice = await h.mint({ sub: "alice", tenant: "acme", scope: "ivs:read ivs:write ivs:secrets" });
    tokens.bob = await h.mint({ sub: "bob", scope: "ivs:read ivs:write ivs:admin" });
    tokens.root = await h.mint({ sub: "root", scope: ALL });
    tokens.tenantAdmin = await h.mint({ sub: "carol", tenant: "acme", scope: ALL });

    const created = await mutate(
      tokens.alice,
      "createChannel",
      `mutation ($input: CreateChannelInput!) { createChannel(input: $input) { __typename
        ... on CreateChannelPayload { channel { arn } streamKey { arn value } } } }`,
      { input: { name: "audited" } },
    );
    arn = (created.channel as { arn: string }).arn;
    streamKeyValue = (created.streamKey as { value: string }).value;
    (done[0] as { arn: string }).arn = arn;
    await mutate(
      tokens.alice,
      "updateChannel",
      `mutation ($input: UpdateChannelInput!) { updateChannel(input: $input) { __typename } }`,
      { input: { arn, name: "audited-renamed" } },
      // A request id set upstream (a proxy) is kept, answered and recorded.
      { "x-request-id": "proxy-req-0001" },
    );
    await mutate(
      tokens.alice,
      "tagResource",
      `mutation ($input: TagResourceInput!) { tagResource(input: $input) { __typename } }`,
      { input: { arn, tags: [{ key: "team", value: "live" }] } },
    );
    const token = await mutate(
      tokens.alice,
      "createPlaybackToken",
      `mutation ($input: CreatePlaybackTokenInput!) { createPlaybackToken(input: $input) { __typename
        ... on PlaybackToken { token playbackUrl } } }`,
      { input: { channelArn: arn } },
    );
    playbackToken = token.token as string;
    (done[3] as { arn: string }).arn = arn;
    await mutate(
      tokens.alice,
      "deleteChannel",
      `mutation ($input: DeleteChannelInput!) { deleteChannel(input: $input) { __typename } }`,
      { input: { arn } },
    );
    const missing = await mutate(
      tokens.bob,
      "deleteChannel",
      `mutation ($input: DeleteChannelInput!) { deleteChannel(input: $input) { __typename } }`,
      { input: { arn: MISSING } },
    );
    expect(missing.__typename).toBe("NotFoundError");
    trail = (await audit()).edges.map((e) => e.node);
  });

  it("returns each change with its principal, operation, resource, outcome and request ids, newest first", () => {
    expect(trail.map((r) => [r.principal, r.operation, r.resourceArn, r.outcome, r.errorCode])).toEqual([
      ["jwt:bob", "deleteChannel", MISSING, "NotFoundError", "NOT_FOUND"],
      ["jwt:alice", "deleteChannel", arn, "OK", null],
      ["jwt:alice", "createPlaybackToken", arn, "OK", null],
      ["jwt:alice", "tagResource", arn, "OK", null],
      ["jwt:alice", "updateChannel", arn, "OK", null],
      ["jwt:alice", "createChannel", arn, "OK", null],
    ]);
    expect(trail.map((r) => [r.principalKind, r.tenant])).toEqual([
      ["jwt", null],
      ...Array.from({ length: 5 }, () => ["jwt", "acme"]),
    ]);
    // The response's x-request-id is the record's, the one a proxy set included.
    expect(trail.map((r) => r.requestId)).toEqual(done.map((d) => d.requestId).reverse());
    expect(done[1]?.requestId).toBe("proxy-req-0001");
    expect(new Set(trail.map((r) => r.id)).size).toBe(trail.length);
    const times = trail.map((r) => Date.parse(r.time));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(times.every((t) => t >= start.getTime() && t <= Date.now())).toBe(true);
    expect(trail.every((r) => r.job === null)).toBe(true);
  });

  it("lists every IVS call each mutation made, with IVS's request id and outcome", () => {
    const calls = trail.map((r) => r.ivsOperations.map((c) => [c.operation, c.outcome]));
    expect(calls).toEqual([
      [["DeleteChannel", "ResourceNotFoundException"]],
      [["DeleteChannel", "OK"]],
      // A playback token is signed in the gateway: no IVS call.
      [],
      [
        ["TagResource", "OK"],
        ["ListTagsForResource", "OK"],
      ],
      [["UpdateChannel", "OK"]],
      [["CreateChannel", "OK"]],
    ]);
    const ids = trail.flatMap((r) => r.ivsOperations.map((c) => c.requestId));
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("lines up with the emulator's CloudTrail events: the same change seen from both sides", async () => {
    const res = await fetch(
      `${h.gateway.emulatorUrl}/_emulator/events?detailType=${encodeURIComponent(CLOUDTRAIL)}`,
    );
    const { events } = (await res.json()) as { events: CloudTrailEvent[] };
    const byRequestId = new Map(events.map((e) => [e.detail.requestID, e]));
    const created = trail.find((r) => r.operation === "createChannel") as AuditEvent;
    const call = created.ivsOperations[0] as { operation: string; requestId: string };
    const event = byRequestId.get(call.requestId);
    expect(event?.["detail-type"]).toBe(CLOUDTRAIL);
    expect(event?.detail.eventName).toBe("CreateChannel");
    expect(event?.detail.responseElements?.channel?.arn).toBe(created.resourceArn);
    // Every successful write has exactly its event; reads and the failed delete have none.
    for (const r of trail)
      for (const c of r.ivsOperations) {
        const matching = events.filter((e) => e.detail.requestID === c.requestId);
        const write = c.outcome === "OK" && !/^(Get|List|BatchGet)/.test(c.operation);
        expect(matching.map((e) => e.detail.eventName)).toEqual(write ? [c.operation] : []);
      }
  });

  it("filters by resource, principal and time", async () => {
    const byArn = (await audit({ filter: { resourceArn: arn } })).edges.map((e) => e.node.operation);
    expect(byArn).toEqual([
      "deleteChannel",
      "createPlaybackToken",
      "tagResource",
      "updateChannel",
      "createChannel",
    ]);
    const byBob = (await audit({ filter: { principal: "jwt:bob" } })).edges.map((e) => e.node);
    expect(byBob.map((r) => [r.operation, r.resourceArn])).toEqual([["deleteChannel", MISSING]]);
    expect((await audit({ filter: { principal: "jwt:nobody" } })).edges).toEqual([]);

    const updated = trail.find((r) => r.operation === "updateChannel") as AuditEvent;
    const deleted = trail.find((r) => r.operation === "deleteChannel" && r.principal === "jwt:alice");
    const window = await audit({ filter: { since: updated.time, until: deleted?.time } });
    const expected = trail.filter((r) => r.time >= updated.time && r.time < (deleted?.time as string));
    expect(window.edges.map((e) => e.node.id)).toEqual(expected.map((r) => r.id));
    expect(window.edges.map((e) => e.node.operation)).toEqual([
      "createPlaybackToken",
      "tagResource",
      "updateChannel",
    ]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await audit({ filter: { since: future } })).edges).toEqual([]);
    expect((await audit({ filter: { until: start.toISOString() } })).edges).toEqual([]);
  });

  it("pages with first and after", async () => {
    const seen: string[] = [];
    let after: string | undefined;
    const pages: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      const page = await audit({ first: 4, ...(after ? { after } : {}) });
      seen.push(...page.edges.map((e) => e.node.id));
      pages.push(page.pageInfo.hasNextPage);
      expect(page.pageInfo.hasPreviousPage).toBe(Boolean(after));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor as string;
    }
    expect(pages).toEqual([true, false]);
    expect(seen).toEqual(trail.map((r) => r.id));

    const bad = await h.post(AUDIT, { first: 2, after: "not-a-cursor" }, h.bearer(tokens.root));
    expect(bad.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("is for account-wide admins only", async () => {
    for (const token of [tokens.alice, tokens.tenantAdmin]) {
      const res = await h.post(AUDIT, { first: 5 }, h.bearer(token));
      expect(res.body.data ?? null).toBeNull();
      expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    }
    const asBob = await h.post<AuditPage>(AUDIT, { first: 1 }, h.bearer(tokens.bob));
    expect(asBob.body.data?.auditEvents.edges).toHaveLength(1);
  });

  it("holds no secret, in the records or the log", async () => {
    expect(streamKeyValue).toMatch(/^sk_/);
    expect(playbackToken.length).toBeGreaterThan(20);
    const records = JSON.stringify(trail);
    for (const secret of [streamKeyValue, playbackToken, ...Object.values(tokens)])
      expect(records.includes(secret)).toBe(false);
    // Every record went to the log too, as one `audit` line each.
    const logged = h.lines
      .map((l) => JSON.parse(l) as { msg?: string; audit?: { id: string } })
      .filter((l) => l.msg === "audit");
    expect(logged.map((l) => l.audit?.id)).toEqual(expect.arrayContaining(trail.map((r) => r.id)));
    expect(await h.leaks()).toEqual([]);
  });
});
