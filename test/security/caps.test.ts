import type { Client } from "graphql-ws";
import { beforeAll, describe, expect, it } from "vitest";
import { fullAccessPrincipal } from "../../src/auth/principal.ts";
import { capKey, principalCaps } from "../../src/auth/principal-caps.ts";
import { CLOSE_TOO_MANY } from "../../src/http/transport-ws.ts";
import { until, useSecureGateway } from "./harness.ts";

/**
 * Per-principal caps on concurrent subscriptions and connections (finding 10 of issue 11): one caller used to
 * be able to open thousands of subscriptions (~30 KB of heap each). Small caps here: 3 subscriptions over
 * graphql-ws and SSE together, 2 connections (graphql-ws sockets and SSE streams).
 */
const h = useSecureGateway({ MAX_SUBSCRIPTIONS_PER_PRINCIPAL: "3", MAX_CONNECTIONS_PER_PRINCIPAL: "2" });

const LIVE = "subscription ($arns: [String!]!) { channelLiveStatus(arns: $arns) { channelArn status } }";
let arn: string;
let alice: string;
let bob: string;

beforeAll(async () => {
  arn = await h.channel("caps-channel", "acme");
  alice = await h.mint({ sub: "alice", tenant: "acme" });
  bob = await h.mint({ sub: "bob", tenant: "acme" });
});

/** A graphql-ws client, resolved once the server acknowledged it (or with how it was closed). */
async function socket(token: string) {
  const opened = h.ws({ authorization: `Bearer ${token}` });
  const outcome = await new Promise<"acked" | { code: number; reason: string }>((resolve) => {
    opened.client.on("connected", () => resolve("acked"));
    opened.client.on("closed", (e) => {
      const { code, reason } = e as { code: number; reason: string };
      resolve({ code, reason });
    });
  });
  return { ...opened, outcome };
}

/** A subscription that is running (its first status arrived) or was refused (its error). */
async function subscribe(client: Client) {
  const errors: { message: string; extensions?: Record<string, unknown> }[][] = [];
  let dispose = () => {};
  const state = await new Promise<"running" | "refused">((resolve) => {
    dispose = client.subscribe(
      { query: LIVE, variables: { arns: [arn] } },
      {
        next: () => resolve("running"),
        error: (e) => {
          errors.push(e as never);
          resolve("refused");
        },
        complete: () => {},
      },
    );
  });
  return { state, errors, dispose };
}

async function ping(client: Client): Promise<unknown> {
  return (await h.wsRun(client, "{ __typename }")).results;
}

