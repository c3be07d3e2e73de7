import { graphql } from "../graphql.ts";

export const channel = graphql`
  fragment ChannelSessions_channel on Channel @argumentDefinitions(first: { type: "Int", defaultValue: 10 }) {
    sessions(first: $first) @connection(key: "ChannelSessions_sessions") {
      __id
      edges {
        node {
          id
          ...SessionRow_session
        }
      }
    }
  }
`;
