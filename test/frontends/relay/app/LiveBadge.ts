import { graphql } from "../graphql.ts";

export const channel = graphql`
  fragment LiveBadge_channel on Channel {
    isLive
    stream {
      health
      viewerCount
      startTime
    }
  }
`;
