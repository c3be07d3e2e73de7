/**
 * Secret values recognisable by their shape, wherever they occur in a text: IVS stream keys
 * (`sk_<region>_<random>`), JWTs (bearer tokens, playback tokens), `Bearer`/`Basic` credentials and
 * PEM private keys (also with their newlines escaped, as in a JSON line). Secrets without a shape (API
 * keys, SRT passphrases) are kept out by the logger's key paths (src/logger.ts) and by not echoing input.
 */
const SECRET_SHAPES: readonly RegExp[] = [
  /(?<![A-Za-z0-9])sk_[a-z0-9-]+_[A-Za-z0-9_]{4,}/g,
  /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?/g,
  // A credential after its scheme: 16+ token characters with a digit or symbol (not an English word).
  /\b(Bearer|Basic)\s+(?=[A-Za-z0-9._~+/=-]{16})[A-Za-z-]*[0-9._~+/=][A-Za-z0-9._~+/=-]*/gi,
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[A-Za-z0-9+/=\s\\]*(?:-----END [A-Z0-9 ]*PRIVATE KEY-----)?/g,
  // The password of a URL (`redis://user:secret@host`), as connection errors quote it: the user is kept.
  /(?<=\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s"]*:)[^@\s"]+(?=@)/gi,
];
/** Cheap pre-check, so that the common line without anything secret-shaped costs one scan. */
const MAYBE_SECRET = /sk_|eyJ|bearer|basic|PRIVATE KEY|:\/\/[^\s"]*@/i;

/** `text` with every secret-shaped value replaced by `[redacted]` (log lines and client messages alike). */
export function redactSecrets(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  let out = text;
  for (const shape of SECRET_SHAPES)
    out = out.replace(shape, (_match, scheme?: string) =>
      typeof scheme === "string" && /^(bearer|basic)$/i.test(scheme) ? `${scheme} [redacted]` : "[redacted]",
    );
  return out;
}
