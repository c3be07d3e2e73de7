import { authorizeEach } from "../auth/subscriptions.ts";
import { tagsAllow } from "../auth/tenancy.ts";
import type { GatewayContext } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { isLogId } from "../live/event-log.ts";
import type { EventFilter } from "../live/live-hub.ts";

const CHANNEL_ARN = /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:channel\/[a-zA-Z0-9-]+$/;
/** The most channels one subscription may watch. */
export const MAX_WATCHED_CHANNELS = 100;

function checkArns(arns: readonly string[], field: string, allowEmpty: boolean): void {
  if (arns.length > MAX_WATCHED_CHANNELS || (!allowEmpty && arns.length === 0))
    throw new ValidationError(`${field} must list 1 to ${MAX_WATCHED_CHANNELS} channel ARNs`, field);
  const bad = arns.find((arn) => !CHANNEL_ARN.test(arn));
  if (bad !== undefined)
    throw new ValidationError(`${field} has a value that is not a channel ARN: ${bad}`, field);
}

/**
 * Channels must exist when a subscription starts (one BatchGetChannel per 50 through the loader). Another
 * tenant's channel is reported exactly like a missing one.
 */
async function checkExist(ctx: GatewayContext, arns: readonly string[]): Promise<void> {
  const found = await ctx.loaders.channel.loadMany(arns);
  const missing = arns.filter((_, i) => {
    const f = found[i];
    return f === null || (f !== undefined && !(f instanceof Error) && !tagsAllow(ctx.principal, f.tags));
  });
  if (missing.length > 0) throw new NotFoundError(`No such channel: ${missing.join(", ")}`, missing[0]);
  const failed = found.find((f) => f instanceof Error);
  if (failed instanceof Error) throw failed;
}

export async function watchChannelLiveStatus(ctx: GatewayContext, arns: readonly string[]) {
  checkArns(arns, "arns", false);
  await checkExist(ctx, arns);
  return authorizeEach(ctx, ctx.live.watchChannels(arns), (update) => update.channelArn, {
    checkedAtStart: arns,
  });
}

export async function watchStreamEvents(ctx: GatewayContext, filter: EventFilter, lastEventId?: string) {
  if (filter.channelArns) {
    checkArns(filter.channelArns, "filter.channelArns", false);
    await checkExist(ctx, filter.channelArns);
  }
  if (lastEventId !== undefined && !isLogId(lastEventId))
    throw new ValidationError("lastEventId must be the id of an event this gateway sent", "lastEventId");
  // Unfiltered, a tenant's subscription would see every channel's events: each is checked on delivery.
  return authorizeEach(ctx, ctx.live.watchEvents(filter, lastEventId), (entry) => entry.event.channelArn, {
    checkedAtStart: filter.channelArns ?? [],
  });
}
