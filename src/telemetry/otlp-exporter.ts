import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";

type Options = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;

/**
 * The OTLP/HTTP span exporter, loaded when the first spans are exported rather than when the gateway starts:
 * the package and what it pulls in (the OTLP transformer with metrics and logs SDKs) are 254 of the 1,946
 * files a start opened (strace), for a feature that is off by default.
 */
export class LazyOtlpExporter implements SpanExporter {
  private loading: Promise<SpanExporter> | undefined;

  constructor(private readonly options: Options) {}

  private load(): Promise<SpanExporter> {
    this.loading ??= import("@opentelemetry/exporter-trace-otlp-http").then(
      ({ OTLPTraceExporter: Exporter }) => new Exporter(this.options),
    );
    return this.loading;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.load().then(
      (exporter) => exporter.export(spans, done),
      (error: Error) => done({ code: ExportResultCode.FAILED, error }),
    );
  }

  async shutdown(): Promise<void> {
    if (this.loading) await (await this.loading).shutdown();
  }

  async forceFlush(): Promise<void> {
    if (this.loading) await (await this.loading).forceFlush?.();
  }
}
