import { builder } from "./builder.ts";
import "./errors.ts";

/** The whole gateway schema. Each file above adds its types and fields to the one builder. */
export const schema = builder.toSchema({ sortSchema: false });
