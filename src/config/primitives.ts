/**
 * The leaf every configuration parser builds on: the environment's type, the error naming a variable, and
 * the parsers of values many variables share. It imports nothing, so src/auth/config.ts and
 * src/ivs/config.ts use it without a circle through the gateway's configuration (gateway.ts).
 */

export type Env = Record<string, string | undefined>;

/** A bad or inconsistent variable; the message starts with the variable's name. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable} ${message}`);
  }
}

/** Validates a whole number in [min, max]; used by every section's parser. */
export function int(
  variable: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const n = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new ConfigError(variable, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

export function bool(variable: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(variable, `must be true or false, got "${raw}"`);
}

/** Hides the password of a URL, for logs. */
export function redactUrl(raw: string): string {
  const url = new URL(raw);
  if (url.password) url.password = "***";
  return url.href;
}
