import { type ExecutionResult, GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Principal } from "../auth/principal.ts";
import {
  type CapKind,
  capExceeded,
  capKey,
  type PrincipalCaps,
  principalCaps,
} from "../auth/principal-caps.ts";
import { isLogId } from "../live/event-log.ts";

/**
 * Subscriptions over server-sent events (Yoga's "distinct connections" SSE, which graphql-sse and a plain
 * fetch read), written here rather than by Yoga's own processor for two reasons:
 * - every `streamEvents` message carries an `id:` line with its log id, so that an EventSource that
 *   reconnects sends it back as `Last-Event-ID` (read by `resumeFrom`);
 * - a draining gateway ends each stream cleanly *without* the `complete` event: `complete` tells
 *   graphql-sse the subscription is over, while a stream that just ends is one every SSE client
 *   (EventSource, graphql-sse) reconnects, and the load balancer sends it to another replica.
 * The wire format is otherwise Yoga's: a `:` ping first and every 12 s, `event: next` / `data:`, and
 * `event: complete` when the subscription itself ends.
 * Each stream holds one connection and one subscription of its principal's caps (src/auth/principal-caps.ts)
 * from its first byte to its end, however it ends; over the cap the answer is 429 with Retry-After.
 */

/** The log id of the event each HTTP subscription most recently delivered, by its request. */
const deliveredIds = new WeakMap<Request, string>();

/** Records the log id of the event a `streamEvents` subscription is about to deliver (HTTP only). */
export function noteEventId(ctx: unknown, logId: string): void {
  const request = requestOf(ctx);
  if (request) deliveredIds.set(request, logId);
}

/**
 * Where a `streamEvents` subscription resumes: the request's `Last-Event-ID` header (what an EventSource
 * sends on its own when it reconnects, newer than anything in its URL) wins over the `lastEventId`
 * argument. A header that is not one of our log ids is ignored: only the argument is the caller's word.
 */
export function resumeFrom(ctx: unknown, lastEventId: string | null | undefined): string | undefined {
  const header = requestOf(ctx)?.headers.get("last-event-id")?.trim();
  if (header && isLogId(header)) return header;
  return lastEventId ?? undefined;
}

/** The fetch Request of an HTTP operation (Yoga's, not necessarily the global class); none over WebSocket. */
function requestOf(ctx: unknown): Request | undefined {
  const request = (ctx as { request?: Partial<Request> } | undefined)?.request;
  return typeof request?.headers?.get === "function" && typeof request.url === "string"
    ? (request as Request)
    : undefined;
}

export interface SseTransportOptions {
  /** Comment line sent to keep proxies from timing the stream out. Default every 12 s (Yoga's). */
  pingMs?: number;
  /** Per-principal caps, shared with graphql-ws (src/http/transport-ws.ts). Default: its own, at their defaults. */
  caps?: PrincipalCaps;
}

export interface SseTransport {
  /** Add to Yoga's plugins (after its own result processors, which every user plugin is). */
  plugin: Plugin;
  /** Open SSE subscription streams, for metrics and the drain's log. */
  streams(): number;
  /** Ends every open stream (without `complete`: clients reconnect) and every later one at once; returns how many were open. */
  drain(): number;
}

