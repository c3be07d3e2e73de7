import { SignJWT } from "jose";
import { createAuthenticator } from "../../src/auth/authenticate.ts";
import { fullAccessPrincipal } from "../../src/auth/principal.ts";
import { SCOPES } from "../../src/auth/scopes.ts";
import type { GatewaySecurity } from "../../src/auth/security.ts";
import { loadConfig } from "../../src/config/gateway.ts";

/**
 * Tests about IVS behaviour call the gateway as an administrator with a real bearer token, checked
 * by the production authenticator; tests about access control (test/security) build their own.
 */
const secret = "test-secret-for-the-gateway-harness-0123456789";
const issuer = "test-issuer";
const audience = "ivs-gateway-test";

const token = await new SignJWT({ scope: SCOPES.join(" ") })
  .setProtectedHeader({ alg: "HS256" })
  .setSubject("test-admin")
  .setIssuer(issuer)
  .setAudience(audience)
  .setExpirationTime("1d")
  .sign(new TextEncoder().encode(secret));

/** Headers every harness request sends. */
export const TEST_AUTH_HEADERS = { authorization: `Bearer ${token}` };

/** Production limits at their defaults (embedded: introspection on), with the test authenticator. */
export const TEST_SECURITY: GatewaySecurity = {
  authenticator: createAuthenticator({ jwt: { secret, issuer, audience } }),
  limits: loadConfig({}).limits,
};

/** For resolvers called without GraphQL. */
export const TEST_PRINCIPAL = fullAccessPrincipal("test-admin", "jwt");
