import { SCOPES, type Scope } from "./scopes.ts";

/** The channels a principal is limited to: those whose tag `tagKey` equals `value`. */
export interface TenantLimit {
  tagKey: string;
  value: string;
}

/** Who is asking, as established once per HTTP request or WebSocket connection. */
export interface Principal {
  /** Stable id for rate limiting and audit: `jwt:<sub>`, `api-key:<id>`, `developer`, `anonymous`. */
  id: string;
  kind: "jwt" | "api-key" | "dev" | "anonymous";
  scopes: ReadonlySet<Scope>;
  /** Absent: every channel of the account. */
  tenant?: TenantLimit;
  /** When the credentials stop being valid (ms since the epoch); absent for API keys. */
  expiresAt?: number;
}

/** A principal holding every scope and no tenant limit: the development token, or auth explicitly disabled. */
export function fullAccessPrincipal(id: string, kind: Principal["kind"], expiresAt?: number): Principal {
  return { id, kind, scopes: new Set(SCOPES), ...(expiresAt !== undefined ? { expiresAt } : {}) };
}

/** Whether the principal's credentials have expired; long-lived WebSocket subscriptions check it per event. */
export function isExpired(principal: Principal, now = Date.now()): boolean {
  return principal.expiresAt !== undefined && principal.expiresAt <= now;
}

export function hasScope(principal: Principal, scope: Scope, now = Date.now()): boolean {
  return principal.scopes.has(scope) && !isExpired(principal, now);
}