/** An SSE subscription over fetch; `stop` aborts it (the client goes away). */
async function sse(token: string) {
  const abort = new AbortController();
  const res = await fetch(`${h.gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...h.bearer(token) },
    body: JSON.stringify({ query: LIVE, variables: { arns: [arn] } }),
    signal: abort.signal,
  });
  const stop = async () => {
    abort.abort();
    await res.body?.cancel().catch(() => {});
  };
  if (res.status !== 200) return { res, text: await res.text(), stop };
  // Until the first status: the stream is then counted.
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes("event: next")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  return {
    res,
    text,
    stop: async () => {
      abort.abort();
      await reader.cancel().catch(() => {});
    },
  };
}

/** Retries `open` until it is accepted: the server sees a client go away a moment after the client does. */
async function eventually<T>(open: () => Promise<T>, accepted: (t: T) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const last = await open();
    if (accepted(last) || attempt === 100) return last;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("per-principal caps on graphql-ws", () => {
  it("closes a socket over MAX_CONNECTIONS_PER_PRINCIPAL with 4429; other principals are unaffected; closing frees the slot", async () => {
    const first = await socket(alice);
    const second = await socket(alice);
    expect([first.outcome, second.outcome]).toEqual(["acked", "acked"]);
    const third = await socket(alice);
    expect(third.outcome).toEqual({
      code: CLOSE_TOO_MANY,
      reason: "Too many open connections: at most 2 per principal; close one and retry",
    });
    // Bob has slots of his own.
    const bobs = await socket(bob);
    expect(bobs.outcome).toBe("acked");
    // The sockets alice kept still work.
    expect(await ping(first.client)).toEqual([{ data: { __typename: "Query" } }]);
    await first.client.dispose();
    await until(() => first.closed.length > 0);
    const again = await eventually(
      () => socket(alice),
      (s) => s.outcome === "acked",
    );
    expect(again.outcome).toBe("acked");
    for (const s of [second, again, bobs]) await s.client.dispose();
  });

  it("refuses a subscribe over MAX_SUBSCRIPTIONS_PER_PRINCIPAL with an error for that operation only", async () => {
    const { client } = await socket(alice);
    const running = [await subscribe(client), await subscribe(client), await subscribe(client)];
    expect(running.map((s) => s.state)).toEqual(["running", "running", "running"]);
    const refused = await subscribe(client);
    expect(refused.state).toBe("refused");
    expect(refused.errors[0]?.[0]?.message).toBe(
      "Too many open subscriptions: at most 3 per principal; close one and retry",
    );
    expect(refused.errors[0]?.[0]?.extensions?.code).toBe("TOO_MANY_SUBSCRIPTIONS");
    // The socket stays usable: queries run, and bob's subscriptions are his own.
    expect(await ping(client)).toEqual([{ data: { __typename: "Query" } }]);
    const bobs = await socket(bob);
    expect((await subscribe(bobs.client)).state).toBe("running");
    // Completing one gives its slot back.
    running[0]?.dispose();
    const next = await eventually(
      () => subscribe(client),
      (s) => s.state === "running",
    );
    expect(next.state).toBe("running");
    // Closing the socket gives all of them back.
    await client.dispose();
    const fresh = await socket(alice);
    const three = await eventually(
      async () => {
        const subs = [
          await subscribe(fresh.client),
          await subscribe(fresh.client),
          await subscribe(fresh.client),
        ];
        for (const sub of subs) sub.dispose();
        return subs.map((sub) => sub.state);
      },
      (states) => states.every((state) => state === "running"),
    );
    expect(three).toEqual(["running", "running", "running"]);
    await fresh.client.dispose();
    await bobs.client.dispose();
  });
});

describe("per-principal caps on SSE, counted with graphql-ws", () => {
  it("answers 429 with Retry-After and a GraphQL error over the cap; aborting frees the slot", async () => {
    const streams = [await sse(alice), await sse(alice)];
    expect(streams.map((s) => s.res.status)).toEqual([200, 200]);
    const third = await sse(alice);
    expect(third.res.status).toBe(429);
    expect(third.res.headers.get("retry-after")).toMatch(/^\d+$/);
    const body = JSON.parse(third.text) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.message).toBe(
      "Too many open connections: at most 2 per principal; close one and retry",
    );
    expect(body.errors[0]?.extensions.code).toBe("TOO_MANY_CONNECTIONS");
    expect(third.text).not.toContain("event: next");
    // Bob is not alice.
    const bobs = await sse(bob);
    expect(bobs.res.status).toBe(200);
    await bobs.stop();
    await streams[0]?.stop();
    const again = await eventually(
      () => sse(alice),
      (s) => s.res.status === 200,
    );
    expect(again.res.status).toBe(200);
    await again.stop();
    await streams[1]?.stop();
  });

  it("subscriptions over SSE and graphql-ws count together", async () => {
    // Wait for the previous test's streams to be seen gone.
    const { client } = await eventually(
      () => socket(alice),
      (s) => s.outcome === "acked",
    );
    const onSocket = [await subscribe(client), await subscribe(client)];
    expect(onSocket.map((s) => s.state)).toEqual(["running", "running"]);
    const stream = await sse(alice);
    expect(stream.res.status).toBe(200);
    // 2 over graphql-ws + 1 over SSE: the cap of 3 is reached on either transport.
    const refused = await subscribe(client);
    expect(refused.state).toBe("refused");
    expect(refused.errors[0]?.[0]?.extensions?.code).toBe("TOO_MANY_SUBSCRIPTIONS");
    await stream.stop();
    const next = await eventually(
      () => subscribe(client),
      (s) => s.state === "running",
    );
    expect(next.state).toBe("running");
    await client.dispose();
  });
});

describe("principalCaps", () => {
  it("counts per principal, gives a slot back once however often it is released, forgets the idle", () => {
    const caps = principalCaps({ maxSubscriptions: 2, maxConnections: 1 });
    const a = caps.take("subscriptions", "jwt:a");
    const b = caps.take("subscriptions", "jwt:a");
    expect(caps.take("subscriptions", "jwt:a")).toBeUndefined();
    expect(caps.full("subscriptions", "jwt:a")).toBe(true);
    expect(caps.take("subscriptions", "jwt:b")).toBeDefined();
    expect(caps.take("connections", "jwt:a")).toBeDefined();
    a?.();
    a?.();
    expect(caps.held("jwt:a")).toEqual({ subscriptions: 1, connections: 1 });
    b?.();
    expect(caps.held("jwt:a")).toEqual({ subscriptions: 0, connections: 1 });
    expect(caps.principals()).toBe(2);
  });

  it("counts AUTH_DISABLED callers (all the one anonymous principal) by remote address", () => {
    const anonymous = fullAccessPrincipal("anonymous", "anonymous");
    expect(capKey(anonymous, "10.0.0.1")).not.toBe(capKey(anonymous, "10.0.0.2"));
    const jwt = { ...fullAccessPrincipal("jwt:alice", "jwt") };
    expect(capKey(jwt, "10.0.0.1")).toBe(capKey(jwt, "10.0.0.2"));
  });
});
