import type { IvsClient } from "@aws-sdk/client-ivs";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { createYoga, type Plugin, type YogaLogger, type YogaServerInstance } from "graphql-yoga";
import type { GatewayContext } from "./context.ts";
import { createLoaders } from "./loaders/index.ts";
import { maskGatewayErrors } from "./plugins/mask-errors.ts";
import { schema } from "./schema/index.ts";
import type { LiveHub } from "./subscriptions/live-hub.ts";

export interface GatewayAppOptions {
  ivs: IvsClient;
  /** Live status and relayed events (src/subscriptions); started by the caller. */
  live: LiveHub;
  /** Extra Yoga plugins (metrics, logging, limits). */
  plugins?: Plugin[];
  /** Serve GraphiQL at /graphql. Default true. */
  graphiql?: boolean;
  /** Where Yoga's own messages (unexpected errors, request parsing) go. Default Yoga's console logger. */
  logging?: boolean | YogaLogger;
}

export type GatewayYoga = YogaServerInstance<Record<string, unknown>, GatewayContext>;

/** The GraphQL application: schema, per-request context with fresh loaders. No port is opened here. */
export function createGatewayApp(options: GatewayAppOptions): GatewayYoga {
  return createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: "/graphql",
    graphiql: options.graphiql ?? true,
    // GraphiQL's scripts are served from this package, not a CDN: it works offline and under a strict CSP.
    renderGraphiQL,
    plugins: options.plugins ?? [],
    maskedErrors: { maskError: maskGatewayErrors },
    ...(options.logging !== undefined ? { logging: options.logging } : {}),
    context: (): GatewayContext => ({
      ivs: options.ivs,
      loaders: createLoaders(options.ivs),
      live: options.live,
    }),
  }) as GatewayYoga;
}
