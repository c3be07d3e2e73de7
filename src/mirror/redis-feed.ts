import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { SecretBox } from "../ivs/secret-box.ts";
import { compareIds } from "../live/event-log.ts";
import type { MirrorChange } from "./changes.ts";
import type { MirrorFeed } from "./mirror.ts";
import { openChange, sealChange } from "./secrets.ts";

export interface RedisFeedOptions {
  redis: Redis;
  /** A connection of its own for the blocking reader. */
  reader: Redis;
  /** Stream key. */
  key: string;
  /** This replica's id: its own changes, already applied here, are skipped when read back. */
  origin: string;
  /** Seals secrets; without it they are left out of the feed. */
  box?: SecretBox;
  /** How long changes stay in the stream (a replica restarting later loads the snapshot instead). Default 1 h. */
  retentionMs?: number;
  onError?: (error: unknown, where: string) => void;
}

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

/** The changes every replica records, shared on a Redis stream: XADD to send, one blocking XREAD to follow. */
export class RedisFeed implements MirrorFeed {
  private running = false;
  private loop: Promise<void> | undefined;
  /** The last entry read (applied or skipped): the snapshot records it as the point to replay from. */
  lastId = "0-0";

  constructor(private readonly options: RedisFeedOptions) {}

  async publish(change: MirrorChange): Promise<void> {
    const nonce = randomUUID();
    const { change: open, sealed } = sealChange(change, this.options.box, `feed ${nonce}`);
    const minId = `${Date.now() - (this.options.retentionMs ?? 3600_000)}-0`;
    const fields = ["o", this.options.origin, "n", nonce, "c", JSON.stringify(open)];
    if (sealed) fields.push("s", sealed);
    await this.options.redis.xadd(this.options.key, "MINID", "~", minId, "*", ...fields);
  }

  /** The newest entry's id, or 0-0: where a replica that just loaded everything starts following. */
  async head(): Promise<string> {
    const last = await this.options.redis.xrevrange(this.options.key, "+", "-", "COUNT", 1);
    return last[0]?.[0] ?? "0-0";
  }

  /** Entries after `afterId`, or undefined when the stream no longer reaches back that far. */
  async since(afterId: string): Promise<{ id: string; change: MirrorChange }[] | undefined> {
    const oldest = await this.options.redis.xrange(this.options.key, "-", "+", "COUNT", 1);
    const first = oldest[0]?.[0];
    if (first && afterId !== "0-0" && compareIds(afterId, first) < 0) return undefined;
    const entries = await this.options.redis.xrange(this.options.key, `(${afterId}`, "+");
    return entries.flatMap((raw) => {
      const decoded = this.decode(raw);
      return decoded ? [{ id: raw[0], change: decoded.change }] : [];
    });
  }

  /** Follows the stream after `fromId`, calling `onChange` with every other replica's change. */
  start(fromId: string, onChange: (change: MirrorChange) => void): void {
    this.running = true;
    this.lastId = fromId;
    this.loop = (async () => {
      // Reported once per outage (the Redis monitor logs the connection's own errors): not twice a second.
      let failing = false;
      while (this.running) {
        let reply: StreamReply;
        try {
          reply = (await this.options.reader.xread(
            "COUNT",
            500,
            "BLOCK",
            1000,
            "STREAMS",
            this.options.key,
            this.lastId,
          )) as StreamReply;
          failing = false;
        } catch (error) {
          if (!this.running) return;
          if (!failing) this.options.onError?.(error, "reading the mirror feed (retrying quietly)");
          failing = true;
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        for (const [, entries] of reply ?? [])
          for (const raw of entries) {
            this.lastId = raw[0];
            const decoded = this.decode(raw);
            if (decoded && decoded.origin !== this.options.origin) onChange(decoded.change);
          }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.options.reader.disconnect();
    await this.loop;
  }

  private decode([, fields]: [string, string[]]): { origin: string; change: MirrorChange } | undefined {
    const get = (name: string) => {
      const i = fields.indexOf(name);
      return i >= 0 && i % 2 === 0 ? fields[i + 1] : undefined;
    };
    const raw = get("c");
    if (raw === undefined) return undefined;
    try {
      const change = JSON.parse(raw) as MirrorChange;
      return {
        origin: get("o") ?? "",
        change: openChange(change, get("s"), this.options.box, `feed ${get("n") ?? ""}`),
      };
    } catch (error) {
      this.options.onError?.(error, "decoding a mirror change");
      return undefined;
    }
  }
}
