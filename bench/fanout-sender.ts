/**
 * Open-loop ingest for the fan-out benchmark: each POST /events leaves at its scheduled time whatever
 * the gateway's speed (as EventBridge sends), without waiting for earlier answers. In-flight requests are
 * bounded; a send held back by that bound is still timed from its scheduled time by the receivers, so a
 * slow gateway shows as latency instead of slowing the schedule down (no coordinated omission).
 */
import { sleep } from "./lib.ts";

/** Requests in flight at once; at 50 events/s, 64 is over a second of backlog before any send is held. */
const MAX_IN_FLIGHT = 64;

export interface OpenLoopOptions {
  url: string;
  apiKey: string;
  total: number;
  intervalMs: number;
  /** Wall-clock ms (performance.timeOrigin + performance.now()) of event 0's scheduled send. */
  startAbs: number;
  body(i: number): unknown;
}

export interface OpenLoopResult {
  /** Sends that were not accepted (status other than 202, or a network error). */
  failed: number;
  /** Largest delay of a send past its scheduled time, ms (the sender's own lateness). */
  maxLateMs: number;
}

export async function sendOpenLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const now = () => performance.timeOrigin + performance.now();
  let inFlight = 0;
  let failed = 0;
  let maxLateMs = 0;
  let slotFreed: (() => void) | undefined;
  const pending = new Set<Promise<void>>();
  for (let i = 0; i < o.total; i++) {
    const due = o.startAbs + i * o.intervalMs;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (slotFreed = r));
    maxLateMs = Math.max(maxLateMs, now() - due);
    inFlight += 1;
    const p = fetch(`${o.url}/events`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": o.apiKey },
      body: JSON.stringify(o.body(i)),
    })
      .then(
        async (res) => {
          await res.arrayBuffer();
          if (res.status !== 202) failed += 1;
        },
        () => {
          failed += 1;
        },
      )
      .finally(() => {
        inFlight -= 1;
        pending.delete(p);
        slotFreed?.();
        slotFreed = undefined;
      });
    pending.add(p);
  }
  await Promise.all(pending);
  return { failed, maxLateMs };
}
