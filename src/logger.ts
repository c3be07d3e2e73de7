import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import type { LogLevel } from "./config/variables.ts";
import { redactSecrets } from "./redact.ts";

export type { Logger } from "pino";

/**
 * Keys whose values never reach a log line, at any depth up to four levels: stream keys (`value`,
 * `streamKey`), SRT passphrases, private keys of playback key pairs, credentials and tokens.
 */
export const SECRET_KEYS = [
  "value",
  "streamKey",
  "passphrase",
  "privateKey",
  "publicKeyMaterial",
  "apiKey",
  "authorization",
  "Authorization",
  "cookie",
  "token",
  "accessToken",
  "sessionToken",
  "secretAccessKey",
  "password",
  // Auth: JWT secrets, playback signing keys, bearer tokens wherever they are carried.
  "secret",
  "privateKeyPem",
  "connectionParams",
] as const;

/** Request headers that carry credentials, wherever a `headers` object is logged. */
const SECRET_HEADERS = ["x-api-key", "x-amz-security-token", "proxy-authorization"] as const;

const DEPTH = 4;

/** Redaction paths for pino: each secret key at the top level and under one to three wildcards. */
export function redactPaths(keys: readonly string[] = SECRET_KEYS): string[] {
  const paths: string[] = [];
  for (let depth = 0; depth < DEPTH; depth++) {
    const prefix = "*.".repeat(depth);
    for (const key of keys) paths.push(`${prefix}${key}`);
    for (const header of SECRET_HEADERS) paths.push(`${prefix}headers["${header}"]`);
  }
  return paths;
}

export interface LoggerOptions {
  /** Default `info`. */
  level?: LogLevel;
  /** Where lines go. Default stdout, written synchronously. */
  destination?: DestinationStream;
  /** Human-readable lines (pino-pretty, colored) instead of JSON, for a developer's terminal. Default false. */
  pretty?: boolean;
}

/** The gateway's structured logger (JSON lines or pretty ones, secrets redacted either way). */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: "ivs-gateway",
      level: options.level ?? "info",
      redact: { paths: redactPaths(), censor: "[redacted]" },
      // Key paths catch secrets where they are expected; this catches them echoed into any string
      // (a message, an error's message or stack, a field the paths do not know).
      hooks: { streamWrite: redactSecrets },
      base: { pid: process.pid },
    },
    // Synchronous by default: lines keep their order with console output and survive a crash or exit.
    options.destination ??
      (options.pretty
        ? pretty({
            sync: true,
            colorize: true,
            singleLine: true,
            translateTime: "SYS:HH:MM:ss.l",
            // The configuration dump at start is for machines (LOG_FORMAT=json); a terminal gets the gist.
            ignore: "pid,hostname,name,config",
          })
        : pino.destination({ dest: 1, sync: true })),
  );
}
