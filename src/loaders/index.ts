import type { IvsClient } from "@aws-sdk/client-ivs";
import { channelLoader } from "./channel.ts";
import { streamKeyLoader } from "./stream-key.ts";

/** One set per GraphQL request, so that caching never crosses requests. */
export function createLoaders(ivs: IvsClient) {
  return {
    channel: channelLoader(ivs),
    streamKey: streamKeyLoader(ivs),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
