import { propagation, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/gateway.ts";
import { TRACING_MIDDLEWARE } from "../../src/telemetry/ivs-middleware.ts";
import { createTracing } from "../../src/telemetry/tracing.ts";
import { DASHBOARD, useTracedGateway } from "./harness.ts";

// Someone else's provider, registered globally: the gateway with tracing off must not write into it either.
const exporter = new InMemorySpanExporter();
const global = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(global);
const h = useTracedGateway({});
afterAll(async () => {
  trace.disable();
  await global.shutdown();
});

describe("tracing off (OTEL_TRACES_EXPORTER unset = none)", () => {
  it("builds nothing", () => {
    expect(createTracing(loadConfig({}).telemetry)).toBeUndefined();
  });

  it("installs no IVS middleware and creates no span, even with a global provider", async () => {
    expect(h.gateway.ivs.middlewareStack.identify().some((m) => m.startsWith(TRACING_MIDDLEWARE))).toBe(
      false,
    );
    const out = await h.gql(DASHBOARD, undefined, {
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    });
    expect(out.errors).toBeUndefined();
    await h.gql(`mutation { createChannel(input: { name: "untraced" }) { __typename } }`);
    expect(exporter.getFinishedSpans()).toEqual([]);
    // Nor did it register a propagator; and the global provider does record what is traced through it.
    expect(propagation.fields()).toEqual([]);
    trace.getTracer("probe").startSpan("probe").end();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["probe"]);
  });
});
