import type { IncomingMessage, ServerResponse } from "node:http";
import { createContextKey, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Fanout } from "../live/live-hub.ts";
import { ATTR, SPAN } from "./attributes.ts";
import type { Tracing } from "./tracing.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The ingest span of the request being handled, for what the ingestor reports (noteIngest). */
const INGEST = createContextKey("ivs-gateway events ingest");

/**
 * POST /events inside an `ivs.events.ingest` server span (a child of the sender's `traceparent`, if
 * any), active while the event is handled: the fan-out it causes in this process is its child.
 */
export function traceIngest(handler: Handler, tracing: Tracing): Handler {
  return async (req, res) => {
    const parent = tracing.extract(req.headers);
    const span = tracing.tracer.startSpan(
      SPAN.ingest,
      {
        kind: SpanKind.SERVER,
        attributes: { [ATTR.httpMethod]: req.method ?? "", [ATTR.urlPath]: "/events" },
      },
      parent,
    );
    try {
      await tracing.with(trace.setSpan(parent, span).setValue(INGEST, span), () => handler(req, res));
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
      throw error;
    } finally {
      span.setAttribute(ATTR.httpStatus, res.statusCode);
      span.end();
    }
  };
}

/**
 * The outcome (and the event's kind) the ingestor or the endpoint's checks gave the event being handled.
 * Refusals are 4xx answers, which leave a server span's status unset.
 */
export function noteIngest(tracing: Tracing, outcome: string, kind?: string): void {
  const span = tracing.active().getValue(INGEST) as Span | undefined;
  if (!span) return;
  span.setAttribute(ATTR.ingestOutcome, outcome);
  if (kind) span.setAttribute(ATTR.eventKind, kind);
}

/**
 * The live hub's `fanout` option: a `live.fanout` span around each delivery that reaches subscribers,
 * a child of what caused it (an ingest, in this process) or a root span (a reconciliation; an event
 * another replica ingested, which reaches this one through Redis). It times handing the update to each
 * subscriber's buffer; the sockets write it after.
 */
export function traceFanout(tracing: Tracing): (fanout: Fanout, send: () => void) => void {
  return (fanout, send) => {
    const span = tracing.tracer.startSpan(
      SPAN.fanout,
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          [ATTR.fanoutKind]: fanout.kind,
          [ATTR.subscribers]: fanout.subscribers,
          ...(fanout.channelArn ? { [ATTR.channelArn]: fanout.channelArn } : {}),
          ...(fanout.eventKind ? { [ATTR.eventKind]: fanout.eventKind } : {}),
        },
      },
      tracing.active(),
    );
    try {
      send();
    } finally {
      span.end();
    }
  };
}
