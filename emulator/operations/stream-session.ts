import type { GetStreamSessionRequest, ListStreamSessionsRequest } from "@aws-sdk/client-ivs";
import { IvsError } from "../errors.ts";
import { paginate } from "../protocol/pagination.ts";
import type { StreamSession } from "../state/types.ts";
import { getChannel } from "./channel.ts";
import { op } from "./context.ts";

/**
 * Sessions are listed newest first while page tokens need ascending numbers; counting down from a
 * large base keeps each session's number fixed as new sessions arrive, so pages neither repeat nor skip.
 */
const ORDER_BASE = 1_000_000_000;

/** The API shape: the stored session minus `hasErrorEvent`, which only the summary carries. */
function sessionView(s: StreamSession) {
  const { hasErrorEvent: _summaryOnly, ...view } = s;
  return view;
}

export const streamSessionOperations = {
  GetStreamSession: op<GetStreamSessionRequest>((input, ctx) => {
    const channel = getChannel(ctx, input.channelArn as string);
    const sessions = ctx.store.sessions.get(channel.arn) ?? [];
    // Without a streamId the most recent session is meant.
    const session = input.streamId
      ? sessions.find((s) => s.streamId === input.streamId)
      : sessions[sessions.length - 1];
    if (!session) {
      const what = input.streamId
        ? `Stream session: ${input.streamId}`
        : `Stream sessions for channel: ${channel.arn}`;
      throw new IvsError("ResourceNotFoundException", `${what} not found`);
    }
    return { streamSession: sessionView(session) };
  }),

  ListStreamSessions: op<ListStreamSessionsRequest>((input, ctx) => {
    const channel = getChannel(ctx, input.channelArn as string);
    const sessions = ctx.store.sessions.get(channel.arn) ?? [];
    const order = new Map(sessions.map((s, i) => [s, ORDER_BASE - i]));
    const newestFirst = [...sessions].reverse();
    const page = paginate("ListStreamSessions", newestFirst, (s) => order.get(s) ?? 0, input, 100);
    return {
      streamSessions: page.items.map((s) => ({
        streamId: s.streamId,
        startTime: s.startTime,
        ...(s.endTime ? { endTime: s.endTime } : {}),
        hasErrorEvent: s.hasErrorEvent,
      })),
      nextToken: page.nextToken,
    };
  }),
};
