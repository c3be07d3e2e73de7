import type { GatewayContext } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { type ItemResult, type JobHeader, type JobKind, MAX_JOB_ITEMS } from "../jobs/types.ts";

/** A job and, when asked for, its item results (read once per job object). */
export interface JobView {
  header: JobHeader;
  results?: Map<number, ItemResult>;
}

/** A job is visible to who submitted it, and to admins. */
function visible(ctx: GatewayContext, header: JobHeader | undefined): header is JobHeader {
  return (
    header !== undefined && (header.owner.id === ctx.principal.id || ctx.principal.scopes.has("ivs:admin"))
  );
}

export async function submitJob(ctx: GatewayContext, kind: JobKind, inputs: readonly unknown[]) {
  if (inputs.length === 0) throw new ValidationError("A job needs at least one item", "input");
  if (inputs.length > MAX_JOB_ITEMS)
    throw new ValidationError(`A job takes at most ${MAX_JOB_ITEMS} items, got ${inputs.length}`, "input");
  const header = await ctx.jobs.submit(kind, inputs, ctx.principal, ctx.requestId);
  return { job: { header } satisfies JobView };
}

export async function job(ctx: GatewayContext, args: { id: string }): Promise<JobView | null> {
  const header = await ctx.jobs.store.header(args.id);
  return visible(ctx, header) ? { header } : null;
}

export async function cancelJob(ctx: GatewayContext, args: { input: { id: string } }) {
  const header = await ctx.jobs.store.header(args.input.id);
  if (!visible(ctx, header)) throw new NotFoundError(`No job ${args.input.id}`);
  const after = (await ctx.jobs.cancel(header.id)) ?? header;
  return { job: { header: after } satisfies JobView };
}

/** The job's items in order, from `after` (an index), at most `first`. */
export async function jobItems(
  ctx: GatewayContext,
  view: JobView,
  args: { first?: number | null; after?: string | null },
) {
  view.results ??= await ctx.jobs.store.results(view.header.id);
  const start = args.after ? Number(args.after) + 1 : 0;
  if (!Number.isInteger(start) || start < 0)
    throw new ValidationError("The cursor is not one this gateway issued", "after");
  const first = Math.max(0, Math.min(args.first ?? 100, 1000));
  const end = Math.min(view.header.total, start + first);
  const edges = [];
  for (let index = start; index < end; index++) {
    const result = view.results.get(index) ?? { state: "PENDING" as const, attempts: 0 };
    edges.push({ cursor: String(index), node: { index, ...result } });
  }
  return {
    edges,
    pageInfo: {
      hasNextPage: end < view.header.total,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/**
 * The job's state now, then at every change of its counts or state, until it is final; read from the
 * job store (shared through Redis), so any replica can report any job.
 */
export async function* watchJob(ctx: GatewayContext, id: string, pollMs = 250): AsyncGenerator<JobView> {
  let last = "";
  for (;;) {
    const header = await ctx.jobs.store.header(id);
    if (!visible(ctx, header)) throw new NotFoundError(`No job ${id}`);
    const seen = `${header.state}/${header.succeeded}/${header.failed}/${header.cancelled}`;
    if (seen !== last) {
      last = seen;
      yield { header };
    }
    if (header.state !== "RUNNING") return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
