import type { TenantLimit } from "../auth/principal.ts";
import type { Scope } from "../auth/scopes.ts";

/** What a bulk job does to each of its items. */
export const JOB_KINDS = [
  "CREATE_CHANNELS",
  "UPDATE_CHANNELS",
  "DELETE_CHANNELS",
  "TAG_RESOURCES",
  "ROTATE_STREAM_KEYS",
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * RUNNING until every item is final; then COMPLETED (see `failed` for items that failed), CANCELLED (asked
 * to stop: items not started are CANCELLED), or INTERRUPTED (its replica stopped and the job could not be
 * resumed; items not finished stay as they were, so the counts are exact).
 */
export const JOB_STATES = ["RUNNING", "COMPLETED", "CANCELLED", "INTERRUPTED"] as const;
export type JobState = (typeof JOB_STATES)[number];

/** RUNNING: its IVS call was sent and its outcome is not known yet (what resumption resolves). */
export const ITEM_STATES = ["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** A gateway error as kept with an item: enough to rebuild the typed GraphQL result. */
export interface ItemError {
  type: string;
  message: string;
  retriable: boolean;
  field?: string;
}

export interface ItemResult {
  state: ItemState;
  /** The resource the item made or changed (a new channel's or stream key's ARN). */
  arn?: string;
  error?: ItemError;
  attempts: number;
}

/** Who submitted a job: what its items run as, also after another replica resumed it. */
export interface JobOwner {
  id: string;
  kind: "jwt" | "api-key" | "dev" | "anonymous";
  scopes: Scope[];
  tenant?: TenantLimit;
}

export interface JobHeader {
  id: string;
  kind: JobKind;
  owner: JobOwner;
  /** The request that submitted the job: its items' audit records carry it. */
  requestId: string;
  state: JobState;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  createdAt: number;
  updatedAt: number;
  finishedAt?: number;
  cancelRequested: boolean;
}

/** The single mutation an item of each kind amounts to, as its audit records name it. */
export const ITEM_OPERATION: Record<JobKind, string> = {
  CREATE_CHANNELS: "createChannel",
  UPDATE_CHANNELS: "updateChannel",
  DELETE_CHANNELS: "deleteChannel",
  TAG_RESOURCES: "tagResource",
  ROTATE_STREAM_KEYS: "rotateStreamKey",
};

/** Counted once per item, when it becomes final. */
export function isFinal(state: ItemState): boolean {
  return state === "SUCCEEDED" || state === "FAILED" || state === "CANCELLED";
}

/** Most items one job takes: 1,000 creates already take about four minutes at IVS's 5 per second. */
export const MAX_JOB_ITEMS = 1000;

/** The tag every resource a job creates carries: how a resumed job finds what its lost calls made. */
export const JOB_TAG = "ivs-gateway:job";
export const jobTagValue = (jobId: string, index: number) => `${jobId}/${index}`;
