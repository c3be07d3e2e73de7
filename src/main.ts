// The pinned AWS SDK supports Node 20 (package.json `engines`); its notice that later releases will need
// Node 22 would otherwise open every run. README says so once.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { startBanner } from "./banner.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { buildGateway, type Gateway } from "./server.ts";

let gateway: Gateway;
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
  const { logFormat } = config.development;
  // `auto`: pretty lines for a developer at a terminal with the embedded emulator, JSON for machines.
  const pretty =
    logFormat === "pretty" || (logFormat === "auto" && Boolean(config.emulator) && process.stdout.isTTY);
  gateway = buildGateway(config, { logger: createLogger({ level: config.logLevel, pretty }) });
  await gateway.start();
} catch (error) {
  console.error(`ivs-gateway: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
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

const shutdown = (signal: string) => {
  gateway.logger.info({ signal }, "shutting down");
  gateway.stop().then(
    () => {
      gateway.logger.info("stopped");
      process.exit(0);
    },
    (error: unknown) => {
      gateway.logger.error({ err: error }, "shutdown failed");
      process.exit(1);
    },
  );
};
process.once("SIGINT", () => shutdown("SIGINT"));
process.once("SIGTERM", () => shutdown("SIGTERM"));
