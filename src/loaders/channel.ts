import { BatchGetChannelCommand, type Channel, type IvsClient } from "@aws-sdk/client-ivs";
import { batchArnLoader } from "./batch.ts";

/** Channel by ARN → BatchGetChannel, ≤ 50 ARNs a call. */
export function channelLoader(ivs: IvsClient) {
  return batchArnLoader<Channel>(async (arns) => {
    const out = await ivs.send(new BatchGetChannelCommand({ arns }));
    return { items: out.channels ?? [] };
  });
}
