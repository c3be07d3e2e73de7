import { graphql } from "../graphql.ts";

export const streamKey = graphql`
  fragment StreamKeyItem_streamKey on StreamKey {
    arn
    channelArn
  }
`;
