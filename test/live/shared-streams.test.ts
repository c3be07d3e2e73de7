import { Repeater } from "graphql-yoga";
import { describe, expect, it } from "vitest";
import { nextPayload, SharedResult, SharedStreams, type Sink } from "../../src/live/shared-streams.ts";

/** A source the test pushes into, and whether it was ended. */
function source() {
  let push: (n: unknown) => void = () => {};
  let returned = false;
  const it = new Repeater<unknown>(async (p, stop) => {
    push = (n) => void p(n);
    await stop;
    returned = true;
  });
  return { it, push: (n: unknown) => push(n), returned: () => returned };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("SharedStreams", () => {
  it("ends a subscriber that falls behind by more than its bound, and only that one", async () => {
    const shared = new SharedStreams(2);
    const s = source();
    const slow = shared.join("k", s.it).stream;
    const fast = shared.join("k", source().it).stream;
    const got: number[] = [];
    const reading = (async () => {
      for await (const n of fast) {
        got.push(n as number);
        if (got.length === 5) break;
      }
    })();
    await tick();
    for (let n = 1; n <= 5; n++) {
      s.push(n);
      await tick();
    }
    await reading;
    expect(got).toEqual([1, 2, 3, 4, 5]);
    // The slow one read nothing: what was queued goes, then the error.
    await expect(slow.next()).rejects.toThrow("fell too far behind");
    // Both gone: the source is ended, not left running for nobody.
    await tick();
    expect(s.returned()).toBe(true);
    expect(shared.stats().streams).toBe(0);
  });

  it("ends the joiner's own stream at once and the shared one with its last subscriber", async () => {
    const shared = new SharedStreams();
    const first = source();
    const second = source();
    // A started stream, as a subscription's is once its start passed.
    const pending = second.it.next();
    const a = shared.join("k", first.it);
    const b = shared.join("k", second.it);
    expect([a.joined, b.joined]).toEqual([false, true]);
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(second.returned()).toBe(true);
    expect(shared.stats()).toMatchObject({ streams: 1, subscribers: 2 });
    await a.stream.return?.();
    await tick();
    expect(first.returned()).toBe(false);
    first.push(7);
    expect(await b.stream.next()).toEqual({ value: 7, done: false });
    await b.stream.return?.();
    await tick();
    expect(first.returned()).toBe(true);
    expect(shared.stats()).toMatchObject({ streams: 0, executions: 1, deliveries: 1 });
  });

  it("serializes each result once for every sink, and ends a sink whose backlog reaches the bound", async () => {
    const shared = new SharedStreams(2);
    const s = source();
    const written: string[][] = [[], [], []];
    let stuck = 0;
    const sink = (i: number, backlog: () => number): Sink => ({
      write: (result) => void written[i]?.push(result.payload),
      backlog,
    });
    const a = shared.join(
      "k",
      s.it,
      sink(0, () => 0),
    ).stream;
    shared.join(
      "k",
      source().it,
      sink(1, () => 0),
    );
    // This socket never drains: each write stays in its backlog.
    const slow = shared.join(
      "k",
      source().it,
      sink(2, () => stuck),
    ).stream;
    const slowEnd = slow.next().then(
      () => "ended",
      (error: Error) => error.message,
    );
    await tick();
    // Each result counts how often it is serialized: JSON.stringify reads its field once per serialization.
    let serializations = 0;
    for (let n = 1; n <= 3; n++) {
      s.push({
        data: {
          get n() {
            serializations += 1;
            return n;
          },
        },
      });
      await tick();
      stuck = written[2]?.length ?? 0;
    }
    expect(written[0]).toEqual([1, 2, 3].map((n) => `{"data":{"n":${n}}}`));
    expect(written[1]).toEqual(written[0]);
    // Three results, up to three sinks each: one serialization per result.
    expect(serializations).toBe(3);
    expect(written[2]).toEqual(written[0]?.slice(0, 2));
    expect(await slowEnd).toContain("fell too far behind");
    // A sink's iterator yields nothing; it settles when the stream ends.
    const aEnd = a.next();
    await a.return?.();
    expect(await aEnd).toEqual({ value: undefined, done: true });
  });

  it("makes what sinks derive from a result once per key, from its one serialization", () => {
    const result = new SharedResult({ data: { x: 1 } });
    let made = 0;
    const frame = (payload: string) => {
      made += 1;
      return `framed ${payload}`;
    };
    const first = result.derive("ws:1", frame);
    expect(result.derive("ws:1", frame)).toBe(first);
    expect(result.derive("ws:2", frame)).toBe('framed {"data":{"x":1}}');
    expect(made).toBe(2);
    expect(result.payload).toBe(result.payload);
  });

  it("sends a result's errors after its other fields, as graphql-ws does", () => {
    const error = { toJSON: () => ({ message: "no" }) };
    expect(nextPayload({ errors: [error], data: null })).toBe('{"data":null,"errors":[{"message":"no"}]}');
    expect(nextPayload({ data: { x: 1 } })).toBe('{"data":{"x":1}}');
  });
});
