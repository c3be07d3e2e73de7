import { graphql } from "../graphql.ts";

/** The dashboard page: every channel, each row rendered from its own fragment. */
export const query = graphql`
  query DashboardQuery($first: Int!) {
    channels(first: $first) @connection(key: "Dashboard_channels") {
      edges {
        node {
          id
          ...DashboardRow_channel
        }
      }
    }
  }
`;

export const row = graphql`
  fragment DashboardRow_channel on Channel {
    arn
    name
    isLive
    streamKeys {
      arn
    }
  }
`;
