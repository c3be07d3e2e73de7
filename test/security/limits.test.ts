import { describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { useSecureGateway } from "./harness.ts";

// Token limit raised on this gateway so that each other limit is what refuses its attack.
const h = useSecureGateway({ MAX_TOKENS: "100000" });
// Defaults only (and introspection off, as outside the embedded emulator).
const d = useSecureGateway({ INTROSPECTION: "false" });

const admin = async (g: typeof h) =>
  g.bearer(await g.mint({ scope: "ivs:read ivs:write ivs:admin", sub: "limits" }));

function deep(levels: number): string {
  let selection = "arn";
  // From the root StreamKey down: channel, streamKeys, channel, ... (every level a valid field).
  for (let i = 0; i < levels; i++)
    selection = (levels - i) % 2 ? `channel { ${selection} }` : `streamKeys { ${selection} }`;
  return `{ streamKey(arn: "arn:aws:ivs:us-west-2:123456789012:stream-key/abcdefghijkl") { ${selection} } }`;
}
// Armor lets `__typename` be aliased freely; a real field is what costs.
const ALIASES = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: channel(arn: "x") { arn }`).join(" ")} }`;
const COST_BOMB = `query ($n: Int) { channels(first: $n) { edges { node {
  streamKeys { arn tags { key value } } tags { key value } } } } }`;

/** Sends the query over HTTP and over graphql-ws; both must refuse with `pattern` and run nothing. */
async function refusedEverywhere(g: typeof h, query: string, pattern: RegExp, variables = {}) {
  const headers = await admin(g);
  const http = await g.post(query, variables, headers);
  // Refused before execution: no `data` at all (status 200 or 400 depending on the Accept header).
  expect(http.body.data).toBeUndefined();
  expect(JSON.stringify(http.body.errors)).toMatch(pattern);
  // Refused for the limit under test, not because the attack was malformed.
  expect(JSON.stringify(http.body.errors)).not.toMatch(/Cannot query field|Unknown argument/);
  const { client } = g.ws(headers);
  const ws = await g.wsRun(client, query, variables);
  expect(ws.results.every((r) => r.data === undefined || r.data === null)).toBe(true);
  expect(ws.text).toMatch(pattern);
}

describe("query shape limits, on HTTP and WebSocket", () => {
  it("refuses a 100-level query", async () => {
    await refusedEverywhere(h, deep(100), /Query depth limit of 6 exceeded, found 102 \(MAX_DEPTH\)/);
    // The message says which variable sets the limit, and does not call a well-formed document a syntax error.
    const res = await h.post(deep(100), {}, await admin(h));
    expect(JSON.stringify(res.body.errors)).not.toMatch(/Syntax Error/);
  });

  it("counts fields, not fragments: a fragment per level adds no depth", async () => {
    // Real depth 5 (streamKey > channel > streamKeys > channel > arn), spread through four nested fragments.
    const query = `{ streamKey(arn: "arn:aws:ivs:us-west-2:123456789012:stream-key/abcdefghijkl") { ...A } }
      fragment A on StreamKey { channel { ...B } }
      fragment B on Channel { streamKeys { ...C } }
      fragment C on StreamKey { channel { ...D } }
      fragment D on Channel { arn }`;
    const res = await h.post(query, {}, await admin(h));
    expect(res.body.errors, JSON.stringify(res.body)).toBeUndefined();
    // Fragments do not hide depth either: seven real levels through fragments are refused.
    await refusedEverywhere(h, `{ ...Q } fragment Q on Query { ${deep(6).slice(2, -2)} }`, /\(MAX_DEPTH\)/);
  });

  it("refuses 1,000 aliases", async () => {
    await refusedEverywhere(h, ALIASES, /Aliases limit of 15 exceeded, found \d+ \(MAX_ALIASES\)/);
  });

  it("refuses a cost bomb, its page size passed as a variable", async () => {
    await refusedEverywhere(h, COST_BOMB, /complexity of 24401 exceeds max complexity of 5000/, { n: 100 });
    const cheap = await h.post(COST_BOMB, { n: 5 }, await admin(h));
    expect(cheap.body.errors, JSON.stringify(cheap.body)).toBeUndefined();
  });

  it("costs each operation's own variables: a cheap run of a document does not let a dear one through", async () => {
    // The same document (Yoga's parsed copy) passes with n = 5 several times, then is refused with n = 100.
    for (let i = 0; i < 3; i++) {
      const cheap = await h.post(COST_BOMB, { n: 5 }, await admin(h));
      expect(cheap.body.errors, JSON.stringify(cheap.body)).toBeUndefined();
    }
    await refusedEverywhere(h, COST_BOMB, /complexity of 24401 exceeds max complexity of 5000/, { n: 100 });
    // Equal by value but not by JSON text: costed as its own (a number kept apart from a string).
    const asString = await h.post(COST_BOMB, { n: "5" }, await admin(h));
    expect(asString.body.data?.channels).toBeFalsy();
    expect(JSON.stringify(asString.body.errors)).toMatch(/Int cannot represent|got invalid value/);
    const again = await h.post(COST_BOMB, { n: 100 }, await admin(h));
    expect(again.body.data).toBeUndefined();
    expect(JSON.stringify(again.body.errors)).toMatch(/complexity of 24401 exceeds max complexity of 5000/);
  });

  it("refuses a document of more than 1,000 tokens", async () => {
    const query = `{ ${"__typename ".repeat(1200)}}`;
    await refusedEverywhere(d, query, /Token limit of 1000 exceeded \(MAX_TOKENS\)/);
  });

  it("hides field suggestions that would map the schema", async () => {
    const res = await h.post("{ chanels { edges { node { arn } } } }", {}, await admin(h));
    expect(JSON.stringify(res.body)).not.toMatch(/Did you mean/);
  });

  it("caps a page at 100 however many are asked for", async () => {
    for (let i = 0; i < 3; i++) await h.channel(`page-${i}`);
    const res = await h.post<{ channels: { edges: unknown[] } }>(
      "{ channels(first: 1000) { edges { node { arn } } } }",
      {},
      await admin(h),
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.channels.edges.length).toBeLessThanOrEqual(100);
  });
});

describe("body size", () => {
  it("answers 413 to a huge HTTP body", async () => {
    const res = await fetch(`${h.gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await admin(h)) },
      body: JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(2_000_000) } }),
    });
    expect(res.status).toBe(413);
  });

  it("closes a WebSocket that sends a huge message (1009)", async () => {
    // graphql-ws prints the socket's "Max payload size exceeded" error; expected here.
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    const socket = new WebSocket(`${h.gateway.url.replace("http", "ws")}/graphql`, "graphql-transport-ws");
    const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
    await new Promise((resolve) => socket.on("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init", payload: { pad: "x".repeat(2_000_000) } }));
    expect(await closed).toBe(1009);
    quiet.mockRestore();
  });
});

describe("introspection switched off", () => {
  const INTROSPECT = "{ __schema { types { name } } }";

  it("is refused on HTTP and WebSocket", async () => {
    await refusedEverywhere(d, INTROSPECT, /introspection/i);
  });

  it("stays on where configured (the embedded default, for GraphiQL)", async () => {
    const res = await h.post<{ __schema: { types: unknown[] } }>(INTROSPECT, {}, await admin(h));
    expect(res.body.data?.__schema.types.length).toBeGreaterThan(10);
  });
});

describe("logs", () => {
  it("hold none of the secrets used above", async () => {
    expect(await h.leaks()).toEqual([]);
    expect(await d.leaks()).toEqual([]);
  });
});
