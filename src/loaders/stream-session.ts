import { GetStreamSessionCommand, type IvsClient } from "@aws-sdk/client-ivs";
import { singleLoader } from "./batch.ts";

/** Which session: a channel's, by stream id, or its most recent one when `streamId` is absent. */
export interface StreamSessionKey {
  channelArn: string;
  streamId?: string;
}

/** StreamSession by channel and stream id → GetStreamSession, once per session per request. */
export function streamSessionLoader(ivs: IvsClient) {
  return singleLoader(
    async (key: StreamSessionKey) => {
      const out = await ivs.send(new GetStreamSessionCommand(key));
      return out.streamSession;
    },
    (key) => `${key.channelArn} ${key.streamId ?? ""}`,
  );
}