/** The SSE transport of subscriptions; see the file's header. */
export function sseTransport(options: SseTransportOptions = {}): SseTransport {
  const pingMs = options.pingMs ?? 12_000;
  const caps = options.caps ?? principalCaps();
  /** HTTP subscriptions, with whom their stream is counted against. */
  const subscriptionRequests = new WeakMap<Request, string>();
  /** HTTP subscriptions refused before they started, by the cap they hit. */
  const refusedRequests = new WeakMap<Request, CapKind>();
  const open = new Set<() => void>();
  let draining = false;

  const processor = (request: Request) => (result: unknown, fetchAPI: FetchApi) => {
    const iterator = (result as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
    const key = subscriptionRequests.get(request) ?? "";
    // Taken here, where every way the stream ends is seen: a slot cannot outlive its stream.
    const connection = caps.take("connections", key);
    const subscription = connection && caps.take("subscriptions", key);
    if (!connection || !subscription) {
      connection?.();
      void Promise.resolve(iterator.return?.()).catch(() => {});
      return refusal(caps, connection ? "subscriptions" : "connections", fetchAPI);
    }
    const release = () => {
      connection();
      subscription();
    };
    const encoder = new TextEncoder();
    let ping: NodeJS.Timeout | undefined;
    let closed = false;
    let lastId: string | undefined;
    let end = () => {};
    const finish = () => {
      closed = true;
      open.delete(end);
      clearInterval(ping);
      release();
    };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        end = () => {
          if (closed) return;
          finish();
          controller.close();
          // Forwarded at once (authorizeEach, Repeater): the hub drops the subscriber without a next event.
          void Promise.resolve(iterator.return?.()).catch(() => {});
        };
        open.add(end);
        // Some browsers show nothing of a response until its first bytes.
        controller.enqueue(encoder.encode(":\n\n"));
        ping = setInterval(() => {
          if (!closed && (controller.desiredSize ?? 0) > 0) controller.enqueue(encoder.encode(":\n\n"));
        }, pingMs);
        ping.unref();
        if (draining) end();
      },
      async pull(controller) {
        if (closed) return;
        let next: IteratorResult<ExecutionResult>;
        try {
          next = await iterator.next();
        } catch (error) {
          if (closed) return;
          finish();
          controller.error(error);
          return;
        }
        if (closed) return;
        let chunk = "";
        if (next.value != null) {
          const id = deliveredIds.get(request);
          if (id !== undefined && id !== lastId) chunk += `id: ${id}\n`;
          lastId = id;
          chunk += `event: next\ndata: ${JSON.stringify(withoutInternals(next.value))}\n\n`;
        }
        if (next.done) chunk += "event: complete\ndata:\n\n";
        controller.enqueue(encoder.encode(chunk));
        if (next.done) {
          finish();
          controller.close();
        }
      },
      cancel() {
        finish();
        return Promise.resolve(iterator.return?.()).then(() => {});
      },
    });
    return new fetchAPI.Response(body, {
      status: 200,
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "content-encoding": "none",
      },
    });
  };

  const plugin: Plugin = {
    onSubscribe({ args, setResultAndStopExecution }) {
      // Over WebSocket the context has the upgrade's `req`, not a fetch Request: graphql-ws handles those.
      const request = requestOf(args.contextValue);
      if (!request) return;
      const { principal, req } = args.contextValue as unknown as {
        principal: Principal;
        req?: { socket?: { remoteAddress?: string } };
      };
      const key = capKey(principal, req?.socket?.remoteAddress);
      // Refused before the subscription is set up; the stream's own count (in the processor) is what holds.
      const kind = (["connections", "subscriptions"] as const).find((k) => caps.full(k, key));
      if (kind) {
        refusedRequests.set(request, kind);
        return setResultAndStopExecution({ errors: [capExceeded(caps, kind)] });
      }
      subscriptionRequests.set(request, key);
    },
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      const refused = refusedRequests.get(request);
      if (refused) {
        // The same 429 as a refusal in the processor, not Yoga's event stream of one error.
        setResultProcessor(
          ((_: unknown, fetchAPI: FetchApi) => refusal(caps, refused, fetchAPI)) as never,
          "application/json",
        );
        return;
      }
      // For a subscription's stream of results Yoga only ever picks SSE: take over where it did.
      if (!resultProcessor || !subscriptionRequests.has(request) || !isAsyncIterable(result)) return;
      setResultProcessor(processor(request) as never, "text/event-stream");
    },
  };

  return {
    plugin,
    streams: () => open.size,
    drain() {
      draining = true;
      const n = open.size;
      for (const end of [...open]) end();
      return n;
    },
  };
}

type FetchApi = { Response: typeof Response };

/** An HTTP 429 for a stream over its principal's cap: a GraphQL error body, and when to retry. */
function refusal(caps: PrincipalCaps, kind: CapKind, fetchAPI: FetchApi): Response {
  const { message, extensions } = capExceeded(caps, kind);
  const { http: _http, ...rest } = extensions;
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: rest }] }), {
    status: 429,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "retry-after": String(caps.retryAfterSeconds),
    },
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === "function";
}

/** As Yoga serialises results: no `http` extensions (status codes, headers) and no `unexpected` flag. */
function withoutInternals(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length && !result.extensions?.http) return result;
  const { http: _http, ...extensions } = (result.extensions ?? {}) as Record<string, unknown>;
  return {
    ...result,
    ...(result.errors
      ? {
          errors: result.errors.map((error) => {
            const { http: _h, unexpected: _u, ...rest } = error.extensions ?? {};
            return error instanceof GraphQLError
              ? new GraphQLError(error.message, {
                  nodes: error.nodes,
                  source: error.source,
                  positions: error.positions,
                  path: error.path,
                  originalError: error.originalError,
                  extensions: rest,
                })
              : error;
          }),
        }
      : {}),
    extensions: Object.keys(extensions).length > 0 ? extensions : undefined,
  } as ExecutionResult;
}
