import type { IvsClient } from "@aws-sdk/client-ivs";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { createYoga, type Plugin, type YogaLogger, type YogaServerInstance } from "graphql-yoga";
import { type AuditLog, memoryAuditLog } from "./audit/log.ts";
import { corsPolicy, useVaryOrigin } from "./auth/cors.ts";
import { PAGE_HEADERS } from "./auth/local-page.ts";
import type { Principal } from "./auth/principal.ts";
import type { GatewaySecurity } from "./auth/security.ts";
import type { GatewayContext } from "./context.ts";
import { type TrustedDocumentsOptions, useTrustedDocuments } from "./documents/plugin.ts";
import { useIdempotency } from "./idempotency/plugin.ts";
import { type IdempotencyStore, memoryIdempotencyStore } from "./idempotency/store.ts";
import { JobRunner } from "./jobs/runner.ts";
import { memoryJobStore } from "./jobs/store.ts";
import type { LiveHub } from "./live/live-hub.ts";
import { createLoaders } from "./loaders/index.ts";
import { type LiveStreams, sharedLiveStreams } from "./loaders/stream.ts";
import type { Mirror } from "./mirror/mirror.ts";
import type { GraphiQLRender } from "./pages/graphiql.ts";
import { maskGatewayErrors } from "./plugins/mask-errors.ts";
import { useAuthentication } from "./plugins/use-authentication.ts";
import { useIvsScope } from "./plugins/use-ivs-scope.ts";
import { useLimits } from "./plugins/use-limits.ts";
import { useRequestId } from "./plugins/use-request-id.ts";
import { useScopeCachePerEvent } from "./plugins/use-scope-cache-per-event.ts";
import { schema } from "./schema/index.ts";
import { useTracing } from "./telemetry/plugin.ts";
import type { Tracing } from "./telemetry/tracing.ts";

export interface GatewayAppOptions {
  ivs: IvsClient;
  /** Live status and relayed events (src/live); started by the caller. */
  live: LiveHub;
  /** The copy of the IVS account every read is answered from (src/mirror); started by the caller. */
  mirror: Mirror;
  /** How long one operation's IVS calls may wait for the request budget, in all. Default 10 s. */
  ivsDeadlineMs?: number;
  /** Authentication, limits and playback-token signing (src/auth). Required: there is no open default. */
  security: GatewaySecurity;
  /** Extra Yoga plugins (metrics, logging, limits). */
  plugins?: Plugin[];
  /** Where mutations' Idempotency-Key results are kept (src/idempotency). Default this process's memory, 24 h. */
  idempotency?: IdempotencyStore;
  /** Live streams (ListStreams, memoized) shared with the job runner. Default one of this app's own. */
  liveStreams?: LiveStreams;
  /** Runs bulk jobs (src/jobs), started by the caller. Default one on this process's memory. */
  jobs?: JobRunner;
  /** Where every mutation is recorded and `auditEvents` reads (src/audit). Default this process's memory, 50,000 records. */
  audit?: AuditLog;
  /** GraphiQL at /graphql: its options per request (src/pages/graphiql.ts), or false. Default false. */
  graphiql?: false | GraphiQLRender;
  /** Where Yoga's own messages (unexpected errors, request parsing) go. Default Yoga's console logger. */
  logging?: boolean | YogaLogger;
  /** A span per operation, its IVS calls' spans as children (src/telemetry). Default none (not traced). */
  tracing?: Tracing;
  /** Persisted operations (TRUSTED_DOCUMENTS, src/documents): the loaded manifest and only-mode. Default none. */
  documents?: TrustedDocumentsOptions;
}

export type GatewayYoga = YogaServerInstance<Record<string, unknown>, GatewayContext>;

/** The GraphQL application: schema, per-request context with fresh loaders. No port is opened here. */
export function createGatewayApp(options: GatewayAppOptions): GatewayYoga {
  const { security } = options;
  const { mirror } = options;
  // One ListStreams memo for requests and jobs alike (src/server.ts passes the one its job runner uses).
  const liveStreams = options.liveStreams ?? sharedLiveStreams(options.ivs);
  const audit = options.audit ?? memoryAuditLog();
  const jobs =
    options.jobs ??
    new JobRunner({
      store: memoryJobStore(),
      ivs: options.ivs,
      mirror,
      live: options.live,
      liveStreams,
      audit,
    });
  const requestIds = useRequestId();
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
      // Every response carries its request id (x-request-id), also in the audit records.
      requestIds.plugin,
      // Before anything that may refuse an operation, so that refused operations are traced with their code.
      ...(options.tracing ? [useTracing({ tracing: options.tracing })] : []),
      // Before the limits: a document outside the manifest is refused in only-mode without further work.
      ...(options.documents ? useTrustedDocuments(options.documents) : []),
      ...useLimits(security.limits),
      useIvsScope({ deadlineMs: options.ivsDeadlineMs }),
      // A subscription's context outlives each event: scope-auth's per-context cache must not.
      useScopeCachePerEvent(),
      ...(options.plugins ?? []),
      // After metrics and logging, so that replays are counted and logged like any operation.
      useIdempotency({
        store: options.idempotency ?? memoryIdempotencyStore(),
        maskError: maskGatewayErrors,
      }),
      useVaryOrigin(security.limits),
      // GraphiQL may hold development mode's token: never cached, never framed by another page.
      {
        onResponse({ response }) {
          if (!response.headers.get("content-type")?.startsWith("text/html")) return;
          for (const [name, value] of Object.entries(PAGE_HEADERS)) response.headers.set(name, value);
        },
      },
    ],
    maxRequestBodySize: security.limits.maxBodyBytes,
    // An allow-list (CORS_ORIGINS), not Yoga's default of echoing any origin with credentials.
    cors: corsPolicy(security.limits),
    maskedErrors: { maskError: maskGatewayErrors },
    ...(options.logging !== undefined ? { logging: options.logging } : {}),
    context: (initial): GatewayContext => ({
      ivs: options.ivs,
      mirror,
      loaders: createLoaders(mirror, options.live, liveStreams),
      live: options.live,
      jobs,
      principal: auth.principalOf(initial as { request?: Request; principal?: Principal }),
      requestId: requestIds.requestIdOf(initial as { request?: Request }),
      audit,
      ...(security.playbackTokens ? { playbackTokens: security.playbackTokens } : {}),
    }),
  }) as GatewayYoga;
}
