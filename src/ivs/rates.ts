/**
 * IVS request-rate quotas (TPS per account and region; not adjustable), from the IVS service-quota
 * page. The gateway keeps its own copy rather than importing the emulator's: the emulator imitates
 * IVS, this table is what the gateway promises IVS. Ad-configuration rates are not published; 5 TPS
 * (the common rate) is assumed.
 */
export const IVS_RATES: Readonly<Record<string, number>> = {
  BatchGetChannel: 5,
  CreateChannel: 5,
  DeleteChannel: 5,
  GetChannel: 5,
  ListChannels: 5,
  UpdateChannel: 5,
  CreatePlaybackRestrictionPolicy: 5,
  DeletePlaybackRestrictionPolicy: 5,
  GetPlaybackRestrictionPolicy: 5,
  ListPlaybackRestrictionPolicies: 5,
  UpdatePlaybackRestrictionPolicy: 5,
  DeletePlaybackKeyPair: 3,
  GetPlaybackKeyPair: 3,
  ImportPlaybackKeyPair: 3,
  ListPlaybackKeyPairs: 3,
  BatchStartViewerSessionRevocation: 2,
  StartViewerSessionRevocation: 10,
  CreateRecordingConfiguration: 3,
  DeleteRecordingConfiguration: 3,
  GetRecordingConfiguration: 3,
  ListRecordingConfigurations: 3,
  GetStream: 5,
  GetStreamSession: 5,
  ListStreams: 5,
  ListStreamSessions: 5,
  StopStream: 5,
  PutMetadata: 155,
  BatchGetStreamKey: 5,
  CreateStreamKey: 5,
  DeleteStreamKey: 5,
  GetStreamKey: 5,
  ListStreamKeys: 5,
  ListTagsForResource: 10,
  TagResource: 10,
  UntagResource: 10,
  CreateAdConfiguration: 5,
  GetAdConfiguration: 5,
  UpdateAdConfiguration: 5,
  DeleteAdConfiguration: 5,
  ListAdConfigurations: 5,
  InsertAdBreak: 5,
};

/** PutMetadata is also limited per channel, on top of its account-wide rate. */
export const PUT_METADATA_PER_CHANNEL = 5;

/** An operation the table does not know (a newer SDK) gets the most common rate. */
const UNKNOWN_RATE = 5;

/** One budget a call must pass: a key shared by every caller of the account, and its quota. */
export interface RateKey {
  key: string;
  /** Requests per second IVS allows for this key. */
  rate: number;
}

/**
 * The budgets an IVS call draws from: its operation's, and for PutMetadata also its channel's.
 * `overrides` replaces table rates (IVS_RATES in the configuration).
 */
export function rateKeysOf(
  operation: string,
  input: unknown,
  overrides: Readonly<Record<string, number>> = {},
): RateKey[] {
  const keys: RateKey[] = [
    { key: operation, rate: overrides[operation] ?? IVS_RATES[operation] ?? UNKNOWN_RATE },
  ];
  const channelArn = (input as { channelArn?: unknown } | undefined)?.channelArn;
  if (operation === "PutMetadata" && typeof channelArn === "string")
    keys.unshift({ key: `PutMetadata:${channelArn}`, rate: PUT_METADATA_PER_CHANNEL });
  return keys;
}
