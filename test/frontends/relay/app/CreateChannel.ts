import { graphql } from "../graphql.ts";

/** Creates a channel and appends it to the dashboard's connection. */
export const mutation = graphql`
  mutation CreateChannelMutation($input: CreateChannelInput!, $connections: [ID!]!) {
    createChannel(input: $input) {
      __typename
      ... on CreateChannelPayload {
        channel @appendNode(connections: $connections, edgeTypeName: "ChannelEdge") {
          id
          ...ChannelRow_channel
        }
        streamKey {
          id
          ...StreamKeyItem_streamKey
        }
      }
      ... on Error {
        message
      }
    }
  }
`;
