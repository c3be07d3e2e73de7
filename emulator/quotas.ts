import { IVS_RATE_QUOTAS, PUT_METADATA_PER_CHANNEL } from "../model/quotas.ts";

/** The rates the emulator enforces: IVS's published quotas (model/quotas.ts). */
export const RATE_LIMITS: Readonly<Record<string, number>> = IVS_RATE_QUOTAS;
export { PUT_METADATA_PER_CHANNEL };

export interface QuotaOptions {
  /** Enforce request-rate quotas. Default true. */
  enabled: boolean;
  /** Multiplies every rate (e.g. 10 for a fast test, 0.5 for a stricter account). Default 1. */
  scale: number;
  /** Per-operation overrides of the rate (TPS before scaling). */
  rates?: Record<string, number>;
}

/**
 * Token buckets holding one second of burst at each rate, refilled continuously: a steady flow at the
 * published rate always passes, a burst beyond it gets 429s.
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    public options: QuotaOptions,
    private now: () => number = () => performance.now(),
  ) {}

  rateOf(operation: string): number | undefined {
    const base = this.options.rates?.[operation] ?? RATE_LIMITS[operation];
    return base === undefined ? undefined : base * this.options.scale;
  }

  /** Takes one token for `key` at `rate`; false when the bucket is empty. */
  take(key: string, rate: number): boolean {
    if (!this.options.enabled || rate <= 0) return true;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: rate, at: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  reset(): void {
    this.buckets.clear();
  }
}
