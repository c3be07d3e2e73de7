import type { Server } from "node:http";
import { type ExecutionArgs, GraphQLError } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { YogaServerInstance } from "graphql-yoga";
import { type WebSocket, WebSocketServer } from "ws";
import type { Authenticator } from "../auth/authenticate.ts";
import { isUnauthenticated } from "../auth/errors.ts";
import { isExpired, type Principal } from "../auth/principal.ts";
import type { RateLimiter } from "../auth/rate-limit.ts";
import { type TrustedDocumentsOptions, trustedQueryOf } from "../documents/plugin.ts";

/**
 * Close code of a connection whose credentials are missing, invalid or expired: graphql-ws's own
 * `Unauthorized`, so that clients treat it like the protocol's other authentication failure.
 */
export const CLOSE_UNAUTHENTICATED = 4401;

/**
 * Close code of every socket when the gateway stops or drains: the standard Going Away. graphql-ws has no
 * reconnect message of its own; its clients retry on 1001 by default (as on 1006, 1012, 1013).
 */
export const CLOSE_GOING_AWAY = 1001;

export interface WsTransportOptions {
  /** Checks the `connection_init` payload (`{ authorization: "Bearer …" }` or `{ "x-api-key": "…" }`). */
  authenticator: Authenticator;
  /** Admits each subscribe of a principal. Default: no limit. */
  rateLimit?: RateLimiter;
  /** Path of the GraphQL endpoint, shared with HTTP. Default `/graphql`. */
  path?: string;
  /** How often each socket is pinged; a socket that missed the previous pong is dropped. Default 15 s. */
  heartbeatMs?: number;
  /** Largest incoming message in bytes. Default 64 KiB. */
  maxPayload?: number;
  /** Trusted documents (src/documents): ids resolved, and in only-mode other documents refused. Default none. */
  documents?: TrustedDocumentsOptions;
}

type EnvelopedArgs = ExecutionArgs & {
  rootValue: { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };
};

/**
 * graphql-ws (the `graphql-transport-ws` protocol) on the gateway's HTTP server, running every operation
 * through Yoga's envelop pipeline so that plugins (metrics, limits, auth) apply on WebSocket as on HTTP.
 */
export function attachGraphqlWs(
  server: Server,
  // biome-ignore lint/suspicious/noExplicitAny: any Yoga instance, whatever its context types
  yoga: YogaServerInstance<any, any>,
  options: WsTransportOptions,
) {
  const wss = new WebSocketServer({
    server,
    path: options.path ?? "/graphql",
    maxPayload: options.maxPayload ?? 64 * 1024,
  });
  const alive = new WeakMap<WebSocket, boolean>();
  wss.on("connection", (socket) => {
    alive.set(socket, true);
    socket.on("pong", () => alive.set(socket, true));
  });
  const heartbeat = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.get(socket)) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  // Authenticated once per connection; every operation on the socket runs as this principal.
  const principals = new WeakMap<WebSocket, Principal>();
  const expiryTimers = new Set<NodeJS.Timeout>();
  const refuse = (socket: WebSocket, reason: string) => socket.close(CLOSE_UNAUTHENTICATED, reason);

  const disposable = useServer(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args) as never,
      onConnect: async (ctx) => {
        const { socket } = ctx.extra;
        try {
          const principal = await options.authenticator.fromConnectionParams(ctx.connectionParams);
          principals.set(socket, principal);
          if (principal.expiresAt !== undefined) {
            // A socket outliving its token is closed, not left streaming on stale credentials.
            const timer = setTimeout(
              () => {
                expiryTimers.delete(timer);
                refuse(socket, "The token has expired");
              },
              Math.max(0, principal.expiresAt - Date.now()),
            );
            timer.unref();
            expiryTimers.add(timer);
            socket.once("close", () => {
              clearTimeout(timer);
              expiryTimers.delete(timer);
            });
          }
          return true;
        } catch (error) {
          if (!isUnauthenticated(error)) throw error;
          refuse(socket, error.message);
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const principal = principals.get(ctx.extra.socket);
        if (!principal || isExpired(principal)) {
          refuse(ctx.extra.socket, "The token has expired");
          return [new GraphQLError("The token has expired", { extensions: { code: "UNAUTHENTICATED" } })];
        }
        try {
          await options.rateLimit?.(principal);
          // Yoga's onParams hooks (persisted operations) run on HTTP only: ids are resolved here.
          const query = options.documents ? trustedQueryOf(options.documents, payload) : payload.query;
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            connectionParams: ctx.connectionParams,
            params: { ...payload, query },
            principal,
          });
          const args: EnvelopedArgs = {
            schema,
            operationName: payload.operationName,
            document: parse(query),
            variableValues: payload.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe },
          };
          const errors = validate(args.schema, args.document);
          if (errors.length > 0) return errors;
          return args;
        } catch (error) {
          // Refusals (rate limit, token limit, syntax) go to this operation only, not the whole socket.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
      },
    },
    wss,
  );

  return {
    wss,
    /** Connected sockets, for metrics and benchmarks. */
    connections: () => wss.clients.size,
    /**
     * Tells every client to reconnect (1001 Going Away, which graphql-ws clients retry on by default) and
     * ends their subscriptions here; sockets that have not finished the closing handshake within
     * `graceMs` (default 1 s) are cut. Resolves with how many sockets were open.
     */
    async close(graceMs = 1000): Promise<number> {
      clearInterval(heartbeat);
      for (const timer of expiryTimers) clearTimeout(timer);
      const open = wss.clients.size;
      for (const socket of wss.clients) socket.close(CLOSE_GOING_AWAY, "server shutting down, reconnect");
      // Resolves once every socket has closed (ws waits for each closing handshake).
      const disposed = disposable.dispose();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          for (const socket of wss.clients) socket.terminate();
          resolve();
        }, graceMs);
      });
      await Promise.race([disposed, late]);
      clearTimeout(timer);
      await disposed;
      return open;
    },
  };
}
