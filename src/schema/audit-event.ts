import type { AuditIvsCall, AuditJobRef, AuditRecord } from "../audit/record.ts";
import { auditEvents } from "../resolvers/audit-event.ts";
import { builder } from "./builder.ts";

const AuditIvsCallRef = builder.objectRef<AuditIvsCall>("AuditIvsCall").implement({
  description:
    "One IVS call a mutation made (each attempt, retries included). A successful write is CloudTrail's event with the same eventName and requestID.",
  fields: (t) => ({
    operation: t.exposeString("operation", { description: "The IVS operation (CloudTrail's eventName)." }),
    requestId: t.exposeString("requestId", {
      nullable: true,
      description: "IVS's request id (CloudTrail's requestID); null when IVS never answered.",
    }),
    outcome: t.exposeString("outcome", { description: "OK, or the IVS exception name." }),
  }),
});

const AuditJobRefType = builder.objectRef<AuditJobRef>("AuditJob").implement({
  description: "The bulk job item a record belongs to.",
  fields: (t) => ({
    id: t.exposeString("id"),
    item: t.exposeInt("item", { description: "The item's position in the job's input, from 0." }),
  }),
});

const AuditEventRef = builder.objectRef<AuditRecord>("AuditEvent").implement({
  description:
    "One mutation (or bulk-job item) as the audit trail recorded it: who, what, on which resource, how it ended. Never secrets.",
  fields: (t) => ({
    id: t.exposeString("id"),
    time: t.field({ type: "DateTime", description: "When the mutation finished.", resolve: (r) => r.time }),
    principal: t.exposeString("principal", { description: "e.g. jwt:alice, api-key:ci, developer." }),
    principalKind: t.exposeString("principalKind", { description: "jwt, api-key, dev or anonymous." }),
    tenant: t.exposeString("tenant", { nullable: true }),
    operation: t.exposeString("operation", { description: "The mutation field, e.g. createChannel." }),
    ivsOperations: t.field({
      type: [AuditIvsCallRef],
      // Read from the record, not IVS, and a mutation makes one to three calls: a full page of every
      // field stays well inside MAX_COST (the default list multiplier of 10 would not).
      complexity: { field: 1, multiplier: 3 },
      resolve: (r) => r.ivsOperations,
    }),
    resourceArn: t.exposeString("resourceArn", { nullable: true }),
    outcome: t.exposeString("outcome", {
      description: "OK, the error result's type (NotFoundError, ThrottledError, …), or INTERNAL.",
    }),
    errorCode: t.exposeString("errorCode", {
      nullable: true,
      description: "The error's extensions.code (NOT_FOUND, …); null when OK.",
    }),
    requestId: t.exposeString("requestId", { description: "The request's x-request-id." }),
    job: t.field({ type: AuditJobRefType, nullable: true, resolve: (r) => r.job ?? null }),
  }),
});

const AuditEventConnection = builder.connectionObject(
  { type: AuditEventRef, name: "AuditEventConnection" },
  { name: "AuditEventEdge" },
);

const AuditEventFilterInput = builder.inputType("AuditEventFilter", {
  fields: (t) => ({
    resourceArn: t.string({ description: "Records of this resource only." }),
    principal: t.string({ description: "Records of this principal only (its id, e.g. jwt:alice)." }),
    since: t.field({ type: "DateTime", description: "Records at or after this time." }),
    until: t.field({ type: "DateTime", description: "Records before this time." }),
  }),
});

builder.queryFields((t) => ({
  auditEvents: t.field({
    type: AuditEventConnection,
    description:
      "The audit trail, newest first: every mutation and bulk-job item, kept up to AUDIT_MAX_RECORDS. Needs ivs:admin and no tenant limit.",
    // Records name every tenant's resources and principals: account-wide admins only.
    authScopes: { "ivs:admin": true, allTenants: true },
    args: {
      first: t.arg.int({ description: "Page size; default 20, at most 100." }),
      after: t.arg.string(),
      filter: t.arg({ type: AuditEventFilterInput }),
    },
    resolve: (_root, args, ctx) => auditEvents(ctx, args),
  }),
}));
