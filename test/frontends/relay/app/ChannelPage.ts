import { graphql } from "../graphql.ts";

/** A channel's page: its past and current sessions. */
export const query = graphql`
  query ChannelPageQuery($arn: String!) {
    channel(arn: $arn) {
      id
      ...ChannelRow_summary
      ...ChannelSessions_channel
    }
  }
`;
