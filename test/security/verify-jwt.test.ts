import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createJwtVerifier } from "../../src/auth/verify-jwt.ts";

const SECRET = "a-shared-secret-of-at-least-32-bytes!";
const OPTIONS = {
  secret: SECRET,
  issuer: "https://issuer.example/",
  audience: "ivs-gateway",
  tenantTagKey: "tenant",
};

function token(alg: string, secret = SECRET, claims: Record<string, unknown> = {}) {
  return new SignJWT({ scope: "ivs:read", ...claims })
    .setProtectedHeader({ alg })
    .setSubject("u")
    .setIssuer(OPTIONS.issuer)
    .setAudience(OPTIONS.audience)
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(secret));
}

/** Swaps a token's header for another one, keeping its payload and signature. */
function withHeader(jwt: string, header: object): string {
  const [, payload, signature] = jwt.split(".");
  return `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${payload}.${signature}`;
}

describe("JWT verification with a shared secret (the key imported once per algorithm)", () => {
  const verify = createJwtVerifier(OPTIONS);

  it("accepts each HMAC algorithm, again and again, signed with the secret", async () => {
    for (let i = 0; i < 3; i++)
      for (const alg of ["HS256", "HS384", "HS512"])
        await expect(verify(await token(alg)), alg).resolves.toMatchObject({ id: "jwt:u", kind: "jwt" });
  });

  it("refuses each HMAC algorithm signed with another secret, before and after a valid token", async () => {
    for (const alg of ["HS256", "HS384", "HS512"]) {
      const forged = await token(alg, "another-secret-of-at-least-32-bytes!!");
      await expect(verify(forged), alg).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
      await verify(await token(alg));
      await expect(verify(forged), alg).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    }
  });

  it("refuses a token whose header names another algorithm than it was signed with", async () => {
    const hs256 = await token("HS256");
    for (const alg of ["HS384", "HS512", "RS256", "none"])
      await expect(verify(withHeader(hs256, { alg })), alg).rejects.toMatchObject({
        extensions: { code: "UNAUTHENTICATED" },
      });
    await expect(verify(hs256)).resolves.toMatchObject({ id: "jwt:u" });
  });

  it("refuses an expired token signed with the secret", async () => {
    const expired = await new SignJWT({ scope: "ivs:read" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("u")
      .setIssuer(OPTIONS.issuer)
      .setAudience(OPTIONS.audience)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(SECRET));
    await expect(verify(expired)).rejects.toMatchObject({ message: "The token has expired" });
  });
});
