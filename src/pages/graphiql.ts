import type { GraphiQLOptions } from "graphql-yoga";
import { isLocalNavigation } from "../auth/local-page.ts";
import { CSRF_HEADER } from "../plugins/use-limits.ts";

export interface GraphiQLPageOptions {
  /** Development mode's token: sent with every GraphiQL request opened from this machine. */
  devToken?: string;
  /** CSRF prevention is on: GraphiQL sends the header it asks for. */
  csrfPrevention?: boolean;
  /** The channel of the channel-page example (the demo's live channel). */
  exampleChannelArn?: string;
  /** The channels of the live-status example (the demo channels, some broadcasting on a schedule). */
  liveExampleArns?: string[];
}

/** What Yoga serves GraphiQL with, decided per request (the token only for a local page). */
export type GraphiQLRender = (request: Request) => GraphiQLOptions;

const DASHBOARD = `# The channels with their live status, as a dashboard shows them.
# Run it with the pink button or Ctrl-Enter; the other tabs hold
# a channel page, a mutation and a live subscription.
query Dashboard {
  channels(first: 20) {
    edges {
      node {
        id
        name
        latencyMode
        isLive
        stream {
          health
          viewerCount
          startTime
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`;

const CHANNEL_PAGE = `# One channel with its keys, live stream and recent sessions.
# The channel's ARN is in Variables below.
query ChannelPage($arn: String!) {
  channel(arn: $arn) {
    name
    playbackUrl
    isLive
    stream {
      health
      viewerCount
      startTime
    }
    streamKeys {
      arn
    }
    sessions(first: 5) {
      edges {
        node {
          streamId
          startTime
          endTime
        }
      }
    }
  }
}
`;

const CREATE_CHANNEL = `# Creates a channel and its stream key. Errors are typed results.
mutation CreateChannel {
  createChannel(input: { name: "from-graphiql", latencyMode: LOW }) {
    __typename
    ... on CreateChannelPayload {
      channel {
        id
        arn
        name
      }
    }
    ... on Error {
      message
    }
  }
}
`;

const LIVE_STATUS = `# Live status, pushed as it changes. The demo broadcasts go live,
# starve and end on a schedule: run this and watch status and health
# change (the stop button ends the subscription).
subscription LiveStatus($arns: [String!]!) {
  channelLiveStatus(arns: $arns) {
    channelArn
    status
    health
    viewerCount
    startTime
    version
  }
}
`;

/** Example tabs for a first visit (GraphiQL keeps what the user has once they edit). */
export function exampleTabs(channelArn: string | undefined, liveArns: string[] | undefined) {
  const variables = JSON.stringify({ arn: channelArn ?? "paste a channel ARN here" }, null, 2);
  const watched = liveArns && liveArns.length > 0 ? liveArns : ["paste channel ARNs here"];
  const arns = JSON.stringify({ arns: watched }, null, 2);
  return [
    { query: DASHBOARD },
    { query: CHANNEL_PAGE, variables },
    { query: CREATE_CHANNEL },
    { query: LIVE_STATUS, variables: arns },
  ];
}

/**
 * GraphiQL as Yoga serves it. In development mode the token goes into `additionalHeaders`, which
 * GraphiQL sends with every request (the schema fetch too) without showing or storing it, so a restart's
 * new token is picked up by a reload; headers typed by the user are not persisted either.
 */
export function graphiqlOptions(options: GraphiQLPageOptions): GraphiQLRender {
  return (request) => {
    const additionalHeaders: Record<string, string> = {};
    if (options.csrfPrevention) additionalHeaders[CSRF_HEADER] = "graphiql";
    const local = isLocalNavigation((name) => request.headers.get(name));
    if (options.devToken && local) additionalHeaders.authorization = `Bearer ${options.devToken}`;
    return {
      title: "IVS GraphQL gateway",
      defaultTabs: exampleTabs(options.exampleChannelArn, options.liveExampleArns),
      additionalHeaders,
      shouldPersistHeaders: false,
      // Yoga's own SSE over one POST per subscription: works with any header, no extra endpoint.
      subscriptionsProtocol: "SSE",
      defaultEditorToolsVisibility: "variables",
    };
  };
}
