import { randomUUID } from "node:crypto";
import type { IvsClient } from "@aws-sdk/client-ivs";
import type { AuditLog } from "../audit/log.ts";
import { auditRecord, OK, outcomeOf, resourceArnOf } from "../audit/record.ts";
import type { Principal } from "../auth/principal.ts";
import { intDefault } from "../config/primitives.ts";
import type { GatewayContext } from "../context.ts";
import { GatewayError, ThrottledError } from "../errors.ts";
import { type ObservedCall, runInScope } from "../ivs/scope.ts";
import type { LiveHub } from "../live/live-hub.ts";
import { createLoaders } from "../loaders/index.ts";
import type { LiveStreams } from "../loaders/stream.ts";
import type { Logger } from "../logger.ts";
import type { Mirror } from "../mirror/mirror.ts";
import { ITEM_KINDS } from "./items.ts";
import type { Jobs } from "./jobs.ts";
import type { JobStore } from "./store.ts";
import {
  ITEM_OPERATION,
  type ItemError,
  type ItemResult,
  isFinal,
  type JobHeader,
  type JobKind,
  type JobOwner,
  jobTagValue,
} from "./types.ts";

export interface JobRunnerOptions {
  store: JobStore;
  ivs: IvsClient;
  mirror: Mirror;
  live: LiveHub;
  liveStreams: LiveStreams;
  logger?: Logger;
  /** How long a finished job stays readable. Default JOB_RETENTION_MS's (src/config/variables.ts). */
  retentionMs?: number;
  /** Items in flight per job: enough to keep IVS's queue full, the budget paces them. Default 8. */
  concurrency?: number;
  /** A runner's hold on a job; another replica resumes it this long after the runner went silent. Default JOB_LEASE_MS's. */
  leaseMs?: number;
  /** How often this replica looks for jobs nobody runs. Default 3 s. */
  scanMs?: number;
  /** Attempts of an item that fails with a retriable error (IVS throttling, unavailability). Default 8. */
  attempts?: number;
  /** Where every item's final outcome is recorded (src/audit). Default none. */
  audit?: AuditLog;
}

/** For a runner without an audit log: items are then recorded nowhere. */
const NO_AUDIT: AuditLog = {
  record: async () => {},
  query: async () => ({ edges: [], hasNextPage: false }),
};

/** How long an item's IVS call may wait for the request budget before it is tried again. */
const ITEM_DEADLINE_MS = 60_000;

/**
 * Runs bulk jobs: each item through the resolvers of the single mutations, as background work of the
 * request budget (so clients' own calls go first and IVS never throttles the account), a few in flight
 * at a time. Throttling and unavailability are retried, never reported as the item's failure until the
 * attempts are spent. The replica running a job holds its lease; with a shared store, another replica
 * resumes a job whose runner went away, settling first the items whose calls were in flight.
 */
