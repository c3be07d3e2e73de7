import { GetRecordingConfigurationCommand, type IvsClient } from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { checkShape } from "../../model/validate.ts";
import { singleLoader } from "./batch.ts";

/** RecordingConfiguration by ARN → GetRecordingConfiguration, once per ARN per request. */
export function recordingConfigurationLoader(ivs: IvsClient) {
  return singleLoader(async (arn: string) => {
    // An ARN IVS would reject names no configuration: answer null without spending a request on it.
    if (checkShape(MODEL, "GetRecordingConfigurationRequest", { arn }).length > 0) return undefined;
    const out = await ivs.send(new GetRecordingConfigurationCommand({ arn }));
    return out.recordingConfiguration;
  });
}
