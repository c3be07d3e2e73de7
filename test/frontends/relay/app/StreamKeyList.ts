import { graphql } from "../graphql.ts";

export const channel = graphql`
  fragment StreamKeyList_channel on Channel {
    streamKeys {
      id
      ...StreamKeyItem_streamKey
    }
  }
`;
