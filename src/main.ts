import { ConfigError, loadConfig } from "./config.ts";
import { buildGateway, type Gateway } from "./server.ts";

let gateway: Gateway;
try {
  const config = loadConfig(process.env);
  gateway = buildGateway(config);
  await gateway.start();
} catch (error) {
  console.error(`ivs-gateway: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
console.log(`GraphQL and GraphiQL: ${gateway.url}/graphql`);
console.log(`Health:               ${gateway.url}/health`);
console.log(`Metrics:              ${gateway.url}/metrics`);
if (gateway.emulatorUrl) console.log(`IVS emulator:         ${gateway.emulatorUrl}`);
// Development mode: the only credential that works; stdout only, the logger never sees it.
if (gateway.devToken) console.log(`Dev token (24 h):     ${gateway.devToken}`);

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
