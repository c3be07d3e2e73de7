/**
 * Request-rate quotas per operation, per account and region, from the IVS service-quota page
 * (QUOTAS.md in the reference). Ad-configuration rates are not published; 5 TPS is our choice.
 */
export const RATE_LIMITS: Record<string, number> = {
  BatchGetChannel: 5,
  CreateChannel: 5,
  DeleteChannel: 5,
  GetChannel: 5,
  ListChannels: 5,
  UpdateChannel: 5,
  CreatePlaybackRestrictionPolicy: 5,
  DeletePlaybackRestrictionPolicy: 5,
  GetPlaybackRestrictionPolicy: 5,
  ListPlaybackRestrictionPolicies: 5,
  UpdatePlaybackRestrictionPolicy: 5,
  DeletePlaybackKeyPair: 3,
  GetPlaybackKeyPair: 3,
  ImportPlaybackKeyPair: 3,
  ListPlaybackKeyPairs: 3,
  BatchStartViewerSessionRevocation: 2,
  StartViewerSessionRevocation: 10,
  CreateRecordingConfiguration: 3,
  DeleteRecordingConfiguration: 3,
  GetRecordingConfiguration: 3,
  ListRecordingConfigurations: 3,
  GetStream: 5,
  GetStreamSession: 5,
  ListStreams: 5,
  ListStreamSessions: 5,
  StopStream: 5,
  PutMetadata: 155,
  BatchGetStreamKey: 5,
  CreateStreamKey: 5,
  DeleteStreamKey: 5,
  GetStreamKey: 5,
  ListStreamKeys: 5,
  ListTagsForResource: 10,
  TagResource: 10,
  UntagResource: 10,
  CreateAdConfiguration: 5,
  GetAdConfiguration: 5,
  UpdateAdConfiguration: 5,
  DeleteAdConfiguration: 5,
  ListAdConfigurations: 5,
  InsertAdBreak: 5,
};

/** PutMetadata is also limited per channel. */
export const PUT_METADATA_PER_CHANNEL = 5;

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
