import { Repeater } from "graphql-yoga";
import { describe, expect, it } from "vitest";
import { SharedStreams } from "../../src/subscriptions/shared-streams.ts";

/** A source the test pushes into, and whether it was ended. */
function source() {
  let push: (n: number) => void = () => {};
  let returned = false;
  const it = new Repeater<number>(async (p, stop) => {
    push = (n) => void p(n);
    await stop;
    returned = true;
  });
  return { it, push: (n: number) => push(n), returned: () => returned };
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
});
