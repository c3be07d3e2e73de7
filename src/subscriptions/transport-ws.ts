import type { Server } from "node:http";
import type { ExecutionArgs } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { YogaServerInstance } from "graphql-yoga";
import { type WebSocket, WebSocketServer } from "ws";

export interface WsTransportOptions {
  /** Path of the GraphQL endpoint, shared with HTTP. Default `/graphql`. */
  path?: string;
  /** How often each socket is pinged; a socket that missed the previous pong is dropped. Default 15 s. */
  heartbeatMs?: number;
  /** Largest incoming message in bytes. Default 64 KiB. */
  maxPayload?: number;
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
  options: WsTransportOptions = {},
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

  const disposable = useServer(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          connectionParams: ctx.connectionParams,
          params: payload,
        });
        const args: EnvelopedArgs = {
          schema,
          operationName: payload.operationName,
          document: parse(payload.query),
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length > 0) return errors;
        return args;
      },
    },
    wss,
  );

  return {
    wss,
    /** Connected sockets, for metrics and benchmarks. */
    connections: () => wss.clients.size,
    async close(): Promise<void> {
      clearInterval(heartbeat);
      for (const socket of wss.clients) socket.close(1001, "server shutting down");
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
