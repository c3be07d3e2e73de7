import type { IvsClient } from "@aws-sdk/client-ivs";
import type { Loaders } from "./loaders/index.ts";

/** What every resolver receives: the IVS client and this request's loaders. */
export interface GatewayContext {
  ivs: IvsClient;
  loaders: Loaders;
}
