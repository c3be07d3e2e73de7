import type { GatewayContext } from "../context.ts";
import { violations } from "../ivs/validate.ts";
import { unauthenticated } from "./errors.ts";
import { isExpired } from "./principal.ts";
import { tagsAllow } from "./tenancy.ts";

const wellFormed = (arn: string) => violations("GetChannelRequest", { arn }).length === 0;

export interface AuthorizeEachOptions {
  /** How long a channel's visibility is trusted before IVS is asked again. Default 30 s. */
  recheckMs?: number;
  /** Channels the start already checked, trusted for the first `recheckMs` (saves a lookup each). */
  checkedAtStart?: readonly string[];
  now?: () => number;
}

/**
 * Authorizes every event of a subscription, not only its start: once the principal's token has
 * expired the subscription ends with an UNAUTHENTICATED error, and events of channels outside the
 * principal's tenant (an unfiltered `streamEvents`, a channel re-tagged meanwhile, account-level
 * events with no channel) are dropped. `return()` is forwarded at once, so that unsubscribing never
 * waits for the next event.
 */
export function authorizeEach<T>(
  ctx: GatewayContext,
  source: AsyncIterator<T>,
  channelOf: (item: T) => string | null | undefined,
  options: AuthorizeEachOptions = {},
): AsyncIterableIterator<T> {
  const recheckMs = options.recheckMs ?? 30_000;
  const now = options.now ?? (() => Date.now());
  const checked = new Map<string, { allowed: boolean; at: number }>(
    (options.checkedAtStart ?? []).map((arn) => [arn, { allowed: true, at: now() }]),
  );

  const allowed = async (item: T): Promise<boolean> => {
    if (!ctx.principal.tenant) return true;
    const arn = channelOf(item);
    if (!arn) return false;
    const cached = checked.get(arn);
    if (cached && now() - cached.at < recheckMs) return cached.allowed;
    // The subscription's loader lives as long as the subscription; drop its copy to see new tags.
    ctx.loaders.channel.clear(arn);
    const found = wellFormed(arn) ? await ctx.loaders.channel.load(arn) : null;
    // A deleted channel keeps the verdict it had, so that its last update reaches whoever watched it.
    const verdict = found ? tagsAllow(ctx.principal, found.tags) : (cached?.allowed ?? false);
    checked.set(arn, { allowed: verdict, at: now() });
    return verdict;
  };

  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done) return result;
        if (isExpired(ctx.principal, now())) {
          await source.return?.();
          throw unauthenticated("expired");
        }
        if (await allowed(result.value)) return result;
      }
    },
    return: (value?: unknown) =>
      source.return ? source.return(value) : Promise.resolve({ done: true as const, value: undefined }),
    throw: (error?: unknown) => (source.throw ? source.throw(error) : Promise.reject(error)),
  };
  return iterator;
}
