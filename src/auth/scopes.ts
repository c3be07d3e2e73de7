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
/** Each scope's one string: a principal holds these, not the pieces of its token's claim (one per socket). */
const CANONICAL = new Map<string, Scope>(SCOPES.map((s) => [s, s]));

/**
 * The gateway's scopes in a `scope` claim. Unknown scopes (other APIs' scopes on the same token) are
 * ignored rather than refused; anything but a string grants nothing.
 */
export function parseScopeClaim(claim: unknown): Set<Scope> {
  const scopes = new Set<Scope>();
  if (typeof claim !== "string") return scopes;
  for (const word of claim.split(" ")) {
    const scope = CANONICAL.get(word);
    if (scope) scopes.add(scope);
  }
  return scopes;
}

/** Like `parseScopeClaim`, for configuration: an unknown scope there is a typo, so it is reported. */
export function parseConfiguredScopes(value: string): { scopes: Set<Scope>; unknown: string[] } {
  const words = value.split(/\s+/).filter(Boolean);
  return {
    scopes: new Set(words.filter((w) => KNOWN.has(w)) as Scope[]),
    unknown: words.filter((w) => !KNOWN.has(w)),
  };
}
