import type { ItemResult, JobHeader } from "./types.ts";

/**
 * Where jobs are kept: this process's memory, or Redis (src/jobs/redis-store.ts), where every replica
 * sees them and a job outlives the replica that ran it. A job is run by the replica holding its lease.
 */
export interface JobStore {
  create(header: JobHeader, inputs: readonly unknown[]): Promise<void>;
  header(id: string): Promise<JobHeader | undefined>;
  inputs(id: string): Promise<unknown[] | undefined>;
  results(id: string): Promise<Map<number, ItemResult>>;
  /**
   * Records an item's result; when it becomes final, the job's count of that state grows by one. Returns
   * the header as it now is.
   */
  setResult(id: string, index: number, result: ItemResult, wasFinal: boolean): Promise<void>;
  update(
    id: string,
    patch: Partial<Pick<JobHeader, "state" | "finishedAt" | "cancelRequested">>,
  ): Promise<void>;
  /** Takes (or renews, for its holder) the job's lease; false when another replica holds it. */
  lease(id: string, owner: string, ms: number): Promise<boolean>;
  /** Gives the lease up (a stopping replica), so that another may resume the job at once. */
  release(id: string, owner: string): Promise<void>;
  /** Jobs still RUNNING, whoever runs them. */
  running(): Promise<string[]>;
  /** The job is final: it leaves the running set and is kept `retentionMs` more. */
  finish(id: string, retentionMs: number): Promise<void>;
}

interface MemoryJob {
  header: JobHeader;
  inputs: unknown[];
  results: Map<number, ItemResult>;
  lease?: { owner: string; until: number };
  expiresAt?: number;
}

/** Jobs of this process only: they end with it (use Redis for jobs that outlive a replica). */
export function memoryJobStore(now: () => number = Date.now): JobStore {
  const jobs = new Map<string, MemoryJob>();
  const get = (id: string) => {
    const job = jobs.get(id);
    if (job?.expiresAt !== undefined && job.expiresAt <= now()) {
      jobs.delete(id);
      return undefined;
    }
    return job;
  };
  return {
    async create(header, inputs) {
      jobs.set(header.id, { header: { ...header }, inputs: [...inputs], results: new Map() });
    },
    async header(id) {
      const job = get(id);
      return job ? { ...job.header } : undefined;
    },
    async inputs(id) {
      return get(id)?.inputs;
    },
    async results(id) {
      return new Map(get(id)?.results ?? []);
    },
    async setResult(id, index, result, wasFinal) {
      const job = get(id);
      if (!job) return;
      job.results.set(index, result);
      if (!wasFinal) countFinal(job.header, result);
      job.header.updatedAt = now();
    },
    async update(id, patch) {
      const job = get(id);
      if (job) Object.assign(job.header, patch, { updatedAt: now() });
    },
    async lease(id, owner, ms) {
      const job = get(id);
      if (!job) return false;
      if (job.lease && job.lease.owner !== owner && job.lease.until > now()) return false;
      job.lease = { owner, until: now() + ms };
      return true;
    },
    async release(id, owner) {
      const job = get(id);
      if (job?.lease?.owner === owner) job.lease = undefined;
    },
    async running() {
      return [...jobs.keys()].filter((id) => get(id)?.header.state === "RUNNING");
    },
    async finish(id, retentionMs) {
      const job = get(id);
      if (job) job.expiresAt = now() + retentionMs;
    },
  };
}

/** Adds a final result to the header's counts. */
export function countFinal(header: JobHeader, result: ItemResult): void {
  if (result.state === "SUCCEEDED") header.succeeded += 1;
  else if (result.state === "FAILED") header.failed += 1;
  else if (result.state === "CANCELLED") header.cancelled += 1;
}
