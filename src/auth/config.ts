import { readFileSync } from "node:fs";
import { boolVar, ConfigError, intVar, textVar } from "../config/primitives.ts";
import { type ApiKeyEntry, parseApiKeys } from "./api-keys.ts";
import { loadPlaybackPrivateKey } from "./playback-token.ts";

/**
 * How callers authenticate: `credentials` (JWTs and/or API keys configured), `dev` (embedded emulator,
 * nothing configured: a token is minted at start), `disabled` (AUTH_DISABLED=true), `unconfigured`
 * (another backend with nothing configured: the gateway refuses to start).
 */
export type AuthMode = "credentials" | "dev" | "disabled" | "unconfigured";

export interface AuthConfig {
  mode: AuthMode;
  jwt?: { secret?: string; jwksUrl?: string; issuer: string; audience: string };
  apiKeys: ApiKeyEntry[];
  /** Tag key marking a channel's tenant. */
  tenantTagKey: string;
  /** Token claim naming the caller's tenant; unset = tenancy off. */
  tenantClaim?: string;
}

export interface LimitsConfig {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxTokens: number;
  maxBodyBytes: number;
  /** Operations per principal per minute; 0 = off. */
  rateLimitPerMinute: number;
  introspection: boolean;
  /** "Did you mean …?" in validation errors (development only by default: they reveal the schema). */
  fieldSuggestions: boolean;
  /**
   * Yoga's CSRF prevention. It protects requests that ride on ambient credentials (AUTH_DISABLED, or a
   * cookie-authenticating proxy in front); a bearer token or API key in a header is already proof.
   */
  csrfPrevention: boolean;
  /** Subscriptions one principal may hold open on one replica, over graphql-ws and SSE together. */
  maxSubscriptionsPerPrincipal: number;
  /** graphql-ws sockets and SSE streams one principal may hold open on one replica. */
  maxConnectionsPerPrincipal: number;
  /**
   * Origins allowed to call from a browser (CORS_ORIGINS): exact origins, or `*` for any origin (then never
   * with credentials). Empty: no cross-origin access.
   */
  corsOrigins: string[];
  /** CORS_CREDENTIALS: send Access-Control-Allow-Credentials to the allowed origins (cookie-authenticating proxies). */
  corsCredentials: boolean;
}

export interface PlaybackConfig {
  /** PEM of the ECDSA P-384 private key that signs playback tokens. A secret. */
  privateKeyPem: string;
}

type RawAuth = Record<
  "jwtSecret" | "jwksUrl" | "issuer" | "audience" | "apiKeys" | "disabled" | "tenantTagKey" | "tenantClaim",
  string | undefined
>;

/** HS256 needs a key at least as long as its hash (RFC 7518 §3.2). */
const MIN_SECRET_LENGTH = 32;

export function parseAuthConfig(raw: RawAuth, embedded: boolean): AuthConfig {
  const disabled = boolVar("AUTH_DISABLED", raw.disabled);
  const tenantTagKey = textVar("TENANT_TAG_KEY", raw.tenantTagKey);
  if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(tenantTagKey) || tenantTagKey.startsWith("aws:"))
    throw new ConfigError(
      "TENANT_TAG_KEY",
      `must be an IVS tag key (1–128 characters, not aws:…), got "${tenantTagKey}"`,
    );
  if (raw.tenantClaim !== undefined && !/^[A-Za-z0-9_:./-]{1,128}$/.test(raw.tenantClaim))
    throw new ConfigError("TENANT_CLAIM", `must be a claim name, got "${raw.tenantClaim}"`);
  const configured = (["jwtSecret", "jwksUrl", "apiKeys"] as const).filter((k) => raw[k] !== undefined);
  if (disabled && (configured.length > 0 || raw.tenantClaim !== undefined))
    throw new ConfigError(
      "AUTH_DISABLED",
      "cannot be combined with AUTH_JWT_SECRET, AUTH_JWKS_URL, AUTH_API_KEYS or TENANT_CLAIM",
    );

  const base = {
    tenantTagKey,
    ...(raw.tenantClaim !== undefined ? { tenantClaim: raw.tenantClaim } : {}),
  };
  const jwt = parseJwt(raw);
  const apiKeys = raw.apiKeys === undefined ? [] : apiKeyEntries(raw.apiKeys, raw.tenantClaim);
  if (disabled) return { mode: "disabled", apiKeys, ...base };
  if (jwt || apiKeys.length > 0) return { mode: "credentials", ...(jwt ? { jwt } : {}), apiKeys, ...base };
  return { mode: embedded ? "dev" : "unconfigured", apiKeys, ...base };
}

