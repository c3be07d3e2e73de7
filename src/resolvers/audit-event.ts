import type { AuditQuery } from "../audit/log.ts";
import type { GatewayContext } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { type ConnectionArgs, MAX_PAGE_SIZE } from "./connection.ts";

export interface AuditEventFilter {
  resourceArn?: string | null;
  principal?: string | null;
  since?: Date | null;
  until?: Date | null;
}

/** `auditEvents`: a page of the audit trail, newest first, as a Relay connection. */
export async function auditEvents(
  ctx: GatewayContext,
  args: ConnectionArgs & { filter?: AuditEventFilter | null },
) {
  const first = args.first ?? 20;
  if (first < 0) throw new ValidationError("first must not be negative", "first");
  const f = args.filter ?? {};
  const query: AuditQuery = {
    first: Math.min(first, MAX_PAGE_SIZE),
    ...(args.after ? { after: args.after } : {}),
    ...(f.resourceArn ? { resourceArn: f.resourceArn } : {}),
    ...(f.principal ? { principal: f.principal } : {}),
    ...(f.since ? { since: f.since } : {}),
    ...(f.until ? { until: f.until } : {}),
  };
  const page = await ctx.audit.query(query);
  const edges = page.edges.map((e) => ({ cursor: e.cursor, node: e.record }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
