import { ITEM_STATES, type ItemError, type ItemResult, JOB_KINDS, JOB_STATES } from "../jobs/types.ts";
import { cancelJob, type JobView, job, jobItems, submitJob, watchJob } from "../resolvers/job.ts";
import { builder } from "./builder.ts";
import { CreateInput, UpdateInput } from "./channel.ts";
import { MUTATION_ERRORS } from "./errors.ts";
import { TagInput } from "./tag.ts";

const JobKindEnum = builder.enumType("JobKind", { values: JOB_KINDS });
const JobStateEnum = builder.enumType("JobState", {
  description:
    "RUNNING until every item is final; COMPLETED (see failed), CANCELLED, or INTERRUPTED (not resumable).",
  values: JOB_STATES,
});
const JobItemStateEnum = builder.enumType("JobItemState", {
  description: "RUNNING: its IVS call is in flight.",
  values: ITEM_STATES,
});

const JobItemError = builder.objectRef<ItemError>("JobItemError").implement({
  description: "Why an item failed: the error result the single mutation would have given.",
  fields: (t) => ({
    type: t.exposeString("type", {
      description:
        "That result's type name: NotFoundError, ValidationError, ConflictError, QuotaExceededError, …",
    }),
    message: t.exposeString("message"),
    retriable: t.exposeBoolean("retriable", {
      description: "Retried already; this is after the last attempt.",
    }),
    field: t.exposeString("field", { nullable: true, description: "ValidationError only: the input field." }),
  }),
});

const JobItem = builder.objectRef<ItemResult & { index: number }>("JobItem").implement({
  description: "One item of a job: its outcome, with the same typed error the single mutation gives.",
  fields: (t) => ({
    index: t.exposeInt("index", { description: "Position in the job's input list." }),
    state: t.field({ type: JobItemStateEnum, resolve: (i) => i.state }),
    resourceArn: t.string({
      nullable: true,
      description: "What the item made or changed (a new channel's or stream key's ARN).",
      resolve: (i) => i.arn ?? null,
    }),
    error: t.field({ type: JobItemError, nullable: true, resolve: (i) => i.error ?? null }),
    attempts: t.exposeInt("attempts", { description: "IVS attempts so far (throttling is retried)." }),
  }),
});

const JobItemConnection = builder.connectionObject(
  { type: JobItem, name: "JobItemConnection" },
  { name: "JobItemEdge" },
);

export const JobRef = builder.objectRef<JobView>("Job").implement({
  description: "A bulk operation run inside IVS's request quotas; its items finish one by one.",
  fields: (t) => ({
    id: t.string({ resolve: (j) => j.header.id }),
    kind: t.field({ type: JobKindEnum, resolve: (j) => j.header.kind }),
    state: t.field({ type: JobStateEnum, resolve: (j) => j.header.state }),
    total: t.int({ resolve: (j) => j.header.total }),
    succeeded: t.int({ resolve: (j) => j.header.succeeded }),
    failed: t.int({ resolve: (j) => j.header.failed }),
    cancelled: t.int({ resolve: (j) => j.header.cancelled }),
    pending: t.int({
      description: "Items not final yet.",
      resolve: ({ header: h }) => h.total - h.succeeded - h.failed - h.cancelled,
    }),
    submittedBy: t.string({ resolve: (j) => j.header.owner.id }),
    createdAt: t.field({ type: "DateTime", resolve: (j) => new Date(j.header.createdAt) }),
    updatedAt: t.field({ type: "DateTime", resolve: (j) => new Date(j.header.updatedAt) }),
    finishedAt: t.field({
      type: "DateTime",
      nullable: true,
      resolve: (j) => (j.header.finishedAt ? new Date(j.header.finishedAt) : null),
    }),
    items: t.field({
      type: JobItemConnection,
      args: { first: t.arg.int({ description: "Default 100, at most 1000." }), after: t.arg.string() },
      resolve: (j, args, ctx) => jobItems(ctx, j, args),
    }),
  }),
});

const JobPayload = builder.objectRef<{ job: JobView }>("JobPayload").implement({
  description: "The job, as it was when the request was answered; follow it with job(id) or jobProgress(id).",
  fields: (t) => ({ job: t.field({ type: JobRef, resolve: (p) => p.job }) }),
});

