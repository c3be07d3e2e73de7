import type {
  BatchGetStreamKeyRequest,
  CreateStreamKeyRequest,
  DeleteStreamKeyRequest,
  GetStreamKeyRequest,
  ListStreamKeysRequest,
} from "@aws-sdk/client-ivs";
import { notFound, quotaExceeded } from "../errors.ts";
import { paginate } from "../protocol/pagination.ts";
import type { StreamKey, Tags } from "../state/types.ts";
import { type OperationContext, op } from "./context.ts";

/** Creates and stores a key for a channel that is known to exist, enforcing the per-channel limit. */
export function newStreamKey(ctx: OperationContext, channelArn: string, tags: Tags): StreamKey {
  const existing = ctx.store.keysOfChannel(channelArn).length;
  if (existing >= ctx.limits.streamKeysPerChannel)
    throw quotaExceeded(
      `Maximum number of stream keys (${ctx.limits.streamKeysPerChannel}) reached for channel: ${channelArn}; delete the existing key first`,
    );
  const key: StreamKey = {
    arn: ctx.ids.arn("stream-key"),
    value: ctx.ids.streamKeyValue(),
    channelArn,
    tags: { ...tags },
  };
  ctx.store.streamKeys.set(key.arn, key);
  ctx.store.orderOf(key.arn);
  return key;
}

function getKey(ctx: OperationContext, arn: string): StreamKey {
  const key = ctx.store.streamKeys.get(arn);
  if (!key) throw notFound(arn);
  return key;
}

export const streamKeyOperations = {
  CreateStreamKey: op<CreateStreamKeyRequest>((input, ctx) => {
    const channelArn = input.channelArn as string;
    if (!ctx.store.channels.has(channelArn)) throw notFound(channelArn);
    return { streamKey: newStreamKey(ctx, channelArn, input.tags ?? {}) };
  }),

  GetStreamKey: op<GetStreamKeyRequest>((input, ctx) => ({ streamKey: getKey(ctx, input.arn as string) })),

  BatchGetStreamKey: op<BatchGetStreamKeyRequest>((input, ctx) => {
    const streamKeys: StreamKey[] = [];
    const errors: { arn: string; code: string; message: string }[] = [];
    for (const arn of new Set(input.arns)) {
      const key = ctx.store.streamKeys.get(arn);
      if (key) streamKeys.push(key);
      else errors.push({ arn, code: "ResourceNotFoundException", message: `Resource: ${arn} not found` });
    }
    return { streamKeys, errors };
  }),

  ListStreamKeys: op<ListStreamKeysRequest>((input, ctx) => {
    const channelArn = input.channelArn as string;
    if (!ctx.store.channels.has(channelArn)) throw notFound(channelArn);
    const keys = ctx.store.keysOfChannel(channelArn);
    const page = paginate("ListStreamKeys", keys, (k) => ctx.store.orderOf(k.arn), input, 1);
    return {
      streamKeys: page.items.map((k) => ({ arn: k.arn, channelArn: k.channelArn, tags: k.tags })),
      nextToken: page.nextToken,
    };
  }),

  DeleteStreamKey: op<DeleteStreamKeyRequest>((input, ctx) => {
    const key = getKey(ctx, input.arn as string);
    ctx.store.streamKeys.delete(key.arn);
    ctx.store.forget(key.arn);
  }),
};
