import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import { SCOPES } from "./scopes.ts";

/** Issuer and audience of development tokens; the verifier of development mode checks both. */
export const DEV_ISSUER = "ivs-gateway-dev";
export const DEV_AUDIENCE = "ivs-gateway";

export interface DevCredentials {
  /** HS256 secret, random per start; held in memory only, never logged or printed. */
  secret: string;
  /** A token with every scope, for the developer to paste into GraphiQL or a client. */
  token: string;
  expiresAt: Date;
}

/**
 * Credentials for the embedded development mode when no authentication is configured: the gateway
 * still checks a bearer token (secure by default), it just mints the only valid one itself.
 */
export async function createDevCredentials(lifetimeSeconds = 24 * 3600): Promise<DevCredentials> {
  const secret = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + lifetimeSeconds * 1000);
  const token = await new SignJWT({ scope: SCOPES.join(" ") })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject("developer")
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(new TextEncoder().encode(secret));
  return { secret, token, expiresAt };
}
