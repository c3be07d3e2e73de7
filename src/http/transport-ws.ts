import type { IncomingHttpHeaders, IncomingMessage, Server } from "node:http";
import { type ExecutionArgs, GraphQLError, getOperationAST } from "graphql";
import type { YogaServerInstance } from "graphql-yoga";
import { type WebSocket, WebSocketServer } from "ws";
import type { Authenticator } from "../auth/authenticate.ts";
import { isUnauthenticated } from "../auth/errors.ts";
import { isExpired, type Principal } from "../auth/principal.ts";
import {
  capExceeded,
  capKey,
  capMessage,
  type PrincipalCaps,
  principalCaps,
  type Release,
} from "../auth/principal-caps.ts";
import type { RateLimiter } from "../auth/rate-limit.ts";
import { type TrustedDocumentsOptions, trustedQueryOf } from "../documents/plugin.ts";
import { type SharedResult, SharedStreams, type Sink, shareKey } from "../live/shared-streams.ts";
import { maskGatewayErrors } from "../plugins/mask-errors.ts";
import { TRACE_CONTEXT_HEADERS } from "../telemetry/tracing.ts";
import { ExpiryClock } from "./expiry.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { type FramedText, framedText, sendFramed } from "./ws-frame.ts";
import { serveGraphqlWs } from "./ws-server.ts";

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

/**
 * Close code of a connection over its principal's MAX_CONNECTIONS_PER_PRINCIPAL: graphql-ws's own "too many"
 * code, which its clients take as final (no automatic retry) rather than reconnecting into the same refusal.
 */
export const CLOSE_TOO_MANY = 4429;

export interface WsTransportOptions {
  /** Checks the `connection_init` payload (`{ authorization: "Bearer …" }` or `{ "x-api-key": "…" }`). */
  authenticator: Authenticator;
  /** Admits each subscribe of a principal. Default: no limit. */
  rateLimit?: RateLimiter;
  /** Path of the GraphQL endpoint, shared with HTTP. Default `/graphql`. */
  path?: string;
  /**
   * How often each socket is pinged (spread over the interval, not all at once); a socket that missed the
   * previous pong is dropped. Default 15 s.
   */
  heartbeatMs?: number;
  /** Largest incoming message in bytes. Default 64 KiB. */
  maxPayload?: number;
  /** Trusted documents (src/documents): ids resolved, and in only-mode other documents refused. Default none. */
  documents?: TrustedDocumentsOptions;
  /**
   * Per-principal caps on sockets and subscriptions, shared with SSE (src/http/transport-sse.ts).
   * Default: its own, at their defaults (500 subscriptions, 100 connections).
   */
  caps?: PrincipalCaps;
  /**
   * Where credentials are ambient (CSRF prevention on: AUTH_DISABLED, or a proxy authenticating by cookie), a
   * browser upgrade whose Origin fails this is refused with 403: the WebSocket analog of CSRF prevention, as
   * browsers apply no CORS to WebSockets. Requests without an Origin (not from a browser) are not checked.
   * Default none (every origin: a token in connection_init is the proof).
   */
  allowOrigin?: (origin: string, host: string | undefined) => boolean;
}

/** Whom a socket is counted against, and the subscription slots it holds (given back when it closes). */
interface SocketSlots {
  key: string;
  /** Gives the connection's slot back. */
  connection: Release;
  subscriptions: Release[];
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
  const { allowOrigin } = options;
  const wss = new WebSocketServer({
    server,
    path: options.path ?? "/graphql",
    maxPayload: options.maxPayload ?? 64 * 1024,
    // ws's default, said here: compression would hold a zlib context (~64 KiB+) per socket.
    perMessageDeflate: false,
    ...(allowOrigin
      ? {
          verifyClient: (
            info: { origin: string; req: { headers: { host?: string } } },
            done: (ok: boolean, code?: number, message?: string) => void,
          ) => {
            const { origin } = info;
            if (!origin || allowOrigin(origin, info.req.headers.host)) return done(true);
            done(false, 403, "origin not allowed (CORS_ORIGINS)");
          },
        }
      : {}),
  });
  const stopHeartbeat = startHeartbeat(wss, options.heartbeatMs ?? 15_000);

  // Authenticated once per connection; every operation on the socket runs as this principal.
  const principals = new WeakMap<WebSocket, Principal>();
  // A socket outliving its token is closed, not left streaming on stale credentials.
  const expiry = new ExpiryClock((socket) => refuse(socket, "The token has expired"));
  const refuse = (socket: WebSocket, reason: string) => socket.close(CLOSE_UNAUTHENTICATED, reason);
  const caps = options.caps ?? principalCaps();
  const slots = new WeakMap<WebSocket, SocketSlots>();
  // One execution per event for subscribers of the same operation, variables and principal.
  const shared = new SharedStreams();

