import { describe, expect, it } from "vitest";
import { useSecureGateway } from "./harness.ts";

// Introspection off hides hints even where FIELD_SUGGESTIONS asks for them.
const off = useSecureGateway({ INTROSPECTION: "false", FIELD_SUGGESTIONS: "true" });
// FIELD_SUGGESTIONS off (the default outside development) hides them with introspection on.
const quiet = useSecureGateway({ INTROSPECTION: "true" });
// Both on: the hints are there, so the checks below can see them.
const on = useSecureGateway({ INTROSPECTION: "true", FIELD_SUGGESTIONS: "true" });

/** Documents whose errors carry each kind of hint graphql-js gives, and what each hint would name. */
const PROBES: { query: string; variables?: Record<string, unknown>; reveals: RegExp }[] = [
  // The inline-fragment hint lists the union's members.
  { query: "subscription { streamEvents { id } }", reveals: /StreamStateEvent|LimitBreachEvent/ },
  { query: "{ chanels { edges { node { arn } } } }", reveals: /\bchannels?\b/ },
  { query: "{ channels(frist: 1) { edges { cursor } } }", reveals: /\bfirst\b/ },
  { query: "{ channels { edges { node { latencyMod } } } }", reveals: /\blatencyMode\b/ },
  { query: "query ($i: CreateChanelInput!) { __typename }", reveals: /\bCreateChannelInput\b/ },
  {
    query: "mutation { createChannel(input: { latencyMode: LO }) { __typename } }",
    reveals: /\bLOW\b/,
  },
  // Coerced at execution, not validation: the same hints come from another place.
  {
    query: "mutation ($i: CreateChannelInput!) { createChannel(input: $i) { __typename } }",
    variables: { i: { latencyMode: "LO" } },
    reveals: /\bLOW\b/,
  },
  {
    query: "mutation ($i: CreateChannelInput!) { createChannel(input: $i) { __typename } }",
    variables: { i: { nmae: "x" } },
    reveals: /\bname\b/,
  },
];

async function answers(g: typeof off) {
  const auth = g.bearer(await g.mint({ scope: "ivs:read ivs:write", sub: "prober", tenant: "acme" }));
  const { client } = g.ws(auth);
  const out: { http: string; ws: string; reveals: RegExp }[] = [];
  for (const probe of PROBES) {
    const http = await g.post(probe.query, probe.variables ?? {}, auth);
    expect(http.body.errors?.length, probe.query).toBeGreaterThan(0);
    const ws = await g.wsRun(client, probe.query, probe.variables ?? {});
    out.push({ http: JSON.stringify(http.body), ws: ws.text, reveals: probe.reveals });
  }
  return out;
}

describe("schema hints", () => {
  it("are shown where introspection and FIELD_SUGGESTIONS are both on (the probes find them)", async () => {
    for (const a of await answers(on)) {
      expect(a.http).toMatch(/Did you mean/);
      expect(a.http).toMatch(a.reveals);
      expect(a.ws).toMatch(a.reveals);
    }
  });

  for (const [name, g] of [
    ["introspection off", off],
    ["FIELD_SUGGESTIONS off", quiet],
  ] as const)
    it(`are gone with ${name}, on HTTP and over graphql-ws, every kind of them`, async () => {
      for (const a of await answers(g)) {
        for (const text of [a.http, a.ws]) {
          expect(text).not.toMatch(/Did you mean/);
          expect(text).not.toMatch(a.reveals);
        }
      }
    });
});
