import { createGraphQLError } from "graphql-yoga";
import {
  checkPlaybackTokenRequest,
  type PlaybackToken,
  type PlaybackTokenRequest,
} from "../auth/playback-token.ts";
import type { GatewayContext } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import { channel } from "./channel.ts";

export interface IssuedPlaybackToken extends PlaybackToken {
  /** The channel's playback URL with the token appended, ready for a player. */
  playbackUrl: string;
}

/**
 * Issues a playback token for a channel the caller can see (a tenant's own). Bounds are checked before
 * the channel is looked up, so a bad request costs no IVS call.
 */
export async function createPlaybackToken(
  ctx: GatewayContext,
  { input }: { input: PlaybackTokenRequest },
): Promise<IssuedPlaybackToken> {
  if (!ctx.playbackTokens)
    throw createGraphQLError("Playback tokens are off: configure PLAYBACK_PRIVATE_KEY", {
      extensions: { code: "PLAYBACK_TOKENS_OFF" },
    });
  checkPlaybackTokenRequest(input);
  const found = await channel(ctx, { arn: input.channelArn });
  if (!found) throw new NotFoundError(`No such channel: ${input.channelArn}`, input.channelArn);
  const issued = await ctx.playbackTokens.sign(input);
  const url = found.playbackUrl ?? "";
  return { ...issued, playbackUrl: url ? `${url}${url.includes("?") ? "&" : "?"}token=${issued.token}` : "" };
}
