import {
  CreateChannelCommand,
  type CreateChannelCommandInput,
  CreateRecordingConfigurationCommand,
} from "@aws-sdk/client-ivs";
import type { IvsEvent } from "../../emulator/index.ts";
import type { Harness } from "./harness.ts";

/** Event names as IVS discriminates them: event_name, recording_status or limit_name. */
export const names = (list: IvsEvent[]) =>
  list.map((e) => String(e.detail.event_name ?? e.detail.recording_status ?? e.detail.limit_name));

/** Channels to broadcast on, and the control API seen from a test. */
export function broadcastHelpers(h: Harness) {
  async function channel(input: Partial<CreateChannelCommandInput> = {}) {
    const out = await h.ivs.send(new CreateChannelCommand({ name: "ch", ...input }));
    return {
      arn: out.channel?.arn as string,
      key: out.streamKey?.value as string,
      id: out.channel?.arn?.split("/")[1],
    };
  }
  return {
    channel,
    async recordingChannel(window = 0) {
      const { recordingConfiguration: rc } = await h.ivs.send(
        new CreateRecordingConfigurationCommand({
          destinationConfiguration: { s3: { bucketName: "vod-bucket" } },
          recordingReconnectWindowSeconds: window,
        }),
      );
      return channel({ recordingConfigurationArn: rc?.arn });
    },
    /** What GET /_emulator/events logged for a channel, oldest first. */
    async events(channelArn: string): Promise<IvsEvent[]> {
      const res = await h.control<{ events: IvsEvent[] }>(
        "GET",
        `/events?channelArn=${encodeURIComponent(channelArn)}`,
      );
      return res.body.events;
    },
    post: <T = Record<string, unknown>>(path: string, body: unknown) => h.control<T>("POST", path, body),
  };
}
