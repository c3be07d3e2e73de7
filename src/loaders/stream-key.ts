import {
  BatchGetStreamKeyCommand,
  type IvsClient,
  ListStreamKeysCommand,
  type StreamKey,
  type StreamKeySummary,
} from "@aws-sdk/client-ivs";
import DataLoader from "dataloader";
import { fromIvsError, isNotFound } from "../ivs/errors.ts";
import { batchArnLoader } from "./batch.ts";

/** StreamKey by ARN → BatchGetStreamKey, ≤ 50 ARNs a call. */
export function streamKeyLoader(ivs: IvsClient) {
  return batchArnLoader<StreamKey>(async (arns) => {
    const out = await ivs.send(new BatchGetStreamKeyCommand({ arns }));
    return { items: out.streamKeys ?? [] };
  });
}

/** IVS's largest maxResults for ListStreamKeys (its default is 1). */
const LIST_KEYS_MAX = 50;

/**
 * A channel's key summaries by channel ARN → ListStreamKeys (every page). IVS has no batch call for
 * it; the loader exists so that the lists of all channels on a page settle together, and the key
 * values they lead to are then fetched in shared BatchGetStreamKey calls instead of one call each.
 * An unknown channel has no keys.
 */
export function channelStreamKeysLoader(ivs: IvsClient) {
  const listAll = async (channelArn: string): Promise<StreamKeySummary[]> => {
    const keys: StreamKeySummary[] = [];
    let nextToken: string | undefined;
    do {
      const out = await ivs.send(
        new ListStreamKeysCommand({ channelArn, nextToken, maxResults: LIST_KEYS_MAX }),
      );
      keys.push(...(out.streamKeys ?? []));
      nextToken = out.nextToken || undefined;
    } while (nextToken);
    return keys;
  };
  return new DataLoader<string, StreamKeySummary[]>((channelArns) =>
    Promise.all(
      channelArns.map((arn) =>
        listAll(arn).catch((error: unknown) => {
          if (isNotFound(error)) return [];
          const mapped = fromIvsError(error);
          return mapped instanceof Error ? mapped : new Error(String(mapped));
        }),
      ),
    ),
  );
}
