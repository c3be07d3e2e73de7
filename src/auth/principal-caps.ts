import type { GraphQLError } from "graphql";
import { createGraphQLError } from "graphql-yoga";
import type { Principal } from "./principal.ts";

/**
 * Per-replica caps on what one principal holds open: subscriptions (over graphql-ws and SSE together) and
 * connections (graphql-ws sockets and SSE streams). A subscription costs memory for as long as it lives
 * (~30 KB of heap each), and nothing else bounds how many one caller opens. Counted in this process only:
 * the point is this replica's memory, and a count shared through Redis would leak slots when a replica dies.
 */
export interface PrincipalCapsOptions {
  /** MAX_SUBSCRIPTIONS_PER_PRINCIPAL. Default 500. */
  maxSubscriptions?: number;
  /** MAX_CONNECTIONS_PER_PRINCIPAL. Default 100. */
  maxConnections?: number;
  /** What a refusal suggests as the wait before trying again, in seconds. Default 5. */
  retryAfterSeconds?: number;
}

/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

export type CapKind = "subscriptions" | "connections";

export interface PrincipalCaps {
  readonly maxSubscriptions: number;
  readonly maxConnections: number;
  readonly retryAfterSeconds: number;
  /** Takes a slot of `kind` for `key` (see `capKey`), or returns undefined when the principal is at its cap. */
  take(kind: CapKind, key: string): Release | undefined;
  /** Whether `key` is at its cap of `kind` now (a cheap refusal before any work; `take` still decides). */
  full(kind: CapKind, key: string): boolean;
  /** Slots held by `key`; principals holding none are forgotten. */
  held(key: string): { subscriptions: number; connections: number };
  /** Principals holding any slot, for tests and metrics. */
  principals(): number;
}

/**
 * Whom a slot is counted against. Authenticated callers by their principal id, whatever address they come
 * from. With AUTH_DISABLED every caller is the one `anonymous` principal: counted by remote address instead,
 * so that one caller cannot fill the cap for everyone (behind a proxy all callers share its address).
 */
export function capKey(principal: Principal, remoteAddress: string | undefined): string {
  return principal.kind === "anonymous" ? `anonymous@${remoteAddress ?? "unknown"}` : principal.id;
}

export function principalCaps(options: PrincipalCapsOptions = {}): PrincipalCaps {
  const max: Record<CapKind, number> = {
    subscriptions: options.maxSubscriptions ?? 500,
    connections: options.maxConnections ?? 100,
  };
  const counts = new Map<string, Record<CapKind, number>>();

  return {
    maxSubscriptions: max.subscriptions,
    maxConnections: max.connections,
    retryAfterSeconds: options.retryAfterSeconds ?? 5,
    take(kind, key) {
      const held = counts.get(key) ?? { subscriptions: 0, connections: 0 };
      if (held[kind] >= max[kind]) return undefined;
      held[kind]++;
      counts.set(key, held);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held[kind]--;
        if (held.subscriptions === 0 && held.connections === 0) counts.delete(key);
      };
    },
    full: (kind, key) => (counts.get(key)?.[kind] ?? 0) >= max[kind],
    held: (key) => ({ ...(counts.get(key) ?? { subscriptions: 0, connections: 0 }) }),
    principals: () => counts.size,
  };
}

/** The refusal's message: the cap, never who asked. */
export function capMessage(caps: PrincipalCaps, kind: CapKind): string {
  const n = kind === "subscriptions" ? caps.maxSubscriptions : caps.maxConnections;
  return `Too many open ${kind}: at most ${n} per principal; close one and retry`;
}

/**
 * The refusal as a GraphQL error: the `error` message of a graphql-ws subscribe, and the body of an SSE
 * subscription's HTTP 429 (with Retry-After).
 */
export function capExceeded(caps: PrincipalCaps, kind: CapKind): GraphQLError {
  return createGraphQLError(capMessage(caps, kind), {
    extensions: {
      code: kind === "subscriptions" ? "TOO_MANY_SUBSCRIPTIONS" : "TOO_MANY_CONNECTIONS",
      retryAfterMs: caps.retryAfterSeconds * 1000,
      http: { status: 429, headers: { "retry-after": String(caps.retryAfterSeconds) } },
    },
  });
}
