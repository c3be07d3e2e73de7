import type { ServiceModel } from "../../model/types.ts";
import { checkShape } from "../../model/validate.ts";
import { validation } from "../errors.ts";

/** Validates a decoded request and throws a ValidationException in the service's wording, naming the member. */
export function validateInput(model: ServiceModel, shapeName: string, value: unknown): void {
  const errors = checkShape(model, shapeName, value);
  if (errors.length > 0) {
    const n = errors.length;
    throw validation(
      `${n} validation error${n > 1 ? "s" : ""} detected: ${errors.map((e) => e.message).join("; ")}`,
    );
  }
}
