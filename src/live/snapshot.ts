import { type IvsClient, paginateListStreams } from "@aws-sdk/client-ivs";
import type { SnapshotStream } from "./live-state.ts";

/** Every live stream of the account, from ListStreams (100 a page, the largest IVS allows). */
export async function listLiveStreams(ivs: IvsClient): Promise<SnapshotStream[]> {
  const out: SnapshotStream[] = [];
  for await (const page of paginateListStreams({ client: ivs, pageSize: 100 }, {})) {
    for (const s of page.streams ?? []) {
      if (!s.channelArn || !s.streamId || s.state !== "LIVE") continue;
      const stream: SnapshotStream = { channelArn: s.channelArn, streamId: s.streamId };
      if (s.startTime) stream.startTime = s.startTime.getTime();
      if (s.health) stream.health = s.health as SnapshotStream["health"];
      if (s.viewerCount !== undefined) stream.viewerCount = s.viewerCount;
      out.push(stream);
    }
  }
  return out;
}