  /** Counts the socket against its principal's connections, or closes it with 4429; false if it did not stay. */
  const admit = (socket: WebSocket, principal: Principal, remoteAddress: string | undefined): boolean => {
    // Closed while authenticating: its close event has passed, nothing would give the slot back.
    if (socket.readyState !== socket.OPEN) return false;
    const key = capKey(principal, remoteAddress);
    const connection = caps.take("connections", key);
    if (!connection) {
      socket.close(CLOSE_TOO_MANY, capMessage(caps, "connections"));
      return false;
    }
    slots.set(socket, { key, connection, subscriptions: [] });
    socket.on("close", onAdmittedClose);
    return true;
  };
  /**
   * An admitted socket closed: its slots are given back and its expiry forgotten. One function for every
   * socket (called with the socket as `this`), not closures per socket.
   */
  function onAdmittedClose(this: WebSocket): void {
    expiry.remove(this);
    const held = slots.get(this);
    if (!held) return;
    slots.delete(this);
    held.connection();
    for (const release of held.subscriptions.splice(0)) release();
  }

  // Of the upgrade request, what operations read later: its W3C trace context (src/telemetry/plugin.ts).
  const traceHeaders = new WeakMap<WebSocket, IncomingHttpHeaders>();
  /**
   * Once a socket is admitted, graphql-ws's context lets go of the upgrade request (its headers, raw headers
   * and stream state, kilobytes per socket for as long as it stays open) and of the token in
   * `connection_init`: every operation on the socket runs as the principal already authenticated.
   */
  const keepOnlyWhatOperationsNeed = (ctx: { extra: { socket: WebSocket; request: IncomingMessage } }) => {
    const { headers } = ctx.extra.request;
    const trace: IncomingHttpHeaders = {};
    for (const name of TRACE_CONTEXT_HEADERS) if (headers[name] !== undefined) trace[name] = headers[name];
    traceHeaders.set(ctx.extra.socket, trace);
    (ctx.extra as { request?: IncomingMessage }).request = undefined;
    const mutable = ctx as { connectionParams?: unknown };
    mutable.connectionParams = undefined;
  };

