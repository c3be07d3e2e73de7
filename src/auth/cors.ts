import type { Plugin } from "graphql-yoga";
import type { LimitsConfig } from "./config.ts";

/** What Yoga's `cors` option takes for one request (a subset of @whatwg-node/server's CORSOptions). */
export interface CorsAnswer {
  origin: string;
  credentials: boolean;
  methods: string[];
  exposedHeaders: string[];
  maxAge: number;
}

/** Response headers a browser script may read: the request id to quote, and when to retry. */
const EXPOSED_HEADERS = ["x-request-id", "retry-after"];

/**
 * Whether `origin` (a request's Origin header) is on the allow-list (CORS_ORIGINS, src/auth/config.ts):
 * `*` is any origin; `scheme://host:*` is any port of that host (or none); otherwise an exact origin.
 * `allowed` is lowercased (the configuration does it once); origins compare case-insensitively.
 */
export function originAllowed(allowed: readonly string[], origin: string): boolean {
  const o = origin.toLowerCase();
  for (const e of allowed) {
    if (e === "*" || e === o) return true;
    if (e.endsWith(":*")) {
      const base = e.slice(0, -2);
      if (o === base) return true;
      if (o.startsWith(`${base}:`) && /^\d{1,5}$/.test(o.slice(base.length + 1))) return true;
    }
  }
  return false;
}

/** Whether a browser's Origin is the page's own server: its host and port are the request's Host. */
export function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * Yoga's `cors` option from the limits: an allowed origin is answered with itself, credentials only
 * with CORS_CREDENTIALS and never for `*` (which the configuration refuses to combine anyway);
 * any other origin gets no CORS header at all, so the browser keeps the response from its script, and
 * its preflight is answered without allow headers.
 */
export function corsPolicy(limits: Pick<LimitsConfig, "corsOrigins" | "corsCredentials">) {
  const any = limits.corsOrigins.includes("*");
  return (request: Request): CorsAnswer | false => {
    const origin = request.headers.get("origin");
    if (!origin || !originAllowed(limits.corsOrigins, origin)) return false;
    return {
      origin,
      credentials: limits.corsCredentials && !any,
      methods: ["GET", "POST"],
      exposedHeaders: EXPOSED_HEADERS,
      // Ten minutes: what Chromium caps a preflight's cache at anyway.
      maxAge: 600,
    };
  };
}

/**
 * `Vary: Origin` on every response while any cross-origin access is allowed: whether a response carries
 * CORS headers depends on the Origin, so no shared cache may serve one origin's answer to another.
 */
export function useVaryOrigin(limits: Pick<LimitsConfig, "corsOrigins">): Plugin {
  return {
    onResponse({ response }) {
      if (limits.corsOrigins.length === 0) return;
      const vary = response.headers.get("vary");
      const names = (vary ?? "").split(",").map((v) => v.trim().toLowerCase());
      if (names.includes("origin") || names.includes("*")) return;
      response.headers.set("vary", vary ? `${vary}, Origin` : "Origin");
    },
  };
}
