import { type ApiKeyEntry, createApiKeyVerifier } from "./api-keys.ts";
import { DEV_AUDIENCE, DEV_ISSUER } from "./dev-token.ts";
import { unauthenticated } from "./errors.ts";
import { fullAccessPrincipal, type Principal } from "./principal.ts";
import { createJwtVerifier } from "./verify-jwt.ts";

/** Turns what a caller presents into a Principal, or throws the 401 error `unauthenticated()` builds. */
export interface Authenticator {
  /** HTTP and SSE: `Authorization: Bearer <jwt>` or `x-api-key: <key>`. */
  fromHeaders(header: (name: string) => string | null | undefined): Promise<Principal>;
  /** graphql-ws: the `connection_init` payload, with the same names as the headers. */
  fromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): Promise<Principal>;
}

export interface AuthenticatorOptions {
  /** Every caller is let in with every scope (AUTH_DISABLED=true). */
  disabled?: boolean;
  jwt?: { secret?: string; jwksUrl?: string; issuer: string; audience: string };
  apiKeys?: readonly ApiKeyEntry[];
  /** Claim naming the caller's tenant; absent = tenancy off. */
  tenantClaim?: string;
  /** Tag key a tenant's channels carry. Default `tenant`. */
  tenantTagKey?: string;
}

/** The header API keys travel in on /graphql (POST /events has its own key and header). */
export const API_KEY_HEADER = "x-api-key";

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const tenantTagKey = options.tenantTagKey ?? "tenant";
  const verifyJwt = options.jwt
    ? createJwtVerifier({
        ...options.jwt,
        tenantTagKey,
        ...(options.tenantClaim ? { tenantClaim: options.tenantClaim } : {}),
      })
    : undefined;
  const verifyKey = options.apiKeys?.length ? createApiKeyVerifier(options.apiKeys, tenantTagKey) : undefined;
  const anonymous = fullAccessPrincipal("anonymous", "anonymous");

  const authenticate = async (authorization: unknown, apiKey: unknown): Promise<Principal> => {
    if (options.disabled) return anonymous;
    const hasAuthorization = authorization !== undefined && authorization !== null && authorization !== "";
    const hasKey = apiKey !== undefined && apiKey !== null && apiKey !== "";
    if (hasAuthorization && hasKey) throw unauthenticated("ambiguous");
    if (hasKey) {
      const principal = typeof apiKey === "string" ? verifyKey?.(apiKey) : undefined;
      if (!principal) throw unauthenticated("invalid");
      return principal;
    }
    if (!hasAuthorization) throw unauthenticated("missing");
    const match = typeof authorization === "string" ? /^Bearer +([^\s]+) *$/i.exec(authorization) : null;
    if (!match?.[1] || !verifyJwt) throw unauthenticated("invalid");
    return verifyJwt(match[1]);
  };

  return {
    fromHeaders: (header) => authenticate(header("authorization"), header(API_KEY_HEADER)),
    fromConnectionParams: (params) =>
      authenticate(params?.authorization ?? params?.Authorization, params?.[API_KEY_HEADER]),
  };
}

/** Options for the embedded development mode: a bearer token signed with a secret minted at start. */
export function devAuthenticatorOptions(secret: string): AuthenticatorOptions {
  return { jwt: { secret, issuer: DEV_ISSUER, audience: DEV_AUDIENCE } };
}
