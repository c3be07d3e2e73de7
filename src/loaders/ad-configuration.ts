import type { AdConfiguration } from "@aws-sdk/client-ivs";
import { violations } from "../ivs/validate.ts";
import type { Mirror } from "../mirror/mirror.ts";
import { mirrorLoader } from "./batch.ts";

/** Ad configurations by ARN from the mirror; what it lacks comes from GetAdConfiguration. */
export function adConfigurationLoader(mirror: Mirror) {
  // An ARN IVS would reject names no ad configuration: answer null without spending a request on it.
  return mirrorLoader<AdConfiguration>(
    (arn) => mirror.full("ad-configuration", arn) as Promise<AdConfiguration | null>,
    (arn) => violations("GetAdConfigurationRequest", { arn }).length === 0,
    (arn) => mirror.heldFull("ad-configuration", arn) as AdConfiguration | null | undefined,
  );
}