function parseJwt(raw: RawAuth): AuthConfig["jwt"] {
  const { jwtSecret, jwksUrl, issuer, audience } = raw;
  if (jwtSecret !== undefined && jwksUrl !== undefined)
    throw new ConfigError("AUTH_JWKS_URL", "cannot be combined with AUTH_JWT_SECRET; set one of them");
  if (jwtSecret === undefined && jwksUrl === undefined) {
    if (issuer !== undefined || audience !== undefined)
      throw new ConfigError(
        issuer !== undefined ? "AUTH_ISSUER" : "AUTH_AUDIENCE",
        "only applies with AUTH_JWT_SECRET or AUTH_JWKS_URL",
      );
    return undefined;
  }
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < MIN_SECRET_LENGTH)
    throw new ConfigError("AUTH_JWT_SECRET", `must be at least ${MIN_SECRET_LENGTH} bytes long`);
  if (jwksUrl !== undefined) checkJwksUrl(jwksUrl);
  // Without both checks, any token the identity provider issues for any application would be accepted.
  if (issuer === undefined) throw new ConfigError("AUTH_ISSUER", "is required with JWT authentication");
  if (audience === undefined) throw new ConfigError("AUTH_AUDIENCE", "is required with JWT authentication");
  return { ...(jwtSecret ? { secret: jwtSecret } : { jwksUrl }), issuer, audience };
}

function checkJwksUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError("AUTH_JWKS_URL", "must be an https:// URL");
  }
  // Plain http would let anyone on the path swap the keys; only loopback (tests, sidecars) is exempt.
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
    throw new ConfigError("AUTH_JWKS_URL", "must be an https:// URL (http only on loopback)");
}

function apiKeyEntries(raw: string, tenantClaim: string | undefined): ApiKeyEntry[] {
  let entries: ApiKeyEntry[];
  try {
    entries = parseApiKeys(raw);
  } catch (error) {
    throw new ConfigError("AUTH_API_KEYS", (error as Error).message);
  }
  const open = entries.find((e) => tenantClaim && !e.tenant && !e.scopes.includes("ivs:admin"));
  if (open)
    throw new ConfigError(
      "AUTH_API_KEYS",
      `key "${open.id}" has no tenant: with TENANT_CLAIM set, only ivs:admin keys may span tenants`,
    );
  return entries;
}

type RawLimits = Record<
  | "maxDepth"
  | "maxCost"
  | "maxAliases"
  | "maxTokens"
  | "maxBodyBytes"
  | "rateLimit"
  | "introspection"
  | "fieldSuggestions"
  | "csrfPrevention"
  | "maxSubscriptions"
  | "maxConnections"
  | "corsOrigins"
  | "corsCredentials",
  string | undefined
>;

/** What development mode allows by default: pages served from this machine, e.g. a Vite dev server. */
export const DEV_CORS_ORIGINS = ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];

/** Defaults are GraphQL Armor's (depth 6, aliases 15, tokens 1000) or stricter. */
/**
 * `embedded`: the backend is the embedded emulator; `mode`: how callers authenticate (development mode is
 * `dev`: embedded with nothing configured).
 */
