import { graphql } from "../graphql.ts";

/** The live badge of the dashboard, pushed over graphql-ws. */
export const subscription = graphql`
  subscription LiveStatusSubscription($arns: [String!]!) {
    channelLiveStatus(arns: $arns) {
      channelArn
      status
      isLive
    }
  }
`;
