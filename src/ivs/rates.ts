import { IVS_RATE_QUOTAS, PUT_METADATA_PER_CHANNEL } from "../../model/quotas.ts";

/** IVS's published request-rate quotas (model/quotas.ts): what the gateway budgets under. */
export const IVS_RATES = IVS_RATE_QUOTAS;
export { PUT_METADATA_PER_CHANNEL };

/** An operation the table does not know (a newer SDK) gets the most common rate. */
const UNKNOWN_RATE = 5;

/** One budget a call must pass: a key shared by every caller of the account, and its quota. */
export interface RateKey {
  key: string;
  /** Requests per second IVS allows for this key. */
  rate: number;
}

/**
 * The budgets an IVS call draws from: its operation's, and for PutMetadata also its channel's.
 * `overrides` replaces table rates (IVS_RATES in the configuration).
 */
export function rateKeysOf(
  operation: string,
  input: unknown,
  overrides: Readonly<Record<string, number>> = {},
): RateKey[] {
  const keys: RateKey[] = [
    { key: operation, rate: overrides[operation] ?? IVS_RATES[operation] ?? UNKNOWN_RATE },
  ];
  const channelArn = (input as { channelArn?: unknown } | undefined)?.channelArn;
  if (operation === "PutMetadata" && typeof channelArn === "string")
    keys.unshift({ key: `PutMetadata:${channelArn}`, rate: PUT_METADATA_PER_CHANNEL });
  return keys;
}
