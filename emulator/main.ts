import { CliError, optionsFromCli, usage } from "./cli.ts";
import { createEmulator } from "./index.ts";
import { StateFileError } from "./state/file-errors.ts";

try {
  const options = optionsFromCli(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(usage());
    process.exit(0);
  }
  const emulator = createEmulator(options);
  await emulator.start();
  console.log(
    `IVS emulator listening on ${emulator.url} (region ${emulator.region}, account ${emulator.account})`,
  );
  console.log(`  AWS CLI: aws ivs list-channels --endpoint-url ${emulator.url} --region ${emulator.region}`);
  console.log(`  control API: ${emulator.url}/_emulator/health`);
  if (options.demoBroadcasts)
    console.log("  demo broadcasts: on, on every channel (20 s live, 10 s offline)");
  const shutdown = async (signal: string) => {
    console.log(`${signal}: stopping`);
    await emulator.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
} catch (error) {
  if (
    error instanceof CliError ||
    (error instanceof Error && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
  ) {
    console.error(`ivs-emulator: ${error.message}\n\n${usage()}`);
    process.exit(2);
  }
  if (error instanceof StateFileError) {
    // The message locates the problem without quoting the file, which holds stream key values.
    console.error(`ivs-emulator: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
