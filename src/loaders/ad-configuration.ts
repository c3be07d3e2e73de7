import type { AdConfiguration } from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { checkShape } from "../../model/validate.ts";
import type { IvsReads } from "../ivs/reads.ts";
import { lookupLoader } from "./batch.ts";

/** AdConfiguration by ARN → GetAdConfiguration, shared with concurrent requests (coalescing and cache). */
export function adConfigurationLoader(reads: IvsReads) {
  // An ARN IVS would reject names no ad configuration: answer null without spending a request on it.
  return lookupLoader<AdConfiguration>(
    reads.adConfiguration,
    (arn) => checkShape(MODEL, "GetAdConfigurationRequest", { arn }).length === 0,
  );
}
