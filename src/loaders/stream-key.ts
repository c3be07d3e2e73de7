import { BatchGetStreamKeyCommand, type IvsClient, type StreamKey } from "@aws-sdk/client-ivs";
import { batchArnLoader } from "./batch.ts";

/** StreamKey by ARN → BatchGetStreamKey, ≤ 50 ARNs a call. */
export function streamKeyLoader(ivs: IvsClient) {
  return batchArnLoader<StreamKey>(async (arns) => {
    const out = await ivs.send(new BatchGetStreamKeyCommand({ arns }));
    return { items: out.streamKeys ?? [] };
  });
}
