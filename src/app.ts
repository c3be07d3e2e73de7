import type { IvsClient } from "@aws-sdk/client-ivs";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { createYoga, type Plugin, type YogaLogger, type YogaServerInstance } from "graphql-yoga";
import { PAGE_HEADERS } from "./auth/local-page.ts";
import type { Principal } from "./auth/principal.ts";
import type { GatewaySecurity } from "./auth/security.ts";
import type { GatewayContext } from "./context.ts";
import { createLoaders } from "./loaders/index.ts";
import { sharedLiveStreams } from "./loaders/stream.ts";
import type { Mirror } from "./mirror/mirror.ts";
import type { GraphiQLRender } from "./pages/graphiql.ts";
import { maskGatewayErrors } from "./plugins/mask-errors.ts";
import { useAuthentication } from "./plugins/use-authentication.ts";
import { useIvsScope } from "./plugins/use-ivs-scope.ts";
import { useLimits } from "./plugins/use-limits.ts";
import { schema } from "./schema/index.ts";
import type { LiveHub } from "./subscriptions/live-hub.ts";

export interface GatewayAppOptions {
  ivs: IvsClient;
  /** Live status and relayed events (src/subscriptions); started by the caller. */
  live: LiveHub;
  /** The copy of the IVS account every read is answered from (src/mirror); started by the caller. */
  mirror: Mirror;
  /** How long one operation's IVS calls may wait for the request budget, in all. Default 10 s. */
  ivsDeadlineMs?: number;
  /** Authentication, limits and playback-token signing (src/auth). Required: there is no open default. */
  security: GatewaySecurity;
  /** Extra Yoga plugins (metrics, logging, limits). */
  plugins?: Plugin[];
  /** GraphiQL at /graphql: its options per request (src/pages/graphiql.ts), or false. Default false. */
  graphiql?: false | GraphiQLRender;
  /** Where Yoga's own messages (unexpected errors, request parsing) go. Default Yoga's console logger. */
  logging?: boolean | YogaLogger;
}

export type GatewayYoga = YogaServerInstance<Record<string, unknown>, GatewayContext>;

/** The GraphQL application: schema, per-request context with fresh loaders. No port is opened here. */
export function createGatewayApp(options: GatewayAppOptions): GatewayYoga {
  const { security } = options;
  const { mirror } = options;
  const liveStreams = sharedLiveStreams(options.ivs);
  const auth = useAuthentication({
    authenticator: security.authenticator,
    ...(security.rateLimit ? { rateLimit: security.rateLimit } : {}),
  });
  return createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: "/graphql",
    graphiql: options.graphiql ?? false,
    // GraphiQL's scripts are served from this package, not a CDN: it works offline and under a strict CSP.
    renderGraphiQL,
    // Authentication first: a caller it refuses costs no parse, no validation and no other plugin.
    plugins: [
      auth.plugin,
      ...useLimits(security.limits),
      useIvsScope({ deadlineMs: options.ivsDeadlineMs }),
      ...(options.plugins ?? []),
      // GraphiQL may hold development mode's token: never cached, never framed by another page.
      {
        onResponse({ response }) {
          if (!response.headers.get("content-type")?.startsWith("text/html")) return;
          for (const [name, value] of Object.entries(PAGE_HEADERS)) response.headers.set(name, value);
        },
      },
    ],
    maxRequestBodySize: security.limits.maxBodyBytes,
    maskedErrors: { maskError: maskGatewayErrors },
    ...(options.logging !== undefined ? { logging: options.logging } : {}),
    context: (initial): GatewayContext => ({
      ivs: options.ivs,
      mirror,
      loaders: createLoaders(mirror, options.live, liveStreams),
      live: options.live,
      principal: auth.principalOf(initial as { request?: Request; principal?: Principal }),
      ...(security.playbackTokens ? { playbackTokens: security.playbackTokens } : {}),
    }),
  }) as GatewayYoga;
}
