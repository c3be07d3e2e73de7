import {
  createRemoteJWKSet,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from "jose";
import { unauthenticated } from "./errors.ts";
import type { Principal } from "./principal.ts";
import { parseScopeClaim, type Scope } from "./scopes.ts";

export interface JwtVerifierOptions {
  /** HS256/384/512 shared secret. Exactly one of `secret` and `jwksUrl`. */
  secret?: string;
  /** JWKS of an identity provider (asymmetric algorithms only). */
  jwksUrl?: string;
  /** Required `iss`. */
  issuer: string;
  /** Required `aud` (one of the token's audiences). */
  audience: string;
  /** Claim holding the caller's tenant; absent = tenancy off. */
  tenantClaim?: string;
  /** Tag key compared with the tenant. */
  tenantTagKey: string;
  /** Clock skew allowed on `exp`/`nbf`. Default 5 s. */
  clockToleranceSeconds?: number;
}

// Pinning the algorithm family stops the classic confusion attacks (an HMAC token "signed" with a
// public key, `alg: none`): a secret only ever verifies HMAC, a JWKS only asymmetric signatures.
const HMAC = ["HS256", "HS384", "HS512"];
const ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

/** Verifies bearer JWTs (signature, `exp`, `nbf`, issuer, audience) and turns their claims into a Principal. */
export function createJwtVerifier(options: JwtVerifierOptions): (token: string) => Promise<Principal> {
  let key: JWTVerifyGetKey;
  if (options.secret) key = hmacKeys(new TextEncoder().encode(options.secret));
  else if (options.jwksUrl) key = createRemoteJWKSet(new URL(options.jwksUrl));
  else throw new Error("createJwtVerifier needs a secret or a JWKS URL");
  const algorithms = options.secret ? HMAC : ASYMMETRIC;

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms,
        clockTolerance: options.clockToleranceSeconds ?? 5,
        // A token without an expiry would be a password that never changes; refuse it.
        requiredClaims: ["exp", "sub"],
      }));
    } catch (error) {
      throw unauthenticated(error instanceof joseErrors.JWTExpired ? "expired" : "invalid");
    }
    return principalFromClaims(payload, options);
  };
}

/**
 * The shared secret as jose uses it, imported once per HMAC algorithm: given the raw bytes, jose imports
 * them into a CryptoKey on every verification (a tenth of a cheap request's CPU). This hands it the same
 * key (raw, HMAC with the algorithm's hash, verify only, not extractable), which jose still checks
 * against the token's algorithm. Called only for an algorithm `algorithms` allows.
 */
function hmacKeys(secret: Uint8Array<ArrayBuffer>): JWTVerifyGetKey {
  const imported = new Map<string, Promise<CryptoKey>>();
  return ({ alg }) => {
    if (!alg || !HMAC.includes(alg)) return secret;
    let key = imported.get(alg);
    if (!key) {
      key = crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: `SHA-${alg.slice(2)}` }, false, [
        "verify",
      ]);
      imported.set(alg, key);
    }
    return key;
  };
}

function principalFromClaims(payload: JWTPayload, options: JwtVerifierOptions): Principal {
  const scopes: ReadonlySet<Scope> = parseScopeClaim(payload.scope);
  const principal: Principal = {
    id: `jwt:${payload.sub}`,
    kind: "jwt",
    scopes,
    expiresAt: (payload.exp as number) * 1000,
  };
  if (!options.tenantClaim) return principal;
  const tenant = payload[options.tenantClaim];
  if (typeof tenant === "string" && tenant !== "")
    return { ...principal, tenant: { tagKey: options.tenantTagKey, value: tenant } };
  // A tenant claim of another shape is a mistake of the issuer; treating it as absent could widen access.
  if (tenant !== undefined) throw unauthenticated("invalid");
  // With tenancy on, seeing every tenant's channels is an administrator's privilege.
  if (!scopes.has("ivs:admin")) throw unauthenticated("no-tenant");
  return principal;
}
