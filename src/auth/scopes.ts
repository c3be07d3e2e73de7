/**
 * The gateway's OAuth scopes. A token carries them in its standard `scope` claim, space-separated
 * (RFC 8693 §4.2, RFC 9068 §2.2.3); an API key lists them the same way in its configuration.
 */
export const SCOPES = ["ivs:read", "ivs:write", "ivs:secrets", "ivs:admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** What each scope allows, for documentation and error messages. */
export const SCOPE_MEANINGS: Record<Scope, string> = {
  "ivs:read": "queries and subscriptions",
  "ivs:write": "mutations that create, change or delete channels, keys and configurations",
  "ivs:secrets": "stream-key values and SRT passphrases",
  "ivs:admin": "viewer-session revocation, playback key-pair import and delete, the audit trail",
};

const KNOWN = new Set<string>(SCOPES);

/** One set per combination of scopes (there are 16), shared by every principal holding that combination. */
const SHARED_SETS = new Map<string, ReadonlySet<Scope>>();

/**
 * The gateway's scopes in a `scope` claim. Unknown scopes (other APIs' scopes on the same token) are
 * ignored rather than refused; anything but a string grants nothing. The set is shared and read-only (a
 * principal is made per socket and request; its scopes need not be).
 */
export function parseScopeClaim(claim: unknown): ReadonlySet<Scope> {
  const words = typeof claim === "string" ? new Set(claim.split(" ")) : new Set<string>();
  const held = SCOPES.filter((scope) => words.has(scope));
  const key = held.join(" ");
  let set = SHARED_SETS.get(key);
  if (!set) {
    set = new Set(held);
    SHARED_SETS.set(key, set);
  }
  return set;
}

/** Like `parseScopeClaim`, for configuration: an unknown scope there is a typo, so it is reported. */
export function parseConfiguredScopes(value: string): { scopes: Set<Scope>; unknown: string[] } {
  const words = value.split(/\s+/).filter(Boolean);
  return {
    scopes: new Set(words.filter((w) => KNOWN.has(w)) as Scope[]),
    unknown: words.filter((w) => !KNOWN.has(w)),
  };
}
