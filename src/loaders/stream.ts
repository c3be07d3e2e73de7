import { GetStreamCommand, type IvsClient } from "@aws-sdk/client-ivs";
import { ChannelNotBroadcastingError } from "../errors.ts";
import { fromIvsError } from "../ivs/errors.ts";
import { singleLoader } from "./batch.ts";

/**
 * A channel's live stream by channel ARN → GetStream, once per channel per request. An offline channel
 * is null rather than a failure: GetStream reports it as ChannelNotBroadcasting, which for a lookup
 * just means "no stream".
 */
export function streamLoader(ivs: IvsClient) {
  return singleLoader(async (channelArn: string) => {
    try {
      const out = await ivs.send(new GetStreamCommand({ channelArn }));
      return out.stream;
    } catch (error) {
      if (fromIvsError(error) instanceof ChannelNotBroadcastingError) return undefined;
      throw error;
    }
  });
}
