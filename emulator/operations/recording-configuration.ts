import type {
  CreateRecordingConfigurationRequest,
  DeleteRecordingConfigurationRequest,
  GetRecordingConfigurationRequest,
  ListRecordingConfigurationsRequest,
} from "@aws-sdk/client-ivs";
import { conflict, notFound, quotaExceeded, validation } from "../errors.ts";
import { paginate } from "../protocol/pagination.ts";
import type { RecordingConfiguration } from "../state/types.ts";
import { type OperationContext, op } from "./context.ts";

type Thumbnails = RecordingConfiguration["thumbnailConfiguration"];
type Renditions = RecordingConfiguration["renditionConfiguration"];

/**
 * The state a configuration has at `nowMs`. The service creates configurations asynchronously, so they
 * start CREATING; the emulator stores when that ends (`activeAt`) instead of running a timer, which
 * keeps the state right across restarts and costs nothing for configurations nobody reads.
 */
export function recordingState(rc: RecordingConfiguration, nowMs: number): RecordingConfiguration["state"] {
  if (rc.state === "CREATING" && rc.activeAt !== undefined && nowMs >= rc.activeAt) return "ACTIVE";
  return rc.state;
}

/** Brings the stored state up to date; call it before deciding whether a configuration records (only ACTIVE does). */
export function refreshRecordingConfiguration(
  rc: RecordingConfiguration,
  nowMs: number,
): RecordingConfiguration {
  const state = recordingState(rc, nowMs);
  if (state !== rc.state) {
    rc.state = state;
    delete rc.activeAt;
  }
  return rc;
}

/** The API shape: everything but the internal `activeAt`. */
export function recordingConfigurationView(rc: RecordingConfiguration) {
  const { activeAt: _internal, ...view } = rc;
  return view;
}

export function getRecordingConfiguration(ctx: OperationContext, arn: string): RecordingConfiguration {
  const rc = ctx.store.recordingConfigurations.get(arn);
  if (!rc) throw notFound(arn);
  return refreshRecordingConfiguration(rc, ctx.now().getTime());
}

/** Fills in the documented defaults for members the caller left out. */
function thumbnails(input: CreateRecordingConfigurationRequest["thumbnailConfiguration"]): Thumbnails {
  const storage = input?.storage?.length ? [...new Set(input.storage)] : ["SEQUENTIAL"];
  const out: Thumbnails = {
    recordingMode: (input?.recordingMode ?? "INTERVAL") as Thumbnails["recordingMode"],
    targetIntervalSeconds: input?.targetIntervalSeconds ?? 60,
    storage,
  };
  // Absent means "source resolution"; the service omits it rather than inventing a value.
  if (input?.resolution) out.resolution = input.resolution;
  return out;
}

function renditions(input: CreateRecordingConfigurationRequest["renditionConfiguration"]): Renditions {
  const selection = (input?.renditionSelection ?? "ALL") as Renditions["renditionSelection"];
  const list = [...new Set(input?.renditions ?? [])];
  // The model text: "If CUSTOM is specified, a set of renditions must be specified in the renditions field."
  if (selection === "CUSTOM" && list.length === 0)
    throw validation(
      "renditionConfiguration.renditions must contain at least one rendition when renditionSelection is CUSTOM",
    );
  return { renditionSelection: selection, renditions: list };
}

export const recordingConfigurationOperations = {
  CreateRecordingConfiguration: op<CreateRecordingConfigurationRequest>((input, ctx) => {
    const bucketName = input.destinationConfiguration?.s3?.bucketName;
    // S3 is optional in the model only because it is one member of a union-like structure; one is required.
    if (!bucketName)
      throw validation(
        "destinationConfiguration.s3 is required: define exactly one destination configuration",
      );
    const renditionConfiguration = renditions(input.renditionConfiguration);
    if (ctx.store.recordingConfigurations.size >= ctx.limits.recordingConfigurations)
      throw quotaExceeded(
        `Maximum number of recording configurations (${ctx.limits.recordingConfigurations}) reached for this account`,
      );
    const rc: RecordingConfiguration = {
      arn: ctx.ids.arn("recording-configuration"),
      name: input.name ?? "",
      destinationConfiguration: { s3: { bucketName } },
      state: "CREATING",
      tags: { ...(input.tags ?? {}) },
      thumbnailConfiguration: thumbnails(input.thumbnailConfiguration),
      recordingReconnectWindowSeconds: input.recordingReconnectWindowSeconds ?? 0,
      renditionConfiguration,
      activeAt: ctx.now().getTime() + ctx.recordingActivationMs,
    };
    ctx.store.recordingConfigurations.set(rc.arn, rc);
    ctx.store.orderOf(rc.arn);
    // The create response always says CREATING, as the service's does, even with a zero activation delay.
    return { recordingConfiguration: recordingConfigurationView(rc) };
  }),

  GetRecordingConfiguration: op<GetRecordingConfigurationRequest>((input, ctx) => ({
    recordingConfiguration: recordingConfigurationView(getRecordingConfiguration(ctx, input.arn as string)),
  })),

  ListRecordingConfigurations: op<ListRecordingConfigurationsRequest>((input, ctx) => {
    const all = [...ctx.store.recordingConfigurations.values()];
    const page = paginate("ListRecordingConfigurations", all, (rc) => ctx.store.orderOf(rc.arn), input, 100);
    const now = ctx.now().getTime();
    return {
      recordingConfigurations: page.items.map((rc) => {
        refreshRecordingConfiguration(rc, now);
        return {
          arn: rc.arn,
          name: rc.name,
          destinationConfiguration: rc.destinationConfiguration,
          state: rc.state,
          tags: rc.tags,
        };
      }),
      nextToken: page.nextToken,
    };
  }),

  DeleteRecordingConfiguration: op<DeleteRecordingConfigurationRequest>((input, ctx) => {
    const rc = getRecordingConfiguration(ctx, input.arn as string);
    const user = [...ctx.store.channels.values()].find((c) => c.recordingConfigurationArn === rc.arn);
    if (user)
      throw conflict(
        `Recording configuration: ${rc.arn} is used by channel: ${user.arn}; set the channel's recordingConfigurationArn to "" first`,
      );
    ctx.store.recordingConfigurations.delete(rc.arn);
    ctx.store.forget(rc.arn);
  }),
};
