/** What an IVS Stream State Change needs to say; the rest of the EventBridge envelope is filled in. */
export interface StateChange {
  /** The EventBridge event id (the de-duplication key). */
  id: string;
  channelArn: string;
  /** `Stream Start`, `Stream End`, `Session Created`, … */
  eventName: string;
  streamId: string;
  /** RFC 3339. Default now. */
  time?: string;
  /** Default empty, as IVS sends for channels without a name. */
  channelName?: string;
}

/** An "IVS Stream State Change" as EventBridge delivers it to POST /events (IVS User Guide, "Using Amazon EventBridge with IVS"). */
export function stateChange(change: StateChange) {
  return {
    version: "0",
    id: change.id,
    "detail-type": "IVS Stream State Change",
    source: "aws.ivs",
    account: "123456789012",
    time: change.time ?? new Date().toISOString(),
    region: "us-west-2",
    resources: [change.channelArn],
    detail: {
      event_name: change.eventName,
      channel_name: change.channelName ?? "",
      stream_id: change.streamId,
    },
  };
}
