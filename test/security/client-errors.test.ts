import { Writable } from "node:stream";
import type { IvsClient } from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { createGatewayApp } from "../../src/app.ts";
import type { LiveHub } from "../../src/live/live-hub.ts";
import { createLogger } from "../../src/logger.ts";
import { Mirror } from "../../src/mirror/mirror.ts";
import { useLogging, yogaLogger } from "../../src/plugins/use-logging.ts";
import { TEST_AUTH_HEADERS, TEST_SECURITY } from "../gateway/test-auth.ts";
import { useSecureGateway } from "./harness.ts";

// No rate limit: the point is many requests from one caller.
const h = useSecureGateway({ RATE_LIMIT_PER_MINUTE: "0" });

/** A stream key and a token as a careless client pastes them, where an ARN belongs. */
const STREAM_KEY = "sk_us-west-2_AbCdEfGhIjKl_MnOpQrStUvWxYz0123456789ABCD";
const level = (line: string) => (JSON.parse(line) as { level: number }).level;

describe("client mistakes are the client's: logged once, low, without a stack", () => {
  it("N bad cursors and negative pages make no error line and at most N lines about them", async () => {
    const auth = h.bearer(await h.mint({ sub: "careless" }));
    const before = h.lines.length;
    const n = 20;
    for (let i = 0; i < n / 2; i++) {
      const bad = await h.post(
        `query BadCursor { channels(after: "nope-${i}") { edges { node { arn } } } }`,
        {},
        auth,
      );
      expect(bad.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      const negative = await h.post(
        `query NegativeFirst { channels(first: -${i + 1}) { edges { cursor } } }`,
        {},
        auth,
      );
      expect(negative.body.errors?.[0]?.message).toBe("first must not be negative");
    }
    const lines = h.lines.slice(before);
    expect(lines.filter((l) => level(l) >= 50)).toEqual([]);
    const about = lines.filter((l) =>
      /BadCursor|NegativeFirst|cursor is not one|must not be negative/.test(l),
    );
    expect(about.length).toBeGreaterThan(0);
    expect(about.length).toBeLessThanOrEqual(n);
    expect(about.filter((l) => l.includes('"stack"'))).toEqual([]);
  });
});

describe("secrets passed as arguments are never echoed", () => {
  it("a stream key or a token where an ARN or a number belongs appears in no response and no log line", async () => {
    const token = await h.mint({ sub: "paster" });
    const auth = h.bearer(token);
    const texts: string[] = [];
    for (const secret of [STREAM_KEY, token]) {
      // A mutation's typed result quotes the value at fault, as IVS does (src/ivs/validate.ts).
      const typed = await h.post(
        `mutation Paste($arn: String!) { deleteChannel(input: { arn: $arn }) {
          __typename ... on Error { message } ... on ValidationError { field } } }`,
        { arn: secret },
        auth,
      );
      expect(typed.body.data?.deleteChannel).toMatchObject({
        __typename: "ValidationError",
        field: "input.arn",
      });
      // A resolver's own message quoting input (a repeated tag key) reaches the client as a typed result too.
      const tagged = await h.post(
        `mutation Tag($arn: String!, $key: String!) { tagResource(input: { arn: $arn,
          tags: [{ key: $key, value: "a" }, { key: $key, value: "b" }] }) { __typename ... on Error { message } } }`,
        { arn: "arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGhIjKl", key: secret },
        auth,
      );
      expect(tagged.body.data?.tagResource).toMatchObject({
        __typename: "ValidationError",
        message: expect.stringMatching(/appears more than once/),
      });
      texts.push(JSON.stringify(tagged.body));
      // graphql-js quotes a variable it cannot coerce (execution) and a literal of the wrong type (validation).
      const coerced = await h.post(
        `query Coerce($n: Int) { channels(first: $n) { edges { cursor } } }`,
        { n: secret },
        auth,
      );
      expect(coerced.body.errors?.[0]?.message).toMatch(/Int cannot represent/);
      const literal = await h.post(
        `query Literal { channels(first: ${JSON.stringify(secret)}) { edges { cursor } } }`,
        {},
        auth,
      );
      expect(literal.body.errors?.[0]?.message).toMatch(/Int cannot represent/);
      // A gateway error thrown at a subscription's start names the bad ARN (src/resolvers/live.ts).
      const { client } = h.ws(auth);
      const ws = await h.wsRun(
        client,
        `subscription Live($arns: [String!]!) { channelLiveStatus(arns: $arns) { isLive } }`,
        {
          arns: [secret],
        },
      );
      expect(ws.text).toMatch(/not a channel ARN|BAD_USER_INPUT/);
      // A syntax error on the socket quotes the token it stumbled on: refused before execution, still redacted.
      const syntax = await h.wsRun(client, `subscription { channelLiveStatus(arns: []) { "${secret}" } }`);
      expect(syntax.text).toMatch(/Syntax Error/);
      texts.push(JSON.stringify([typed.body, coerced.body, literal.body]), ws.text, syntax.text);
    }
    const everything = `${texts.join("\n")}\n${h.lines.join("\n")}`;
    expect(everything).not.toContain(STREAM_KEY);
    expect(everything).not.toContain(token);
    expect(everything).toContain("[redacted]");
  });
});

describe("real faults", () => {
  it("keep one error line, with the stack", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _e, done) {
        lines.push(...String(chunk).split("\n").filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ level: "trace", destination });
    // An IVS client that fails the way a broken network does: a plain Error, nothing the gateway knows.
    const ivs = {
      send: async () => Promise.reject(new TypeError("socket hang up in the middle")),
    } as unknown as IvsClient;
    const yoga = createGatewayApp({
      ivs,
      live: {} as LiveHub,
      mirror: new Mirror({ ivs }),
      security: TEST_SECURITY,
      logging: yogaLogger(logger),
      plugins: [useLogging({ logger })],
    });
    const res = await yoga.fetch("http://gateway/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...TEST_AUTH_HEADERS },
      body: JSON.stringify({ query: "query Broken { channels { edges { node { arn } } } }" }),
    });
    expect(JSON.stringify(await res.json())).toContain("Unexpected error.");
    const errors = lines.filter((l) => level(l) >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("socket hang up in the middle");
    expect(errors[0]).toMatch(/"stack":"TypeError: socket hang up/);
    expect(errors[0]).toContain('"operation":"Broken"');
  });
});