  // graphql-ws's protocol, without a keep-alive of its own: the heartbeat above pings every socket.
  const disposable = serveGraphqlWs(wss, {
    execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
    subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args) as never,
    onConnect: async (ctx) => {
      const { socket } = ctx.extra;
      try {
        const principal = await options.authenticator.fromConnectionParams(ctx.connectionParams);
        if (!admit(socket, principal, ctx.extra.request.socket.remoteAddress)) return false;
        principals.set(socket, principal);
        keepOnlyWhatOperationsNeed(ctx);
        if (principal.expiresAt !== undefined) expiry.add(socket, principal.expiresAt);
        return true;
      } catch (error) {
        if (!isUnauthenticated(error)) throw error;
        refuse(socket, error.message);
        return false;
      }
    },
    onSubscribe: async (ctx, id, payload) => {
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
          req: { headers: traceHeaders.get(ctx.extra.socket) ?? {} },
          socket: ctx.extra.socket,
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
        if (errors.length > 0) return errors.map(safeError);
        // Last, once nothing else refuses it: a subscription holds a slot until it ends or the socket closes.
        if (getOperationAST(args.document, payload.operationName)?.operation === "subscription") {
          const held = slots.get(ctx.extra.socket);
          if (!held || ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return [closedError()];
          const release = caps.take("subscriptions", held.key);
          if (!release) return [capExceeded(caps, "subscriptions")];
          held.subscriptions.push(release);
          const done = releaseOnce(held, release);
          const key = shareKey(query, args.document, payload.operationName, payload.variables, principal);
          const source =
            key === undefined
              ? subscribe
              : sharingSubscribe(subscribe, shared, key, new SocketSink(ctx.extra.socket, id));
          args.rootValue = { execute, subscribe: releasingSubscribe(source, done) };
        }
        return args;
      } catch (error) {
        // Refusals (rate limit, token limit, syntax) go to this operation only, not the whole socket.
        if (error instanceof GraphQLError) return [safeError(error)];
        throw error;
      }
    },
  });

  return {
    wss,
    /** Shared subscription streams: how many run, their subscribers, executions and deliveries. */
    sharing: () => shared.stats(),
    /** Connected sockets, for metrics and benchmarks. */
    connections: () => wss.clients.size,
    /**
     * Tells every client to reconnect (1001 Going Away, which graphql-ws clients retry on by default) and
     * ends their subscriptions here; sockets that have not finished the closing handshake within
     * `graceMs` (default 1 s) are cut. Resolves with how many sockets were open.
     */
    async close(graceMs = 1000): Promise<number> {
      stopHeartbeat();
      expiry.stop();
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

/** Gives a subscription's slot back and forgets it (an unnamed closure: see SocketSink). */
function releaseOnce(held: SocketSlots, release: Release): () => void {
  return () => {
    release();
    const at = held.subscriptions.indexOf(release);
    if (at >= 0) held.subscriptions.splice(at, 1);
  };
}

/** What HTTP's masking does to an error sent before execution: a syntax error may quote a stream key. */
function safeError(error: GraphQLError): GraphQLError {
  return maskGatewayErrors(error, "Unexpected error.", false) as GraphQLError;
}

/** For an operation whose socket closed while it was being prepared: nobody will read it. */
function closedError(): GraphQLError {
  return new GraphQLError("The connection is closing", { extensions: { code: "CONNECTION_CLOSING" } });
}

/**
 * `subscribe`, whose stream (once its start has passed every check) is shared under `key`: the subscriber
 * reads the running one if there is one. An error result (a refused start) stays this subscriber's own.
 */
function sharingSubscribe(
  subscribe: (args: ExecutionArgs) => unknown,
  shared: SharedStreams,
  key: string,
  sink: Sink,
): (args: ExecutionArgs) => Promise<unknown> {
  return async (args) => {
    const result = (await subscribe(args)) as AsyncIterable<unknown> | null;
    if (typeof result?.[Symbol.asyncIterator] !== "function") return result;
    const { stream, joined } = shared.join(key, result[Symbol.asyncIterator](), sink);
    if (joined) {
      // graphql-ws keeps the arguments as long as the subscription; this subscriber's own stream has
      // ended, so its context (its loaders) and envelop functions are of no more use. The first
      // subscriber's stream executes every event with its own: those stay.
      const held = args as { contextValue?: unknown; rootValue?: unknown };
      held.contextValue = undefined;
      held.rootValue = undefined;
    }
    return stream;
  };
}

/**
 * Writes a shared stream's results to one subscription on one socket as graphql-ws `next` messages, the
 * same bytes graphql-ws would send, without its per-message promise, copy and serialization: the payload
 * is serialized and framed once for every socket reading the stream (once per subscription id).
 * graphql-ws itself still sends the `complete` or `error` that ends the subscription, after the last of
 * these (one socket keeps the order of its sends).
 *
 * A class with its functions made in the constructor by assignment, not closures under names: under tsx
 * (`npm start`) every named closure gets its own `name` property (esbuild's keepNames), some 250 bytes
 * per closure per subscriber.
 */
class SocketSink implements Sink {
  private pending = 0;
  private readonly written: () => void;

  constructor(
    private readonly socket: WebSocket,
    private readonly id: string,
  ) {
    this.written = () => {
      this.pending -= 1;
    };
  }

  write(result: SharedResult): void {
    // As graphql-ws's own send: nothing for a socket that is closing (its subscriptions are ending).
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.pending += 1;
    // Subscribers that gave the same id share the framed bytes: made once per result and id.
    sendFramed(this.socket, result.derive(this.id, nextFrame), this.written);
  }

  backlog(): number {
    return this.pending;
  }
}

/** A graphql-ws `next` message for subscription `id`, framed. */
function nextFrame(payload: string, id: string): FramedText {
  return framedText(`{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`);
}

/** A subscription's iterator that calls `done` once when it is over, however that happens. */
class ReleasingIterator implements AsyncIterableIterator<unknown> {
  constructor(
    private readonly iterator: AsyncIterator<unknown>,
    private readonly done: () => void,
  ) {}

  [Symbol.asyncIterator]() {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    return this.settle(this.iterator.next());
  }

  return(value?: unknown): Promise<IteratorResult<unknown>> {
    this.done();
    return this.iterator.return
      ? this.iterator.return(value)
      : Promise.resolve({ done: true, value: undefined });
  }

  throw(error?: unknown): Promise<IteratorResult<unknown>> {
    return this.settle(this.iterator.throw ? this.iterator.throw(error) : Promise.reject(error));
  }

  private settle(step: Promise<IteratorResult<unknown>>): Promise<IteratorResult<unknown>> {
    return step.then(
      (r) => {
        if (r.done) this.done();
        return r;
      },
      (error: unknown) => {
        this.done();
        throw error;
      },
    );
  }
}

/**
 * `subscribe`, calling `done` once when the subscription is over however that happens: its stream ends,
 * fails or is returned (the client's `complete`, the socket closing), or it never streamed (an error result,
 * a throw). The slot is tied to the operation itself, not to its id, which a client may reuse.
 */
function releasingSubscribe(
  subscribe: (args: ExecutionArgs) => unknown,
  done: () => void,
): (args: ExecutionArgs) => Promise<unknown> {
  return async (args) => {
    let result: unknown;
    try {
      result = await subscribe(args);
    } catch (error) {
      done();
      throw error;
    }
    const source = result as AsyncIterable<unknown> | null;
    if (typeof source?.[Symbol.asyncIterator] !== "function") {
      done();
      return result;
    }
    return new ReleasingIterator(source[Symbol.asyncIterator](), done);
  };
}
