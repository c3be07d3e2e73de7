import { createSchema, createYoga, maskError } from "graphql-yoga";
import { describe, expect, it } from "vitest";
import { fullAccessPrincipal } from "../../src/auth/principal.ts";
import { useIdempotency } from "../../src/idempotency/plugin.ts";
import { type IdempotencyStore, memoryIdempotencyStore } from "../../src/idempotency/store.ts";

/** A Yoga with one counting mutation and the plugin, called in-process. */
function app(options: { store?: IdempotencyStore; waitMs?: number; run?: () => Promise<number> } = {}) {
  let calls = 0;
  const run = options.run ?? (async () => calls);
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: "type Query { calls: Int! } type Mutation { bump(by: Int!): Int! }",
      resolvers: {
        Query: { calls: () => calls },
        Mutation: {
          bump: async (_: unknown, { by }: { by: number }) => {
            calls += by;
            return run();
          },
        },
      },
    }),
    logging: false,
    context: () => ({ principal: fullAccessPrincipal("tester", "dev") }),
    plugins: [
      useIdempotency({
        store: options.store ?? memoryIdempotencyStore(),
        maskError,
        ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
      }),
    ],
  });
  const post = async (query: string, key?: string) => {
    const res = await yoga.fetch("http://gateway/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) },
      body: JSON.stringify({ query }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
  return { post, calls: () => calls };
}

describe("useIdempotency", () => {
  it("answers 409 IDEMPOTENCY_IN_FLIGHT, retriable, when the first request outlasts the wait", async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const a = app({
      waitMs: 200,
      run: async () => {
        await gate;
        return 1;
      },
    });
    const first = a.post("mutation { bump(by: 1) }", "k");
    await new Promise((r) => setTimeout(r, 20));
    const second = await a.post("mutation { bump(by: 1) }", "k");
    expect(second.status).toBe(409);
    expect(second.headers.get("retry-after")).toBe("1");
    expect(second.body).toEqual({
      errors: [expect.objectContaining({ extensions: { code: "IDEMPOTENCY_IN_FLIGHT", retriable: true } })],
    });
    release();
    expect((await first).status).toBe(200);
    const third = await a.post("mutation { bump(by: 1) }", "k");
    expect(third.headers.get("idempotency-replayed")).toBe("true");
    expect(a.calls()).toBe(1);
  });

  it("forgets the key when the mutation fails unexpectedly, so that a retry executes", async () => {
    let fail = true;
    const a = app({
      run: async () => {
        if (fail) throw new Error("database on fire");
        return 7;
      },
    });
    const first = await a.post("mutation { bump(by: 1) }", "k");
    expect(first.body.errors).toBeDefined();
    fail = false;
    const retry = await a.post("mutation { bump(by: 1) }", "k");
    expect(retry.headers.get("idempotency-replayed")).toBeNull();
    expect(retry.body).toEqual({ data: { bump: 7 } });
    expect(a.calls()).toBe(2);
  });

  it("answers 503 IDEMPOTENCY_UNAVAILABLE without executing when the store fails", async () => {
    const broken: IdempotencyStore = {
      begin: async () => {
        throw new Error("connection refused");
      },
      complete: async () => {},
      abandon: async () => {},
    };
    const a = app({ store: broken });
    const answer = await a.post("mutation { bump(by: 1) }", "k");
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ errors: [{ extensions: { code: "IDEMPOTENCY_UNAVAILABLE" } }] });
    expect(a.calls()).toBe(0);
    // Without a key the store is never asked.
    expect((await a.post("mutation { bump(by: 1) }")).body).toEqual({ data: { bump: 1 } });
  });

  it("leaves queries alone, key or not", async () => {
    const a = app();
    await a.post("mutation { bump(by: 2) }", "k");
    const query = await a.post("{ calls }", "k");
    expect(query.body).toEqual({ data: { calls: 2 } });
    expect(query.headers.get("idempotency-replayed")).toBeNull();
  });
});

describe("memoryIdempotencyStore", () => {
  it("holds at most maxEntries keys, dropping the oldest first", async () => {
    const store = memoryIdempotencyStore({ maxEntries: 2 });
    for (const key of ["a", "b", "c"]) {
      const begun = await store.begin(key, "fp");
      if (begun.kind !== "new") throw new Error(begun.kind);
      await store.complete(key, begun.claim, "fp", { data: { key } }, false);
    }
    expect((await store.begin("a", "fp")).kind).toBe("new");
    expect(await store.begin("c", "fp")).toEqual({ kind: "replay", result: { data: { key: "c" } } });
  });
});
