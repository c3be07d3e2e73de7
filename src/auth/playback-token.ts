import { createPrivateKey, createPublicKey, type KeyObject, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { ValidationError } from "../errors.ts";

/** What a caller asks for; each claim is one the IVS User Guide's "Setting up private channels" page documents for playback tokens. */
export interface PlaybackTokenRequest {
  channelArn: string;
  /** `aws:viewer-id`: needed to revoke the viewer later; 1–40 characters, no personal data. */
  viewerId?: string | null;
  /** `aws:access-control-allow-origin`: allowed browser origins; `https://*.example.com` allowed. */
  origins?: readonly string[] | null;
  /** `aws:strict-origin-enforcement`: check the Origin on every playback request, not just the first. */
  strictOriginEnforcement?: boolean | null;
  /** `aws:single-use-uuid`: the token works for one playback start. */
  singleUse?: boolean | null;
  /** `aws:viewer-session-version`: revocation compares it; only with a viewer id. */
  viewerSessionVersion?: number | null;
  /** `aws:maximum-resolution`: renditions above it are filtered out. */
  maximumResolution?: "SD" | "HD" | "FULL_HD" | null;
  /** Lifetime for starting playback. Default 600 s. */
  expiresInSeconds?: number | null;
}

export interface PlaybackToken {
  token: string;
  expiresAt: Date;
  channelArn: string;
  /** The `aws:single-use-uuid`, when single-use. */
  singleUseId?: string;
}

/** IVS caps `exp` at 10 minutes ahead when a token names a viewer or is single-use. */
export const BOUNDED_MAX_SECONDS = 600;
/** The gateway's own cap for other tokens: they cannot be revoked, so they should not live long. */
export const UNBOUNDED_MAX_SECONDS = 24 * 3600;
export const DEFAULT_SECONDS = 600;
/** IVS's cap on origins with strict enforcement. */
export const MAX_STRICT_ORIGINS = 5;
/** The gateway's cap otherwise (IVS has none), to keep tokens a sane size. */
export const MAX_ORIGINS = 50;

// scheme://host[:port], where host may start with `*.` (IVS's wildcard). No path, no comma (the claim
// joins origins with commas).
const ORIGIN = /^https?:\/\/(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?$/;

/** Loads a PEM private key and checks it is what IVS verifies: ECDSA on P-384. */
export function loadPlaybackPrivateKey(pem: string): KeyObject {
  const key = createPrivateKey({ key: pem, format: "pem" });
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "secp384r1")
    throw new Error("must be an ECDSA P-384 (secp384r1) private key in PEM");
  return key;
}

/** The public half, as the PEM `importPlaybackKeyPair(input: { publicKeyMaterial })` takes. */
export function playbackPublicKeyPem(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString().trim();
}

/** Checks a request against IVS's bounds; throws a ValidationError naming the input field. */
export function checkPlaybackTokenRequest(request: PlaybackTokenRequest): number {
  const bounded = Boolean(request.viewerId) || Boolean(request.singleUse);
  const seconds = request.expiresInSeconds ?? DEFAULT_SECONDS;
  const max = bounded ? BOUNDED_MAX_SECONDS : UNBOUNDED_MAX_SECONDS;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > max)
    throw new ValidationError(
      bounded
        ? `expiresInSeconds must be 1 to ${max}: IVS refuses tokens with a viewer id or single use that expire later than 10 minutes`
        : `expiresInSeconds must be 1 to ${max}`,
      "input.expiresInSeconds",
    );
  if (request.viewerId !== undefined && request.viewerId !== null) {
    const length = [...request.viewerId].length;
    if (length < 1 || length > 40)
      throw new ValidationError("viewerId must be 1 to 40 characters", "input.viewerId");
  }
  const version = request.viewerSessionVersion;
  if (version !== undefined && version !== null) {
    if (!request.viewerId)
      throw new ValidationError(
        "viewerSessionVersion only has a meaning with a viewerId",
        "input.viewerSessionVersion",
      );
    if (!Number.isSafeInteger(version) || version < 0)
      throw new ValidationError(
        "viewerSessionVersion must be a whole number ≥ 0",
        "input.viewerSessionVersion",
      );
  }
  const origins = request.origins ?? [];
  const cap = request.strictOriginEnforcement ? MAX_STRICT_ORIGINS : MAX_ORIGINS;
  if (origins.length > cap)
    throw new ValidationError(
      request.strictOriginEnforcement
        ? `at most ${cap} origins with strictOriginEnforcement (IVS's limit)`
        : `at most ${cap} origins`,
      "input.origins",
    );
  const bad = origins.findIndex((o) => !ORIGIN.test(o));
  if (bad >= 0)
    throw new ValidationError(
      "each origin must be scheme://host[:port], the host optionally starting with *.",
      `input.origins[${bad}]`,
    );
  if (request.strictOriginEnforcement && origins.length === 0)
    throw new ValidationError("strictOriginEnforcement needs at least one origin", "input.origins");
  return seconds;
}

/** Signs IVS playback tokens (ES384, IVS's `aws:` claims) with the configured private key. */
export function createPlaybackTokenSigner(privateKey: KeyObject, now: () => number = Date.now) {
  return {
    publicKeyPem: playbackPublicKeyPem(privateKey),
    async sign(request: PlaybackTokenRequest): Promise<PlaybackToken> {
      const seconds = checkPlaybackTokenRequest(request);
      const exp = Math.floor(now() / 1000) + seconds;
      const singleUseId = request.singleUse ? randomUUID() : undefined;
      const claims: Record<string, unknown> = { "aws:channel-arn": request.channelArn };
      if (request.origins?.length) claims["aws:access-control-allow-origin"] = request.origins.join(",");
      if (request.strictOriginEnforcement) claims["aws:strict-origin-enforcement"] = true;
      if (singleUseId) claims["aws:single-use-uuid"] = singleUseId;
      if (request.viewerId) claims["aws:viewer-id"] = request.viewerId;
      if (request.viewerSessionVersion !== undefined && request.viewerSessionVersion !== null)
        claims["aws:viewer-session-version"] = request.viewerSessionVersion;
      if (request.maximumResolution) claims["aws:maximum-resolution"] = request.maximumResolution;
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: "ES384", typ: "JWT" })
        .setExpirationTime(exp)
        .sign(privateKey);
      return {
        token,
        expiresAt: new Date(exp * 1000),
        channelArn: request.channelArn,
        ...(singleUseId ? { singleUseId } : {}),
      };
    },
  };
}

export type PlaybackTokenSigner = ReturnType<typeof createPlaybackTokenSigner>;
