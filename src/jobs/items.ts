import { paginateListChannels, paginateListStreamKeys } from "@aws-sdk/client-ivs";
import { channelAllowed, resourceAllowed, tagKeysAllowed, withTenantTag } from "../auth/tenancy.ts";
import type { GatewayContext } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import {
  type CreateChannelInput,
  createChannel,
  deleteChannel,
  type UpdateChannelInput,
  updateChannel,
} from "../resolvers/channel.ts";
import { createStreamKey, deleteStreamKey } from "../resolvers/stream-key.ts";
import { tagResource } from "../resolvers/tags.ts";
import type { TagShape } from "../schema/tag.ts";
import { JOB_TAG, type JobKind } from "./types.ts";

/** What one item did: the resource it made or changed. */
export interface ItemOutcome {
  arn: string;
}

/**
 * How a job's items are carried out: `run` makes the item's IVS calls through the same resolvers as the
 * single mutations (validation, tenancy, mirror updates alike); `settle` says, for an item whose call was
 * in flight when its replica stopped, whether that call took effect (its outcome), or undefined when the
 * item must run again. `tag` is the item's job tag value, carried by what it creates.
 */
export interface ItemKind<Input> {
  run(ctx: GatewayContext, input: Input, tag: string): Promise<ItemOutcome>;
  settle(ctx: GatewayContext, input: Input, tag: string): Promise<ItemOutcome | undefined>;
}

type Tagged = { key: string; value: string };
const withJobTag = (tags: readonly Tagged[] | null | undefined, tag: string): Tagged[] => [
  ...(tags ?? []).filter((t) => t.key !== JOB_TAG),
  { key: JOB_TAG, value: tag },
];

async function mustSeeChannel(ctx: GatewayContext, arn: string): Promise<void> {
  if (!(await channelAllowed(ctx, arn))) throw new NotFoundError(`No channel ${arn}`, arn);
}

const createChannels: ItemKind<CreateChannelInput> = {
  async run(ctx, input, tag) {
    const tagged = withTenantTag(ctx.principal, { ...input, tags: withJobTag(input.tags, tag) });
    const { channel } = await createChannel(ctx, { input: tagged });
    return { arn: channel.arn as string };
  },
  // CreateChannel has no idempotency token: the channel carrying this item's tag is what the lost call made.
  async settle(ctx, input, tag) {
    const filter = input.name ? { filterByName: input.name } : {};
    for await (const page of paginateListChannels({ client: ctx.ivs }, filter))
      for (const c of page.channels ?? []) if (c.tags?.[JOB_TAG] === tag) return { arn: c.arn as string };
    return undefined;
  },
};

const updateChannels: ItemKind<UpdateChannelInput> = {
  async run(ctx, input) {
    await mustSeeChannel(ctx, input.arn);
    const updated = await updateChannel(ctx, { input });
    return { arn: updated.arn as string };
  },
  // The same update again changes nothing more.
  settle: async () => undefined,
};

const deleteChannels: ItemKind<{ arn: string }> = {
  async run(ctx, input) {
    await mustSeeChannel(ctx, input.arn);
    await deleteChannel(ctx, { input });
    return { arn: input.arn };
  },
  // A delete that was sent and whose channel is now gone did its work.
  async settle(ctx, input) {
    const found = await ctx.loaders.channel.load(input.arn);
    return found ? undefined : { arn: input.arn };
  },
};

const tagResources: ItemKind<{ arn: string; tags: readonly TagShape[] }> = {
  async run(ctx, input) {
    if (
      !tagKeysAllowed(
        ctx.principal,
        input.tags.map((t) => t.key),
      )
    )
      throw new ValidationError("Tenant tags are set by the gateway", "input.tags");
    if (!(await resourceAllowed(ctx, input.arn, true)))
      throw new NotFoundError(`No resource ${input.arn}`, input.arn);
    await tagResource(ctx, { input });
    return { arn: input.arn };
  },
  settle: async () => undefined,
};

/** IVS allows one key per channel: rotation deletes the channel's keys, then creates one (tagged). */
const rotateStreamKeys: ItemKind<{ channelArn: string }> = {
  async run(ctx, input, tag) {
    await mustSeeChannel(ctx, input.channelArn);
    for (const key of await listKeys(ctx, input.channelArn))
      if (key.tags?.[JOB_TAG] !== tag) await deleteStreamKey(ctx, { input: { arn: key.arn as string } });
    const created = await createStreamKey(ctx, {
      input: { channelArn: input.channelArn, tags: [{ key: JOB_TAG, value: tag }] },
    });
    return { arn: created.arn as string };
  },
  async settle(ctx, input, tag) {
    const keys = await listKeys(ctx, input.channelArn);
    const made = keys.find((k) => k.tags?.[JOB_TAG] === tag);
    return made && keys.length === 1 ? { arn: made.arn as string } : undefined;
  },
};

/** The channel's keys as IVS has them now (not the mirror: a resumed item must see what the lost call did). */
async function listKeys(ctx: GatewayContext, channelArn: string) {
  const keys = [];
  for await (const page of paginateListStreamKeys({ client: ctx.ivs }, { channelArn }))
    keys.push(...(page.streamKeys ?? []));
  return keys;
}

export const ITEM_KINDS: Record<JobKind, ItemKind<never>> = {
  CREATE_CHANNELS: createChannels,
  UPDATE_CHANNELS: updateChannels,
  DELETE_CHANNELS: deleteChannels,
  TAG_RESOURCES: tagResources,
  ROTATE_STREAM_KEYS: rotateStreamKeys,
};