const CreateChannelsInput = builder.inputType("CreateChannelsInput", {
  fields: (t) => ({ channels: t.field({ type: [CreateInput], required: true, description: "1 to 1,000." }) }),
});
const UpdateChannelsInput = builder.inputType("UpdateChannelsInput", {
  fields: (t) => ({ channels: t.field({ type: [UpdateInput], required: true, description: "1 to 1,000." }) }),
});
const ArnsInput = (name: string, field: string) =>
  builder.inputType(name, {
    fields: (t) => ({ [field]: t.stringList({ required: true, description: "1 to 1,000 ARNs." }) }),
  });
const DeleteChannelsInput = ArnsInput("DeleteChannelsInput", "arns");
const RotateStreamKeysInput = ArnsInput("RotateStreamKeysInput", "channelArns");
const TagResourcesInput = builder.inputType("TagResourcesInput", {
  fields: (t) => ({
    arns: t.stringList({ required: true, description: "1 to 1,000 resource ARNs." }),
    tags: t.field({ type: [TagInput], required: true, description: "Added to (or overwritten on) each." }),
  }),
});
const CancelJobInput = builder.inputType("CancelJobInput", {
  fields: (t) => ({ id: t.string({ required: true }) }),
});

const errors = { types: MUTATION_ERRORS, directResult: true } as const;

builder.mutationFields((t) => ({
  createChannels: t.field({
    type: JobPayload,
    description:
      "Creates channels (each with its stream key) as a job; each carries the tag ivs-gateway:job.",
    args: { input: t.arg({ type: CreateChannelsInput, required: true }) },
    errors,
    resolve: (_root, { input }, ctx) => submitJob(ctx, "CREATE_CHANNELS", input.channels),
  }),
  updateChannels: t.field({
    type: JobPayload,
    args: { input: t.arg({ type: UpdateChannelsInput, required: true }) },
    errors,
    resolve: (_root, { input }, ctx) => submitJob(ctx, "UPDATE_CHANNELS", input.channels),
  }),
  deleteChannels: t.field({
    type: JobPayload,
    description:
      "Deletes channels (and their keys) as a job; a live channel's item fails with ConflictError.",
    args: { input: t.arg({ type: DeleteChannelsInput, required: true }) },
    errors,
    resolve: (_root, { input }, ctx) =>
      submitJob(
        ctx,
        "DELETE_CHANNELS",
        (input.arns as string[]).map((arn) => ({ arn })),
      ),
  }),
  tagResources: t.field({
    type: JobPayload,
    args: { input: t.arg({ type: TagResourcesInput, required: true }) },
    errors,
    resolve: (_root, { input }, ctx) =>
      submitJob(
        ctx,
        "TAG_RESOURCES",
        (input.arns as string[]).map((arn) => ({ arn, tags: input.tags })),
      ),
  }),
  rotateStreamKeys: t.field({
    type: JobPayload,
    description: "Replaces each channel's stream key (delete, then create) as a job. Values: streamKey(arn).",
    args: { input: t.arg({ type: RotateStreamKeysInput, required: true }) },
    errors,
    resolve: (_root, { input }, ctx) =>
      submitJob(
        ctx,
        "ROTATE_STREAM_KEYS",
        (input.channelArns as string[]).map((channelArn) => ({ channelArn })),
      ),
  }),
  cancelJob: t.field({
    type: JobPayload,
    description: "Items not started are CANCELLED; those in flight finish.",
    args: { input: t.arg({ type: CancelJobInput, required: true }) },
    errors,
    resolve: (_root, args, ctx) => cancelJob(ctx, args),
  }),
}));

builder.queryFields((t) => ({
  job: t.field({
    type: JobRef,
    nullable: true,
    description: "Null when there is no such job, or it is another principal's (admins see every job).",
    args: { id: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => job(ctx, args),
  }),
}));

builder.subscriptionFields((t) => ({
  jobProgress: t.field({
    type: JobRef,
    description: "The job now, then at every item that finishes; completes when the job is final.",
    args: { id: t.arg.string({ required: true }) },
    subscribe: (_root, args, ctx) => watchJob(ctx, args.id),
    resolve: (view) => view as JobView,
  }),
}));
