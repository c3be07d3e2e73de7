import { channelOperations } from "./channel.ts";
import type { Handler } from "./context.ts";
import { streamKeyOperations } from "./stream-key.ts";

/** Every IVS operation the emulator serves, by operation name. */
export const OPERATIONS: Record<string, Handler> = {
  ...channelOperations,
  ...streamKeyOperations,
};
