import { GetAdConfigurationCommand, type IvsClient } from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { checkShape } from "../../model/validate.ts";
import { singleLoader } from "./batch.ts";

/** AdConfiguration by ARN → GetAdConfiguration, once per ARN per request. */
export function adConfigurationLoader(ivs: IvsClient) {
  return singleLoader(async (arn: string) => {
    // An ARN IVS would reject names no ad configuration: answer null without spending a request on it.
    if (checkShape(MODEL, "GetAdConfigurationRequest", { arn }).length > 0) return undefined;
    const out = await ivs.send(new GetAdConfigurationCommand({ arn }));
    return out.adConfiguration;
  });
}
