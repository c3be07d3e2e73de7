import { createRandom, type Random } from "../random.ts";

/** An HTTP endpoint events are POSTed to, as an EventBridge API destination with an API_KEY connection. */
export interface EventTarget {
  url: string;
  /** Header that carries the key. Default `x-api-key` when `apiKey` is set. */
  apiKeyHeader?: string;
  apiKey?: string;
}

/**
 * Faults that reproduce IVS's best-effort delivery (the IVS User Guide's "Using Amazon EventBridge with IVS": delivery is best effort). Drawn per event and target from a
 * seeded PRNG, so a run with the same seed and the same events drops, duplicates and delays the same ones.
 */
export interface DeliveryFaults {
  /** Share (0..1) of events never delivered. Default 0. */
  dropRate: number;
  /** Share (0..1) of events delivered twice (same `id`), as a retried timeout does. Default 0. */
  duplicateRate: number;
  /** Extra delay per event, uniformly 0..delayMs, so delayed events can overtake each other. Default 0. */
  delayMs: number;
  /** Share (0..1) of events held back until the next event has gone (or reorderWindowMs passed). Default 0. */
  reorderRate: number;
  /** Longest an event is held back for reordering, in ms. Default 1000. */
  reorderWindowMs: number;
  /** PRNG seed for the draws. Default: the emulator's seed, else random. */
  seed?: number;
}

export const NO_DELIVERY_FAULTS: DeliveryFaults = {
  dropRate: 0,
  duplicateRate: 0,
  delayMs: 0,
  reorderRate: 0,
  reorderWindowMs: 1000,
};

/** Retries of one delivery, shaped like an EventBridge target retry policy (which defaults to 185 attempts / 24 h). */
export interface RetryPolicy {
  /** Attempts in all, the first included. Default 8. */
  attempts: number;
  /** Back-off before the first retry; doubles each time, with jitter. Default 200 ms. */
  baseDelayMs: number;
  /** Back-off ceiling. Default 30 s. */
  maxDelayMs: number;
  /** An endpoint slower than this is treated as failed and retried: 5 s, as for API destinations. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 8,
  baseDelayMs: 200,
  maxDelayMs: 30_000,
  timeoutMs: 5_000,
};

export interface DeliveryOptions {
  targets?: EventTarget[];
  faults?: Partial<DeliveryFaults>;
  retry?: Partial<RetryPolicy>;
  /** Where final failures are reported. Default console.warn. */
  log?: (message: string) => void;
}

export class DeliveryConfigError extends Error {}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Checks a target; an invalid one is refused when it is added, not when the first event fails. */
export function checkTarget(t: EventTarget): EventTarget {
  let url: URL;
  try {
    url = new URL(t.url);
  } catch {
    throw new DeliveryConfigError("url must be an absolute http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new DeliveryConfigError("url must use http or https");
  if (t.apiKey !== undefined && (typeof t.apiKey !== "string" || t.apiKey === ""))
    throw new DeliveryConfigError("apiKey must be a non-empty string");
  if (
    t.apiKeyHeader !== undefined &&
    (typeof t.apiKeyHeader !== "string" || !HEADER_NAME.test(t.apiKeyHeader))
  )
    throw new DeliveryConfigError("apiKeyHeader must be an HTTP header name");
  if (t.apiKeyHeader !== undefined && t.apiKey === undefined)
    throw new DeliveryConfigError("apiKeyHeader needs an apiKey");
  const out: EventTarget = { url: url.toString() };
  if (t.apiKey !== undefined) {
    out.apiKey = t.apiKey;
    out.apiKeyHeader = t.apiKeyHeader ?? "x-api-key";
  }
  return out;
}

function rate(v: unknown, key: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max)
    throw new DeliveryConfigError(`${key} must be a number from ${min} to ${max}`);
  return v;
}

/** Merges a partial fault update into the current faults; `seed: null` goes back to unseeded. */
export function mergeFaults(current: DeliveryFaults, update: Record<string, unknown>): DeliveryFaults {
  const next: DeliveryFaults = { ...current };
  const known = ["dropRate", "duplicateRate", "delayMs", "reorderRate", "reorderWindowMs", "seed"];
  const unknown = Object.keys(update).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new DeliveryConfigError(`unknown fault(s): ${unknown.join(", ")}`);
  if (update.dropRate !== undefined) next.dropRate = rate(update.dropRate, "dropRate", 0, 1);
  if (update.duplicateRate !== undefined)
    next.duplicateRate = rate(update.duplicateRate, "duplicateRate", 0, 1);
  if (update.reorderRate !== undefined) next.reorderRate = rate(update.reorderRate, "reorderRate", 0, 1);
  if (update.delayMs !== undefined) next.delayMs = rate(update.delayMs, "delayMs", 0, 3_600_000);
  if (update.reorderWindowMs !== undefined)
    next.reorderWindowMs = rate(update.reorderWindowMs, "reorderWindowMs", 0, 3_600_000);
  if (update.seed === null) delete next.seed;
  else if (update.seed !== undefined) {
    if (typeof update.seed !== "number" || !Number.isInteger(update.seed))
      throw new DeliveryConfigError("seed must be an integer (or null for unseeded)");
    next.seed = update.seed;
  }
  return next;
}

export function mergeRetry(current: RetryPolicy, update: Record<string, unknown>): RetryPolicy {
  const next: RetryPolicy = { ...current };
  const unknown = Object.keys(update).filter((k) => !(k in DEFAULT_RETRY));
  if (unknown.length > 0) throw new DeliveryConfigError(`unknown retry setting(s): ${unknown.join(", ")}`);
  if (update.attempts !== undefined) next.attempts = Math.floor(rate(update.attempts, "attempts", 1, 185));
  if (update.baseDelayMs !== undefined)
    next.baseDelayMs = rate(update.baseDelayMs, "baseDelayMs", 0, 3_600_000);
  if (update.maxDelayMs !== undefined) next.maxDelayMs = rate(update.maxDelayMs, "maxDelayMs", 0, 86_400_000);
  if (update.timeoutMs !== undefined) next.timeoutMs = rate(update.timeoutMs, "timeoutMs", 1, 600_000);
  return next;
}

/** What happens to one event on its way to one target. Always four draws, so later draws stay aligned. */
export interface FaultDraw {
  drop: boolean;
  duplicate: boolean;
  delayMs: number;
  hold: boolean;
}

export function drawFaults(random: Random, f: DeliveryFaults): FaultDraw {
  const [drop, duplicate, delay, hold] = [random(), random(), random(), random()];
  return {
    drop: drop < f.dropRate,
    duplicate: duplicate < f.duplicateRate,
    delayMs: Math.floor(delay * f.delayMs),
    hold: hold < f.reorderRate,
  };
}

/** Separate PRNG streams per target (fault draws, back-off jitter), so one target's traffic never shifts another's draws. */
export function targetRandoms(seed: number | undefined, url: string): { faults: Random; jitter: Random } {
  if (seed === undefined) return { faults: createRandom(), jitter: createRandom() };
  let h = 2166136261;
  for (const ch of url) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return { faults: createRandom((seed ^ h) >>> 0), jitter: createRandom((seed ^ h ^ 0x9e3779b9) >>> 0) };
}

/** Exponential back-off with "equal jitter": half fixed, half random, capped. */
export function backoffMs(retry: RetryPolicy, attempt: number, jitter: Random): number {
  const exp = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + (jitter() * exp) / 2);
}
