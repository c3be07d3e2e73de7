import type { Principal } from "../auth/principal.ts";
import type { JobStore } from "./store.ts";
import type { JobHeader, JobKind } from "./types.ts";

/**
 * What a request can do with bulk jobs: what resolvers see as `ctx.jobs`. The JobRunner implements it; the
 * runner itself needs a request context to run items in, so the context names this and not the runner.
 */
export interface Jobs {
  readonly store: JobStore;
  submit(
    kind: JobKind,
    inputs: readonly unknown[],
    principal: Principal,
    requestId: string,
  ): Promise<JobHeader>;
  cancel(id: string): Promise<JobHeader | undefined>;
}
