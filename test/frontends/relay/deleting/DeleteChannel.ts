import { graphql } from "../graphql.ts";

/**
 * Deletes a channel: removes its edge from the dashboard's connection, then its record from the store (in
 * this order: @deleteEdge matches edges by their node, which @deleteRecord would already have removed). Kept in
 * a Relay project of its own so that the rest of the app compiles while the schema lacks `deletedId`.
 */
export const mutation = graphql`
  mutation DeleteChannelMutation($input: DeleteChannelInput!, $connections: [ID!]!) {
    deleteChannel(input: $input) {
      __typename
      ... on DeleteChannelPayload {
        removedEdgeId: deletedId @deleteEdge(connections: $connections)
        deletedId @deleteRecord
        arn
      }
      ... on Error {
        message
      }
    }
  }
`;
