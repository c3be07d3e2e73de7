import { loadConfig } from "../src/config/gateway.ts";
import { ConfigError, type Env } from "../src/config/primitives.ts";

/** Runs loadConfig expecting a ConfigError and returns it, so tests can check which variable it names. */
export function configFailure(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}
