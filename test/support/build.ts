import { build } from "../../scripts/build.ts";

/**
 * Vitest's global setup: builds dist/ once per run, as `npm start` does before it starts, so that the
 * files that start the gateway or the emulator as programs run this checkout's code as users run it.
 */
export async function setup(): Promise<void> {
  await build();
}
