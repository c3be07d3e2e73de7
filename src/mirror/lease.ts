import type { Redis } from "ioredis";

/** Which replica runs the sync loop: one at a time, so that the account is listed once, not per replica. */
export interface Leadership {
  readonly leader: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One process: it is always the leader. */
export function soleLeader(): Leadership {
  return { leader: true, start: async () => {}, stop: async () => {} };
}

const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2], "NX") and 1 or 0`;
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`;

export interface RedisLeaseOptions {
  redis: Redis;
  key: string;
  /** This replica's id. */
  id: string;
  /** How long a lease lasts unless renewed (a dead leader is replaced after this). Default 15 s. */
  ttlMs?: number;
  onChange?: (leader: boolean) => void;
  onError?: (error: unknown) => void;
}

/**
 * A lease in Redis (SET NX PX), renewed every third of its life; whoever holds it leads. When Redis
 * cannot be reached the replica stops leading at once: two leaders would list the account twice.
 */
export class RedisLease implements Leadership {
  private held = false;
  private failing = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly ttlMs: number;

  constructor(private readonly options: RedisLeaseOptions) {
    this.ttlMs = options.ttlMs ?? 15_000;
  }

  get leader(): boolean {
    return this.held;
  }

  async start(): Promise<void> {
    await this.renew();
    this.timer = setInterval(() => void this.renew(), Math.max(100, this.ttlMs / 3));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (!this.held) return;
    this.set(false);
    await this.options.redis.eval(RELEASE, 1, this.options.key, this.options.id).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    try {
      const got = await this.options.redis.eval(
        RENEW,
        1,
        this.options.key,
        this.options.id,
        String(this.ttlMs),
      );
      this.set(got === 1);
    } catch (error) {
      // Once per outage: a renewal fails every third of the lease's life until Redis is back.
      if (!this.failing) this.options.onError?.(error);
      this.failing = true;
      this.set(false);
      return;
    }
    this.failing = false;
  }

  private set(leader: boolean): void {
    if (leader === this.held) return;
    this.held = leader;
    this.options.onChange?.(leader);
  }
}
