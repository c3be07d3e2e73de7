/**
 * IVS request-rate quotas: requests per second per account and region, not adjustable (the IVS
 * service-quota page). A published fact shared by the emulator, which
 * enforces it, and the gateway, which budgets under it. Ad-configuration rates are not published;
 * 5 TPS (the common rate) is our choice.
 */
export const IVS_RATE_QUOTAS: Readonly<Record<string, number>> = {
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
