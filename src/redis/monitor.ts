import type { Redis } from "ioredis";
import type { Logger } from "../logger.ts";
import { redactSecrets } from "../redact.ts";

export interface RedisMonitorOptions {
  /** Where outages are reported. Default none (counted for /ready, not logged). */
  logger?: Logger;
  /** Within an outage, at most one error line this often, with how many were left out. Default 30 s. */
  quietMs?: number;
  /** Default `Date.now`. */
  now?: () => number;
}

/** What /health and /ready say of Redis. */
export interface RedisStatus {
  /** Every connection of this replica is ready. */
  up: boolean;
  /** Each connection's ioredis status (`ready`, `reconnecting`, …), by name. */
  connections: Record<string, string>;
  /** When the current outage began (ISO time), while down. */
  downSince?: string;
  /** The last connection error seen, without credentials. */
  lastError?: string;
}

/**
 * Watches every Redis connection of the gateway: their `error` events (which ioredis would otherwise print
 * to stderr as "Unhandled error event") become log lines, rate-limited per outage across all connections:
 * the first error at once, then at most one line per `quietMs` counting the ones left out, and one line
 * when every connection is back. Its status feeds /ready.
 */
export class RedisMonitor {
  private readonly clients = new Map<Redis, string>();
  private readonly quietMs: number;
  private readonly now: () => number;
  private downSince: number | undefined;
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;
  private lastError: string | undefined;

  constructor(private readonly options: RedisMonitorOptions = {}) {
    this.quietMs = options.quietMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** Follows `client` until it ends; `name` says which connection it is in logs and /health. */
  watch(client: Redis, name: string): void {
    this.clients.set(client, name);
    client.on("error", (error: unknown) => this.failed(name, error));
    client.on("ready", () => this.recovered());
    client.on("end", () => {
      // Closed by the gateway (a stop): the outage, if any, is over for this connection, not recovered.
      this.clients.delete(client);
      if (this.status().up) this.downSince = undefined;
    });
  }

  status(): RedisStatus {
    const connections: Record<string, string> = {};
    let up = true;
    let n = 0;
    for (const [client, name] of this.clients) {
      const key = name in connections ? `${name}#${++n}` : name;
      connections[key] = client.status;
      if (client.status !== "ready") up = false;
    }
    return {
      up,
      connections,
      ...(this.downSince !== undefined && !up ? { downSince: new Date(this.downSince).toISOString() } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  private failed(name: string, error: unknown): void {
    const t = this.now();
    const message = redactSecrets(error instanceof Error ? error.message : String(error));
    this.lastError = message;
    this.downSince ??= t;
    if (t - this.lastLoggedAt < this.quietMs) {
      this.suppressed++;
      return;
    }
    const code = (error as { code?: unknown }).code;
    this.options.logger?.warn(
      {
        redis: name,
        error: message,
        ...(typeof code === "string" ? { code } : {}),
        ...(this.suppressed > 0 ? { suppressed: this.suppressed } : {}),
      },
      "redis unreachable: reads are answered from this replica's memory; reconnecting",
    );
    this.lastLoggedAt = t;
    this.suppressed = 0;
  }

  private recovered(): void {
    if (this.downSince === undefined || !this.status().up) return;
    this.options.logger?.info(
      {
        downMs: this.now() - this.downSince,
        ...(this.suppressed > 0 ? { suppressed: this.suppressed } : {}),
      },
      "redis reconnected",
    );
    this.downSince = undefined;
    this.suppressed = 0;
    this.lastLoggedAt = Number.NEGATIVE_INFINITY;
  }
}
