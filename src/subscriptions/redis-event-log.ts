import type { Redis } from "ioredis";
import { compareIds, type EventLog, type LogEntry, type LoggedEntry } from "./event-log.ts";

export interface RedisEventLogOptions {
  /** Connection for appends and reads. */
  redis: Redis;
  /** A second connection, used only for the blocking reader. */
  reader: Redis;
  /** Stream key. Default `ivs-gateway:events`. */
  key?: string;
  /** How long entries stay replayable, in ms. Default 1 hour. */
  retentionMs?: number;
}

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

/**
 * The shared log on Redis Streams: XADD with a time-based MINID trim, one blocking XREAD loop per
 * replica, XRANGE for replay after a reconnect.
 */
export function redisEventLog(options: RedisEventLogOptions): EventLog {
  const key = options.key ?? "ivs-gateway:events";
  const retentionMs = options.retentionMs ?? 3600_000;
  let running = false;
  let loop: Promise<void> | undefined;

  const decode = ([id, fields]: [string, string[]]): LoggedEntry | undefined => {
    const i = fields.indexOf("e");
    const raw = i >= 0 ? fields[i + 1] : undefined;
    if (raw === undefined) return undefined;
    return { id, entry: JSON.parse(raw) as LogEntry };
  };

  return {
    async append(entry) {
      const minId = `${Date.now() - retentionMs}-0`;
      const id = await options.redis.xadd(key, "MINID", "~", minId, "*", "e", JSON.stringify(entry));
      if (!id) throw new Error("XADD returned no id");
      return id;
    },
    async start(onEntry) {
      running = true;
      // Start from the current end so that a replica does not replay history on boot.
      const last = await options.redis.xrevrange(key, "+", "-", "COUNT", 1);
      let lastId = last[0]?.[0] ?? "0-0";
      loop = (async () => {
        while (running) {
          let reply: StreamReply;
          try {
            reply = (await options.reader.xread(
              "COUNT",
              500,
              "BLOCK",
              1000,
              "STREAMS",
              key,
              lastId,
            )) as StreamReply;
          } catch {
            if (!running) return;
            await new Promise((r) => setTimeout(r, 200));
            continue;
          }
          for (const [, entries] of reply ?? []) {
            for (const raw of entries) {
              lastId = raw[0];
              const logged = decode(raw);
              if (logged) onEntry(logged);
            }
          }
        }
      })();
    },
    async retained() {
      const entries = await options.redis.xrange(key, "-", "+");
      return entries.map(decode).filter((e): e is LoggedEntry => e !== undefined);
    },
    async since(afterId) {
      const oldest = await options.redis.xrange(key, "-", "+", "COUNT", 1);
      const first = oldest[0]?.[0];
      // Older than what is retained: the client may have missed events we no longer have.
      if (first && compareIds(afterId, first) < 0) return undefined;
      const entries = await options.redis.xrange(key, `(${afterId}`, "+");
      return entries.map(decode).filter((e): e is LoggedEntry => e !== undefined);
    },
    async stop() {
      running = false;
      options.reader.disconnect();
      await loop;
    },
  };
}
