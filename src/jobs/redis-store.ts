import type { Redis } from "ioredis";
import { failingTyped } from "../redis/errors.ts";
import type { JobStore } from "./store.ts";
import type { ItemResult, JobHeader } from "./types.ts";

/** Takes the lease when it is free or already ours. */
const LEASE = `local holder = redis.call("GET", KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
  return 1
end
return 0`;
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`;

/** Header fields that change, kept as hash fields beside the JSON of those that do not. */
type Static = Pick<JobHeader, "id" | "kind" | "owner" | "requestId" | "total" | "createdAt">;

/**
 * Jobs in Redis, shared by every replica: a hash per job (counts incremented atomically with the
 * item's result, in one MULTI), its inputs, its results by item, its lease, and the set of jobs still
 * running, which every replica scans for jobs whose runner went away. While Redis cannot be reached,
 * every call fails at once with a retriable ServiceUnavailableError (a job that cannot be stored is
 * refused, not run unrecorded).
 */
export function redisJobStore(redis: Redis, prefix: string): JobStore {
  const key = (id: string, part = "") => `${prefix}job:${id}${part}`;
  const runningKey = `${prefix}jobs:running`;
  return failingTyped<JobStore>({
    async create(header, inputs) {
      const fixed: Static = {
        id: header.id,
        kind: header.kind,
        owner: header.owner,
        requestId: header.requestId,
        total: header.total,
        createdAt: header.createdAt,
      };
      await redis
        .multi()
        .hset(key(header.id), {
          static: JSON.stringify(fixed),
          state: header.state,
          succeeded: header.succeeded,
          failed: header.failed,
          cancelled: header.cancelled,
          updatedAt: header.updatedAt,
          cancelRequested: header.cancelRequested ? "1" : "0",
        })
        .set(key(header.id, ":inputs"), JSON.stringify(inputs))
        .sadd(runningKey, header.id)
        .exec();
    },
    async header(id) {
      const h = await redis.hgetall(key(id));
      if (!h.static) return undefined;
      const fixed = JSON.parse(h.static) as Static;
      return {
        ...fixed,
        state: h.state as JobHeader["state"],
        succeeded: Number(h.succeeded ?? 0),
        failed: Number(h.failed ?? 0),
        cancelled: Number(h.cancelled ?? 0),
        updatedAt: Number(h.updatedAt ?? fixed.createdAt),
        ...(h.finishedAt ? { finishedAt: Number(h.finishedAt) } : {}),
        cancelRequested: h.cancelRequested === "1",
      };
    },
    async inputs(id) {
      const raw = await redis.get(key(id, ":inputs"));
      return raw ? (JSON.parse(raw) as unknown[]) : undefined;
    },
    async results(id) {
      const raw = await redis.hgetall(key(id, ":results"));
      return new Map(Object.entries(raw).map(([i, r]) => [Number(i), JSON.parse(r) as ItemResult]));
    },
    async setResult(id, index, result, wasFinal) {
      const tx = redis.multi().hset(key(id, ":results"), String(index), JSON.stringify(result));
      const count = { SUCCEEDED: "succeeded", FAILED: "failed", CANCELLED: "cancelled" }[
        result.state as "SUCCEEDED" | "FAILED" | "CANCELLED"
      ];
      if (!wasFinal && count) tx.hincrby(key(id), count, 1);
      await tx.hset(key(id), "updatedAt", Date.now()).exec();
    },
    async update(id, patch) {
      const fields: Record<string, string | number> = { updatedAt: Date.now() };
      if (patch.state) fields.state = patch.state;
      if (patch.finishedAt !== undefined) fields.finishedAt = patch.finishedAt;
      if (patch.cancelRequested !== undefined) fields.cancelRequested = patch.cancelRequested ? "1" : "0";
      await redis.hset(key(id), fields);
    },
    async lease(id, owner, ms) {
      return (await redis.eval(LEASE, 1, key(id, ":lease"), owner, String(ms))) === 1;
    },
    async release(id, owner) {
      await redis.eval(RELEASE, 1, key(id, ":lease"), owner);
    },
    async running() {
      return redis.smembers(runningKey);
    },
    async finish(id, retentionMs) {
      await redis
        .multi()
        .srem(runningKey, id)
        .pexpire(key(id), retentionMs)
        .pexpire(key(id, ":inputs"), retentionMs)
        .pexpire(key(id, ":results"), retentionMs)
        .del(key(id, ":lease"))
        .exec();
    },
  });
}
