import { ConfigError, intVar, numberVar } from "../config/primitives.ts";
import { IVS_RATES } from "./rates.ts";

export interface BudgetConfig {
  /** Share of each IVS quota the gateway uses (0.1–1). */
  share: number;
  /** Per-operation TPS overrides of the quota table (src/ivs/rates.ts). */
  rates: Record<string, number>;
  /** How long an operation's IVS calls may wait for budget and throttle retries, in all. */
  deadlineMs: number;
}

/** The mirror of the account every read is answered from (src/mirror). */
export interface MirrorConfig {
  /** How often account-level lists (channels and their details, configurations) are taken again. */
  resyncMs: number;
  /** How often each channel's key list and session list are taken again. */
  channelResyncMs: number;
  /** How long a lookup of something the mirror lacks waits for other requests' ARNs. */
  windowMs: number;
  /** AES-256-GCM key sealing secrets the mirror keeps in Redis; without it secrets stay in memory. A secret. */
  secretKey?: Buffer;
}

type Raw<K extends string> = Record<K, string | undefined>;

/** IVS_BUDGET_SHARE, IVS_RATES, IVS_QUEUE_DEADLINE_MS (read in src/config.ts). */
export function parseBudgetConfig(raw: Raw<"share" | "rates" | "deadlineMs">): BudgetConfig {
  return {
    share: numberVar("IVS_BUDGET_SHARE", raw.share),
    rates: parseRates(raw.rates),
    deadlineMs: intVar("IVS_QUEUE_DEADLINE_MS", raw.deadlineMs),
  };
}

/** MIRROR_RESYNC_INTERVAL_MS, MIRROR_CHANNEL_RESYNC_INTERVAL_MS, COALESCE_WINDOW_MS, MIRROR_SECRET_KEY. */
export function parseMirrorConfig(
  raw: Raw<"resyncMs" | "channelResyncMs" | "windowMs" | "secretKey">,
): MirrorConfig {
  const config: MirrorConfig = {
    resyncMs: intVar("MIRROR_RESYNC_INTERVAL_MS", raw.resyncMs),
    channelResyncMs: intVar("MIRROR_CHANNEL_RESYNC_INTERVAL_MS", raw.channelResyncMs),
    windowMs: intVar("COALESCE_WINDOW_MS", raw.windowMs),
  };
  if (raw.secretKey !== undefined) {
    const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(raw.secretKey)
      ? Buffer.from(raw.secretKey, "base64")
      : undefined;
    if (key?.length !== 32)
      throw new ConfigError(
        "MIRROR_SECRET_KEY",
        "must be 32 random bytes in base64 (openssl rand -base64 32)",
      );
    config.secretKey = key;
  }
  return config;
}

function parseRates(raw: string | undefined): Record<string, number> {
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError("IVS_RATES", 'must be a JSON object of operation → TPS, e.g. {"GetStream": 5}');
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ConfigError("IVS_RATES", 'must be a JSON object of operation → TPS, e.g. {"GetStream": 5}');
  for (const [operation, tps] of Object.entries(parsed)) {
    // A misspelt name would silently leave the real operation at its default rate.
    if (!(operation in IVS_RATES))
      throw new ConfigError("IVS_RATES", `names no IVS operation: "${operation}"`);
    if (typeof tps !== "number" || !(tps > 0 && tps <= 10_000))
      throw new ConfigError("IVS_RATES", `${operation} must be a rate above 0 and at most 10000`);
  }
  return parsed as Record<string, number>;
}
