import { graphql } from "../graphql.ts";

/** One dashboard row; refetchable on its own through node(id:). */
export const channel = graphql`
  fragment ChannelRow_channel on Channel @refetchable(queryName: "ChannelRowRefetchQuery") {
    id
    latencyMode
    type
    ...ChannelRow_summary
    ...LiveBadge_channel
    ...StreamKeyList_channel
    recordingConfiguration {
      ...RecordingBadge_recordingConfiguration
    }
  }
`;

/** Read with readInlineData, e.g. in an event handler. */
export const summary = graphql`
  fragment ChannelRow_summary on Channel @inline {
    arn
    name
  }
`;
