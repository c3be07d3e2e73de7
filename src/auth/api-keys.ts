import { createHash } from "node:crypto";
import type { Principal, TenantLimit } from "./principal.ts";
import { parseConfiguredScopes, type Scope } from "./scopes.ts";

/** One configured API key: only its SHA-256 is stored, so configuration and logs never hold the key. */
export interface ApiKeyEntry {
  /** Names the key in rate limits and audit (`api-key:<id>`). */
  id: string;
  /** Lowercase hex SHA-256 of the key. */
  sha256: string;
  scopes: Scope[];
  /** Tenant the key is limited to. */
  tenant?: string;
}

/** The SHA-256 that AUTH_API_KEYS stores for `key` (what `printf %s KEY | sha256sum` prints). */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/**
 * Parses AUTH_API_KEYS: a JSON array of `{ "id", "sha256", "scope", "tenant"? }`, `scope` space-separated
 * like a token's. Throws an Error whose message names the entry at fault (never a hash).
 */
export function parseApiKeys(raw: string): ApiKeyEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('must be a JSON array of {"id", "sha256", "scope", "tenant"?} objects');
  }
  if (!Array.isArray(parsed)) throw new Error("must be a JSON array");
  const ids = new Set<string>();
  const hashes = new Set<string>();
  return parsed.map((item: unknown, i) => {
    const entry = (item ?? {}) as Record<string, unknown>;
    const { id, sha256, scope, tenant } = entry;
    if (typeof id !== "string" || !/^[A-Za-z0-9_.-]{1,64}$/.test(id))
      throw new Error(`[${i}].id must be 1–64 letters, digits or _.-`);
    if (ids.has(id)) throw new Error(`[${i}].id "${id}" appears twice`);
    if (typeof sha256 !== "string" || !/^[0-9a-fA-F]{64}$/.test(sha256))
      throw new Error(`[${i}] (${id}).sha256 must be 64 hex digits: the SHA-256 of the key, not the key`);
    if (hashes.has(sha256.toLowerCase())) throw new Error(`[${i}] (${id}) repeats another key's sha256`);
    if (typeof scope !== "string") throw new Error(`[${i}] (${id}).scope must be a space-separated string`);
    const { scopes, unknown } = parseConfiguredScopes(scope);
    if (unknown.length > 0) throw new Error(`[${i}] (${id}).scope has unknown scopes: ${unknown.join(", ")}`);
    if (tenant !== undefined && (typeof tenant !== "string" || tenant === ""))
      throw new Error(`[${i}] (${id}).tenant must be a non-empty string`);
    ids.add(id);
    hashes.add(sha256.toLowerCase());
    return { id, sha256: sha256.toLowerCase(), scopes: [...scopes], ...(tenant ? { tenant } : {}) };
  });
}

/**
 * Looks a presented key up by its hash. A map lookup on the hash leaks nothing useful through timing:
 * learning a prefix of SHA-256(key) does not help guess a key.
 */
export function createApiKeyVerifier(
  entries: readonly ApiKeyEntry[],
  tenantTagKey: string,
): (key: string) => Principal | undefined {
  const byHash = new Map(entries.map((e) => [e.sha256, e]));
  return (key) => {
    const entry = byHash.get(hashApiKey(key));
    if (!entry) return undefined;
    const tenant: TenantLimit | undefined = entry.tenant
      ? { tagKey: tenantTagKey, value: entry.tenant }
      : undefined;
    return {
      id: `api-key:${entry.id}`,
      kind: "api-key",
      scopes: new Set(entry.scopes),
      ...(tenant ? { tenant } : {}),
    };
  };
}
