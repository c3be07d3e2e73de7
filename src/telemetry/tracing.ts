import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import {
  type Context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  type TextMapGetter,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import type { TelemetryConfig } from "../config/gateway.ts";
import { ATTR } from "./attributes.ts";
import { LazyOtlpExporter } from "./otlp-exporter.ts";

/**
 * The gateway's tracing: a tracer, and the context its spans are parented by. The context lives in an
 * AsyncLocalStorage of this object rather than in the OpenTelemetry API's global context manager, and
 * the provider is never registered globally, so that two gateways in one process (tests, benchmarks)
 * each trace into their own provider and a gateway with tracing off touches no global at all.
 */
export interface Tracing {
  readonly tracer: Tracer;
  /** The context of the code running now (ROOT_CONTEXT outside any span of this gateway). */
  active(): Context;
  /** Runs `fn` with `context` active: spans started inside are its children. */
  with<T>(context: Context, fn: () => T): T;
  /** The remote parent an incoming request names in `traceparent`/`tracestate` (W3C Trace Context). */
  extract(headers: Headers | IncomingHttpHeaders | undefined): Context;
  /** Exports what is buffered. */
  forceFlush(): Promise<void>;
  /** Exports what is buffered and stops exporting (a provider passed in is flushed only: its owner shuts it down). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /**
   * Traces into this provider whatever `config.exporter` says (tests pass one with an in-memory
   * exporter). Default: one built from the configuration, or none when the exporter is `none`.
   */
  provider?: TracerProvider & { forceFlush?(): Promise<void> };
  /** `service.instance.id` of every span. Default a random UUID per process. */
  replicaId?: string;
}

/**
 * Tracing as configured (OTEL_* variables), or undefined when it is off (`OTEL_TRACES_EXPORTER=none`,
 * the default, and no provider passed in): then nothing is built and the gateway installs no hook.
 */
export function createTracing(config: TelemetryConfig, options: TracingOptions = {}): Tracing | undefined {
  if (options.provider) {
    const given = options.provider;
    const flush = async () => {
      await given.forceFlush?.();
    };
    return tracingOf(given.getTracer("ivs-gateway"), flush, flush);
  }
  if (config.exporter === "none") return undefined;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR.serviceName]: config.serviceName,
      [ATTR.serviceInstanceId]: options.replicaId ?? randomUUID(),
    }),
    sampler: samplerOf(config),
    spanProcessors: [new BatchSpanProcessor(exporterOf(config))],
  });
  return tracingOf(
    provider.getTracer("ivs-gateway"),
    () => provider.forceFlush(),
    () => provider.shutdown(),
  );
}

const propagator = new W3CTraceContextPropagator();

/**
 * The headers a trace context is read from (`traceparent`, `tracestate`): what a transport that keeps only
 * part of a request (the graphql-ws upgrade, for the socket's lifetime) must keep for `extract`.
 */
export const TRACE_CONTEXT_HEADERS: readonly string[] = propagator.fields();

/** Reads a Fetch `Headers` (Yoga's request) or Node's header object (the graphql-ws upgrade, POST /events). */
const getter: TextMapGetter<Headers | IncomingHttpHeaders> = {
  get: (carrier, key) =>
    carrier instanceof Headers ? (carrier.get(key) ?? undefined) : defaultTextMapGetter.get(carrier, key),
  keys: (carrier) => (carrier instanceof Headers ? [...carrier.keys()] : Object.keys(carrier)),
};

function tracingOf(tracer: Tracer, forceFlush: () => Promise<void>, shutdown: () => Promise<void>): Tracing {
  const storage = new AsyncLocalStorage<Context>();
  return {
    tracer,
    active: () => storage.getStore() ?? ROOT_CONTEXT,
    with: (context, fn) => storage.run(context, fn),
    extract: (headers) => (headers ? propagator.extract(ROOT_CONTEXT, headers, getter) : ROOT_CONTEXT),
    forceFlush,
    shutdown,
  };
}

function exporterOf(config: TelemetryConfig): SpanExporter {
  if (config.exporter === "console") return new ConsoleSpanExporter();
  return new LazyOtlpExporter({
    url: config.endpoint,
    headers: config.headers,
  });
}

/** The OTEL_TRACES_SAMPLER names of the specification, with OTEL_TRACES_SAMPLER_ARG as the ratio. */
export function samplerOf(config: Pick<TelemetryConfig, "sampler" | "samplerRatio">): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return ratio;
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: ratio });
  }
}