export class JobRunner implements Jobs {
  private readonly replica = randomUUID();
  private readonly active = new Map<string, { cancel(): void; done: Promise<void> }>();
  private scanTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: JobRunnerOptions) {}

  get store(): JobStore {
    return this.options.store;
  }

  /** Starts looking for jobs left behind by a replica that stopped. */
  start(): void {
    // One scan at a time: the lease is re-entrant for its holder, so two overlapping scans (Redis slower
    // than scanMs) would both win it and run one job twice here, counting its items twice.
    let scanning = false;
    const scan = () => {
      if (scanning) return;
      scanning = true;
      this.adoptOrphans()
        .catch((error: unknown) => this.options.logger?.warn({ err: error }, "job scan failed"))
        .finally(() => {
          scanning = false;
        });
    };
    scan();
    this.scanTimer = setInterval(scan, this.options.scanMs ?? 3000);
    this.scanTimer.unref();
  }

  /** Stops running jobs here and gives their leases up, so that another replica resumes them at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.scanTimer) clearInterval(this.scanTimer);
    const running = [...this.active.entries()];
    for (const [, job] of running) job.cancel();
    await Promise.all(running.map(([, job]) => job.done));
    await Promise.all(running.map(([id]) => this.options.store.release(id, this.replica).catch(() => {})));
  }

  /** Records the job and starts it; returns at once with its header. */
  async submit(
    kind: JobKind,
    inputs: readonly unknown[],
    principal: Principal,
    requestId: string,
  ): Promise<JobHeader> {
    const now = Date.now();
    const owner: JobOwner = {
      id: principal.id,
      kind: principal.kind,
      scopes: [...principal.scopes],
      ...(principal.tenant ? { tenant: principal.tenant } : {}),
    };
    const header: JobHeader = {
      id: `job-${randomUUID()}`,
      kind,
      owner,
      requestId,
      state: "RUNNING",
      total: inputs.length,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
      createdAt: now,
      updatedAt: now,
      cancelRequested: false,
    };
    await this.options.store.create(header, inputs);
    await this.options.store.lease(header.id, this.replica, this.leaseMs);
    this.launch(header.id);
    return header;
  }

  /** Asks a job to stop: items not started become CANCELLED; those in flight finish. */
  async cancel(id: string): Promise<JobHeader | undefined> {
    const header = await this.options.store.header(id);
    if (header?.state !== "RUNNING") return header;
    await this.options.store.update(id, { cancelRequested: true });
    this.active.get(id)?.cancel();
    return this.options.store.header(id);
  }

  /** Resolves once the job is final (tests and benchmarks). */
  async finished(id: string, pollMs = 100): Promise<JobHeader> {
    for (;;) {
      const header = await this.options.store.header(id);
      if (!header) throw new Error(`no job ${id}`);
      if (header.state !== "RUNNING") return header;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? intDefault("JOB_LEASE_MS");
  }

  private async adoptOrphans(): Promise<void> {
    if (this.stopped) return;
    for (const id of await this.options.store.running()) {
      if (this.active.has(id)) continue;
      const header = await this.options.store.header(id);
      if (!header) continue;
      if (header.state !== "RUNNING") {
        await this.options.store.finish(id, this.retentionMs);
        continue;
      }
      if (!(await this.options.store.lease(id, this.replica, this.leaseMs))) continue;
      if (this.active.has(id)) continue; // launched here while this scan waited on the store
      this.options.logger?.info({ job: id, kind: header.kind }, "resuming a job its replica left");
      this.launch(id);
    }
  }

  private get retentionMs(): number {
    return this.options.retentionMs ?? intDefault("JOB_RETENTION_MS");
  }

  private launch(id: string): void {
    let cancelled = false;
    const wakers = new Set<() => void>();
    const control = {
      cancel: () => {
        cancelled = true;
        for (const wake of wakers) wake();
      },
      done: Promise.resolve(),
    };
    control.done = this.run(id, () => cancelled, wakers)
      .catch((error: unknown) => this.options.logger?.error({ err: error, job: id }, "job failed to run"))
      .finally(() => this.active.delete(id));
    this.active.set(id, control);
  }

  private async run(id: string, stopping: () => boolean, wakers: Set<() => void>): Promise<void> {
    const { store } = this.options;
    const header = await store.header(id);
    const inputs = await store.inputs(id);
    if (!header || !inputs) return;
    const kind = ITEM_KINDS[header.kind];
    const results = await store.results(id);
    const ctx = () => this.contextFor(header);
    const renew = setInterval(() => {
      store.lease(id, this.replica, this.leaseMs).catch(() => {});
    }, this.leaseMs / 3);
    renew.unref();
    try {
      // Items whose calls were in flight when their runner stopped: did those calls take effect?
      for (const [index, result] of results) {
        if (result.state !== "RUNNING") continue;
        const observed: ObservedCall[] = [];
        const settled = await this.inBackground(
          () => kind.settle(ctx(), inputs[index] as never, jobTagValue(id, index)),
          observed,
        ).catch(() => undefined);
        if (settled) {
          const done: ItemResult = { state: "SUCCEEDED", arn: settled.arn, attempts: result.attempts };
          await store.setResult(id, index, done, false);
          await this.audit(header, index, inputs[index], done, observed);
          results.set(index, done);
        }
      }
      const queue = inputs.map((_, i) => i).filter((i) => !isFinal(results.get(i)?.state ?? "PENDING"));
      const worker = async () => {
        for (;;) {
          const index = queue.shift();
          if (index === undefined) return;
          if (stopping() || (await store.header(id))?.cancelRequested) {
            queue.unshift(index);
            return;
          }
          const previous = results.get(index);
          const result = await this.runItem(
            header,
            index,
            inputs[index],
            previous?.attempts ?? 0,
            ctx,
            stopping,
            wakers,
          );
          if (!result) {
            queue.unshift(index);
            return;
          }
          results.set(index, result);
        }
      };
      await Promise.all(
        Array.from({ length: Math.min(this.options.concurrency ?? 8, queue.length) }, worker),
      );
      const now = await store.header(id);
      if (this.stopped && !now?.cancelRequested) return; // another replica resumes it
      if (now?.cancelRequested)
        for (const index of queue) {
          const cancelledItem: ItemResult = {
            state: "CANCELLED",
            attempts: results.get(index)?.attempts ?? 0,
          };
          await store.setResult(id, index, cancelledItem, false);
        }
      await store.update(id, {
        state: now?.cancelRequested ? "CANCELLED" : "COMPLETED",
        finishedAt: Date.now(),
      });
      await store.finish(id, this.retentionMs);
    } finally {
      clearInterval(renew);
    }
  }

  /**
   * One item, retried on retriable errors; undefined when the runner is stopping before the item got a
   * final result (it stays PENDING or RUNNING for whoever resumes the job).
   */
  private async runItem(
    header: JobHeader,
    index: number,
    input: unknown,
    attemptsBefore: number,
    ctx: () => GatewayContext,
    stopping: () => boolean,
    wakers: Set<() => void>,
  ): Promise<ItemResult | undefined> {
    const { store } = this.options;
    const { id } = header;
    const kind = ITEM_KINDS[header.kind];
    const maxAttempts = this.options.attempts ?? 8;
    // Every IVS attempt the item makes, for its one audit record.
    const observed: ObservedCall[] = [];
    for (let attempt = attemptsBefore + 1; ; attempt++) {
      if (stopping()) return undefined;
      await store.setResult(id, index, { state: "RUNNING", attempts: attempt }, false);
      try {
        const outcome = await this.inBackground(
          () => kind.run(ctx(), input as never, jobTagValue(id, index)),
          observed,
        );
        const done: ItemResult = { state: "SUCCEEDED", arn: outcome.arn, attempts: attempt };
        await store.setResult(id, index, done, false);
        await this.audit(header, index, input, done, observed);
        return done;
      } catch (error) {
        const failure = itemError(error);
        // Nothing was sent (the budget's queue refused it) or IVS asked to slow down: try again later.
        if (failure.retriable && attempt < maxAttempts) {
          await store.setResult(id, index, { state: "PENDING", attempts: attempt }, false);
          await pause(backoffMs(attempt, error), wakers);
          continue;
        }
        const failed: ItemResult = { state: "FAILED", error: failure, attempts: attempt };
        await store.setResult(id, index, failed, false);
        await this.audit(header, index, input, failed, observed, error);
        return failed;
      }
    }
  }

  /** One audit record per item, at its final outcome, as the job's submitter in its request. */
  private async audit(
    header: JobHeader,
    index: number,
    input: unknown,
    result: ItemResult,
    observed: ObservedCall[],
    error?: unknown,
  ): Promise<void> {
    const { audit } = this.options;
    if (!audit) return;
    await audit.record(
      auditRecord(
        { principal: principalOf(header.owner), requestId: header.requestId },
        {
          operation: ITEM_OPERATION[header.kind],
          ivsOperations: observed,
          resourceArn: result.arn ?? resourceArnOf(input, undefined),
          ...(error === undefined ? { outcome: OK } : outcomeOf(error, true)),
          job: { id: header.id, item: index },
        },
      ),
    );
  }

  private inBackground<T>(fn: () => Promise<T>, observed: ObservedCall[]): Promise<T> {
    return runInScope({ priority: "background", deadline: Date.now() + ITEM_DEADLINE_MS, observed }, fn);
  }

  /** What a job's items run with: fresh loaders per item, as the job's owner. */
  private contextFor(header: JobHeader): GatewayContext {
    const { ivs, mirror, live, liveStreams } = this.options;
    return {
      ivs,
      mirror,
      live,
      loaders: createLoaders(mirror, live, liveStreams),
      principal: principalOf(header.owner),
      requestId: header.requestId,
      jobs: this,
      // Items are audited once each, by the runner, at their final outcome.
      audit: this.options.audit ?? NO_AUDIT,
    };
  }
}

function principalOf(owner: JobOwner): Principal {
  return {
    id: owner.id,
    kind: owner.kind,
    scopes: new Set(owner.scopes),
    ...(owner.tenant ? { tenant: owner.tenant } : {}),
  };
}

function itemError(error: unknown): ItemError {
  if (error instanceof GatewayError) {
    const field = (error as { field?: string }).field;
    return {
      type: error.name,
      message: error.message,
      retriable: error.retriable,
      ...(field ? { field } : {}),
    };
  }
  return { type: "ServiceUnavailableError", message: "Unexpected error", retriable: true };
}

function backoffMs(attempt: number, error: unknown): number {
  const hinted = error instanceof ThrottledError ? error.retryAfterMs : undefined;
  return hinted ?? Math.min(10_000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

function pause(ms: number, wakers: Set<() => void>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wakers.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    wakers.add(done);
  });
}
