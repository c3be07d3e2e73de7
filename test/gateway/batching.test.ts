import { CreateChannelCommand } from "@aws-sdk/client-ivs";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useGateway } from "./harness.ts";

type Page = {
  edges: { cursor: string; node: Record<string, unknown> & { arn: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
};

const LIST = `query ($first: Int, $after: String, $filter: ChannelFilter) {
  channels(first: $first, after: $after, filter: $filter) {
    edges { cursor node { arn name } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");

describe("channel lists, pages and lookups from the mirror", () => {
  const h = useGateway();
  const batch: string[] = [];
  const keys: string[] = [];

  beforeAll(async () => {
    // 60 channels named "batch" (more than one BatchGet* call holds) and 50 others, 110 in all, made
    // straight on the emulator: the mirror learns of them from their CloudTrail events.
    const made: { channel: string; key: string }[] = [];
    for (let i = 0; i < 110; i++) {
      const out = await h.ivs.send(new CreateChannelCommand({ name: i < 60 ? "batch" : `other-${i}` }));
      if (i < 60) made.push({ channel: out.channel?.arn as string, key: out.streamKey?.arn as string });
    }
    // The mirror pages in ARN order (stable while channels come and go).
    made.sort((a, b) => (a.channel < b.channel ? -1 : 1));
    batch.push(...made.map((m) => m.channel));
    keys.push(...made.map((m) => m.key));
    await h.settle();
  });
  beforeEach(() => h.resetCounts());

  async function list(vars: Record<string, unknown>) {
    const res = await h.gql<{ channels: Page }>(LIST, vars);
    expect(res.errors).toBeUndefined();
    return res.data?.channels as Page;
  }

  it("pages through a filtered list with cursors, without repeats or gaps", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await list({ first: 25, after, filter: { name: "batch" } });
      seen.push(...page.edges.map((e) => e.node.arn));
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(batch);
  });

  it("resumes mid-page after any edge's cursor", async () => {
    const first = await list({ first: 3, filter: { name: "batch" } });
    const next = await list({ first: 3, after: first.edges[1]?.cursor, filter: { name: "batch" } });
    expect(next.edges.map((e) => e.node.arn)).toEqual(batch.slice(2, 5));
  });

  it("caps the page size at 100", async () => {
    const page = await list({ first: 500 });
    expect(page.edges).toHaveLength(100);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = await list({ first: 500, after: page.pageInfo.endCursor });
    expect(rest.edges).toHaveLength(10);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it("refuses two filters, a malformed filter and a foreign cursor without calling IVS", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        {
          filter: {
            name: "batch",
            recordingConfigurationArn: "arn:aws:ivs:us-west-2:123456789012:recording-configuration/abc",
          },
        },
        "filter.recordingConfigurationArn",
      ],
      [
        { filter: { adConfigurationArn: "arn:aws:ivs:us-west-2:123456789012:channel/abc" } },
        "filter.adConfigurationArn",
      ],
      [{ after: "not-a-cursor" }, "after"],
      [{ first: -1 }, "first"],
    ];
    for (const [vars, field] of cases) {
      const res = await h.gql(LIST, vars);
      expect(res.data, field).toBeNull();
      expect(res.errors?.[0]?.extensions, field).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
    expect(h.count("ListChannels")).toBe(0);
  });

  it("treats an empty filter value as no filter", async () => {
    const page = await list({ first: 100, filter: { name: "", recordingConfigurationArn: "" } });
    expect(page.edges).toHaveLength(100);
  });

  it("answers summary and full-only fields from the mirror, with no IVS call", async () => {
    const summary = await h.gql(
      `{ channels(first: 60, filter: { name: "batch" }) { edges { node { arn name latencyMode type tags { key } } } } }`,
    );
    expect(summary.errors).toBeUndefined();
    const full = await h.gql<{ channels: Page }>(
      `{ channels(first: 60, filter: { name: "batch" }) { edges { node { arn playbackUrl ingestEndpoint srt { endpoint } } } } }`,
    );
    const nodes = full.data?.channels.edges.map((e) => e.node) ?? [];
    expect(nodes).toHaveLength(60);
    for (const node of nodes) expect(node.playbackUrl).toMatch(/\.m3u8$/);
    expect(h.count("ListChannels")).toBe(0);
    expect(h.count("BatchGetChannel")).toBe(0);
  });

  it("answers the keys of 60 channels with their values from the mirror, with no IVS call", async () => {
    const res = await h.gql<{ channels: Page }>(
      `{ channels(first: 60, filter: { name: "batch" }) { edges { node { streamKeys { arn value } } } } }`,
    );
    const found = res.data?.channels.edges.flatMap(
      (e) => e.node.streamKeys as { arn: string; value: string }[],
    );
    expect(found?.map((k) => k.arn)).toEqual(keys);
    for (const key of found ?? []) expect(key.value).toMatch(/^sk_/);
    expect(h.count("BatchGetStreamKey")).toBe(0);
    expect(h.count("ListStreamKeys")).toBe(0);
  });

  it("answers a channel asked for 10 times in one request, and in the next, from the mirror", async () => {
    const aliases = Array.from({ length: 10 }, (_, i) => `c${i}: channel(arn: $arn) { name playbackUrl }`);
    const query = `query ($arn: String!) { ${aliases.join("\n")} }`;
    const res = await h.gql<Record<string, { name: string }>>(query, { arn: batch[0] });
    expect(Object.values(res.data ?? {}).map((c) => c.name)).toEqual(Array(10).fill("batch"));
    await h.gql(query, { arn: batch[0] });
    expect(h.count("BatchGetChannel")).toBe(0);
  });

  it("loads nodes from the mirror; a missing or malformed ARN is null for that id only", async () => {
    const missing = "arn:aws:ivs:us-west-2:123456789012:channel/missing00000";
    const ids = [...batch, missing, "not-an-arn"].map((arn) => globalId("Channel", arn));
    const res = await h.gql<{ nodes: ({ arn: string } | null)[] }>(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Channel { arn } } }`,
      { ids },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.nodes).toEqual([...batch.map((arn) => ({ arn })), null, null]);
    // Only the ARN the mirror lacks is asked for; the malformed one never reaches IVS.
    expect(h.count("BatchGetChannel")).toBe(1);
  });

  it("answers isLive and stream from the hub's live state, with no IVS call for them", async () => {
    const res = await h.gql(
      `query ($arn: String!) { a: channel(arn: $arn) { isLive stream { streamId } } b: channel(arn: $arn) { isLive } }`,
      { arn: batch[1] },
    );
    expect(res.data).toEqual({ a: { isLive: false, stream: null }, b: { isLive: false } });
    expect(h.count("GetStream")).toBe(0);
    expect(h.count("ListStreams")).toBe(0);
  });
});