export function parseLimitsConfig(raw: RawLimits, embedded: boolean, mode: AuthMode): LimitsConfig {
  return {
    maxDepth: intVar("MAX_DEPTH", raw.maxDepth),
    maxCost: intVar("MAX_COST", raw.maxCost),
    maxAliases: intVar("MAX_ALIASES", raw.maxAliases),
    maxTokens: intVar("MAX_TOKENS", raw.maxTokens),
    maxBodyBytes: intVar("MAX_BODY_BYTES", raw.maxBodyBytes),
    rateLimitPerMinute: intVar("RATE_LIMIT_PER_MINUTE", raw.rateLimit),
    // GraphiQL needs introspection; a deployment against real IVS does not advertise its schema.
    introspection: boolVar("INTROSPECTION", raw.introspection, embedded),
    fieldSuggestions: boolVar("FIELD_SUGGESTIONS", raw.fieldSuggestions, mode === "dev"),
    csrfPrevention: boolVar("CSRF_PREVENTION", raw.csrfPrevention, mode === "disabled"),
    maxSubscriptionsPerPrincipal: intVar("MAX_SUBSCRIPTIONS_PER_PRINCIPAL", raw.maxSubscriptions),
    maxConnectionsPerPrincipal: intVar("MAX_CONNECTIONS_PER_PRINCIPAL", raw.maxConnections),
    ...parseCors(raw.corsOrigins, raw.corsCredentials, mode),
  };
}

function parseCors(
  originsRaw: string | undefined,
  credentialsRaw: string | undefined,
  mode: AuthMode,
): Pick<LimitsConfig, "corsOrigins" | "corsCredentials"> {
  const corsCredentials = boolVar("CORS_CREDENTIALS", credentialsRaw);
  if (originsRaw === undefined)
    return { corsOrigins: mode === "dev" ? [...DEV_CORS_ORIGINS] : [], corsCredentials };
  // Lowercased once here: origins compare case-insensitively on every request (src/auth/cors.ts).
  const corsOrigins = originsRaw
    .split(",")
    .map((o) => o.trim().toLowerCase())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin === "*") continue;
    // scheme://host[:port], where the port may be `*` (any port of that host, for dev servers).
    if (!/^https?:\/\/[A-Za-z0-9.[\]:-]+?(:(\d{1,5}|\*))?$/.test(origin))
      throw new ConfigError(
        "CORS_ORIGINS",
        `must be a comma-separated list of origins such as https://app.example.com (or *), got "${origin}"`,
      );
  }
  if (corsOrigins.includes("*") && corsOrigins.length > 1)
    throw new ConfigError("CORS_ORIGINS", "is either * or a list of origins, not both");
  if (corsCredentials && corsOrigins.includes("*"))
    throw new ConfigError(
      "CORS_CREDENTIALS",
      "cannot be used with CORS_ORIGINS=* (any site could send credentials)",
    );
  return { corsOrigins, corsCredentials };
}

/** PLAYBACK_PRIVATE_KEY (PEM; `\n` escapes allowed, as env files need them) or PLAYBACK_PRIVATE_KEY_FILE. */
export function parsePlaybackConfig(
  pem: string | undefined,
  file: string | undefined,
): PlaybackConfig | undefined {
  if (pem !== undefined && file !== undefined)
    throw new ConfigError("PLAYBACK_PRIVATE_KEY_FILE", "cannot be combined with PLAYBACK_PRIVATE_KEY");
  const variable = file !== undefined ? "PLAYBACK_PRIVATE_KEY_FILE" : "PLAYBACK_PRIVATE_KEY";
  let text = pem?.replaceAll("\\n", "\n");
  if (file !== undefined) {
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new ConfigError(variable, `cannot be read: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
    }
  }
  if (text === undefined) return undefined;
  try {
    loadPlaybackPrivateKey(text);
  } catch (error) {
    // Never echo the value: it is a private key.
    const detail =
      error instanceof Error && error.message.startsWith("must")
        ? error.message
        : "must be a PEM private key";
    throw new ConfigError(variable, detail);
  }
  return { privateKeyPem: text };
}

/** The auth configuration as it may be logged: no secret, no key hash. */
export function describeAuth(auth: AuthConfig): Record<string, unknown> {
  return {
    mode: auth.mode,
    jwt: auth.jwt
      ? {
          verifier: auth.jwt.secret ? "shared secret" : auth.jwt.jwksUrl,
          issuer: auth.jwt.issuer,
          audience: auth.jwt.audience,
        }
      : undefined,
    apiKeys: auth.apiKeys.map((k) => k.id),
    tenancy: auth.tenantClaim ? { claim: auth.tenantClaim, tagKey: auth.tenantTagKey } : "off",
  };
}
