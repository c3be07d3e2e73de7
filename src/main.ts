// The pinned AWS SDK supports Node 20 (package.json `engines`); its notice that later releases will need
// Node 22 would otherwise open every run. README says so once.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { startBanner } from "./banner.ts";
import { loadConfig } from "./config/gateway.ts";
import { ConfigError } from "./config/primitives.ts";
import { createLogger } from "./logger.ts";
import type { Gateway } from "./server.ts";

let gateway: Gateway;
let config: ReturnType<typeof loadConfig>;
let pretty = false;
// The first SIGTERM (or Ctrl-C) drains: subscribers are sent elsewhere at once, in-flight requests get
// DRAIN_TIMEOUT_MS. A second signal cuts the drain short and stops now; a third exits at once. The handlers
// are in place before the start: a signal that arrives while the gateway starts (or the moment it says it
// listens) is kept, and the drain begins once the start is done, rather than the default action killing
// the process half-started.
let signals = 0;
let started = false;
let pending: string | undefined;
const shutdown = (signal: string) => {
  signals++;
  if (!started) {
    if (signals === 1) pending = signal;
    else process.exit(1);
    return;
  }
  if (signals === 1) {
    gateway.logger.info({ signal, drainTimeoutMs: config.drainTimeoutMs }, "shutting down: draining");
    gateway.drain().then(
      () => {
        gateway.logger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        gateway.logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  } else if (signals === 2) {
    gateway.logger.warn({ signal }, "second signal: stopping now, cutting in-flight requests");
    gateway.stop().catch(() => {}); // the drain above reports a failure
  } else {
    process.exit(1);
  }
};
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));

try {
  config = loadConfig(process.env);
  const { logFormat } = config.development;
  // `auto`: pretty lines for a developer at a terminal with the embedded emulator, JSON for machines.
  pretty =
    logFormat === "pretty" || (logFormat === "auto" && Boolean(config.emulator) && process.stdout.isTTY);
  // The gateway's modules (SDK, Yoga, Pothos: about 2 CPU-s) load only once the configuration holds, so a
  // misconfigured start fails at once.
  const { buildGateway } = await import("./server.ts");
  gateway = buildGateway(config, { logger: createLogger({ level: config.logLevel, pretty }) });
  await gateway.start();
} catch (error) {
  console.error(`ivs-gateway: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
// The banner is for a person: with the embedded emulator (development) or pretty logs. Elsewhere stdout is
// JSON lines only, for log shippers; the "gateway listening" line carries the URL.
if (config.emulator || pretty)
  process.stdout.write(
    startBanner({
      url: gateway.url,
      emulatorUrl: gateway.emulatorUrl,
      region: config.ivs.region,
      devToken: gateway.devToken,
      demo: gateway.demo,
      graphiql: config.development.graphiql,
      livePage: config.development.livePage,
    }),
  );

started = true;
if (pending) {
  signals = 0;
  shutdown(pending);
}
