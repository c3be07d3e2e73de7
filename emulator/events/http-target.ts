import type { IvsEvent } from "./bus.ts";
import type { EventTarget } from "./delivery-options.ts";

/** Counters per target, as GET /_emulator/event-deliveries shows them. */
export interface TargetStats {
  url: string;
  delivered: number;
  dropped: number;
  duplicated: number;
  delayed: number;
  reordered: number;
  retried: number;
  failed: number;
  /** Copies not yet delivered or given up on (delayed, held, queued, sending, waiting to retry). */
  inFlight: number;
  lastError?: string;
}

export interface PostError {
  message: string;
  retryable: boolean;
}

/** One POST; returns undefined on 2xx, else what went wrong and whether EventBridge would retry it. */
export async function post(
  target: EventTarget,
  event: IvsEvent,
  timeoutMs: number,
  cancel: AbortSignal,
): Promise<PostError | undefined> {
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "user-agent": "Amazon/EventBridge/ApiDestinations",
  };
  if (target.apiKey && target.apiKeyHeader) headers[target.apiKeyHeader] = target.apiKey;
  try {
    const res = await fetch(target.url, {
      method: "POST",
      headers,
      body: JSON.stringify(event),
      signal: AbortSignal.any([cancel, AbortSignal.timeout(timeoutMs)]),
    });
    // Drain the body so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return undefined;
    return { message: `HTTP ${res.status}`, retryable: res.status === 429 || res.status >= 500 };
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    return {
      message: timedOut ? `no answer within ${timeoutMs} ms` : `network error: ${(error as Error).message}`,
      retryable: true,
    };
  }
}

export function emptyStats(url: string): TargetStats {
  return {
    url,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    delayed: 0,
    reordered: 0,
    retried: 0,
    failed: 0,
    inFlight: 0,
  };
}

export function describeTarget(t: EventTarget) {
  return t.apiKey
    ? { url: t.url, apiKeyHeader: t.apiKeyHeader, apiKeySet: true }
    : { url: t.url, apiKeySet: false };
}

export function safeUrl(url: string): string | undefined {
  try {
    return new URL(url).toString();
  } catch {
    return undefined;
  }
}

/** Origin and path only: a query string may carry credentials. */
export function redact(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}
