import { afterEach, describe, expect, it, vi } from "vitest";
import type { WebSocket } from "ws";
import { ExpiryClock } from "../../src/http/expiry.ts";

/** Stand-ins for sockets: the clock only keys on them and hands them back. */
const socket = (name: string) => ({ name }) as unknown as WebSocket;

afterEach(() => {
  vi.useRealTimers();
});

describe("ExpiryClock", () => {
  it("ends each socket at its expiry, with one timer per moment shared by its sockets", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const ended: string[] = [];
    const clock = new ExpiryClock((s) => ended.push((s as unknown as { name: string }).name));
    const [a, b, c] = [socket("a"), socket("b"), socket("c")];
    clock.add(a, 1_005_000);
    clock.add(b, 1_005_000);
    clock.add(c, 1_009_000);
    expect(clock.timers).toBe(2);
    vi.advanceTimersByTime(4_999);
    expect(ended).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ended).toEqual(["a", "b"]);
    expect(clock.timers).toBe(1);
    vi.advanceTimersByTime(4_000);
    expect(ended).toEqual(["a", "b", "c"]);
    expect(clock.timers).toBe(0);
  });

  it("forgets a closed socket, and its moment's timer once no socket is left on it", () => {
    vi.useFakeTimers({ now: 0 });
    const ended: WebSocket[] = [];
    const clock = new ExpiryClock((s) => ended.push(s));
    const [a, b] = [socket("a"), socket("b")];
    clock.add(a, 1000);
    clock.add(b, 1000);
    clock.remove(a);
    expect(clock.timers).toBe(1);
    clock.remove(b);
    expect(clock.timers).toBe(0);
    vi.advanceTimersByTime(2000);
    expect(ended).toEqual([]);
  });

  it("waits for an expiry beyond setTimeout's range instead of firing at once", () => {
    vi.useFakeTimers({ now: 0 });
    const ended: WebSocket[] = [];
    const clock = new ExpiryClock((s) => ended.push(s));
    const thirtyDays = 30 * 24 * 3600 * 1000;
    clock.add(socket("a"), thirtyDays);
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(ended).toEqual([]);
    vi.advanceTimersByTime(thirtyDays - (2 ** 31 - 1));
    expect(ended).toHaveLength(1);
  });
});
