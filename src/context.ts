import type { IvsClient } from "@aws-sdk/client-ivs";
import type { Loaders } from "./loaders/index.ts";
import type { LiveHub } from "./subscriptions/live-hub.ts";

/** What every resolver receives: the IVS client, this request's loaders and the live-status hub. */
export interface GatewayContext {
  ivs: IvsClient;
  loaders: Loaders;
  live: LiveHub;
}
