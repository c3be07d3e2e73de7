import { graphql } from "../graphql.ts";

/** The dashboard page: every channel, each row rendered by ChannelRow. */
export const query = graphql`
  query DashboardQuery($first: Int!) {
    ...Dashboard_query @arguments(first: $first)
  }
`;

export const channels = graphql`
  fragment Dashboard_query on Query @argumentDefinitions(first: { type: "Int!" }) {
    channels(first: $first) @connection(key: "Dashboard_channels") {
      __id
      edges {
        node {
          id
          ...ChannelRow_channel
        }
      }
    }
  }
`;
