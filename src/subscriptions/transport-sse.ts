import { type ExecutionResult, GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { isLogId } from "./event-log.ts";

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
  const subscriptionRequests = new WeakSet<Request>();
  const open = new Set<() => void>();
  let draining = false;

  const processor = (request: Request) => (result: unknown, fetchAPI: { Response: typeof Response }) => {
    const iterator = (result as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    let ping: NodeJS.Timeout | undefined;
    let closed = false;
    let lastId: string | undefined;
    let end = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        end = () => {
          if (closed) return;
          closed = true;
          open.delete(end);
          clearInterval(ping);
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
          closed = true;
          open.delete(end);
          clearInterval(ping);
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
          closed = true;
          open.delete(end);
          clearInterval(ping);
          controller.close();
        }
      },
      cancel() {
        closed = true;
        open.delete(end);
        clearInterval(ping);
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
    onSubscribe({ args }) {
      // Over WebSocket the context has the upgrade's `req`, not a fetch Request: graphql-ws handles those.
      const request = requestOf(args.contextValue);
      if (request) subscriptionRequests.add(request);
    },
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
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
