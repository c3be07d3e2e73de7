import { MODEL, type ShapeName } from "../../model/ivs-model.generated.ts";
import { checkShape, type Violation } from "../../model/validate.ts";
import { ValidationError } from "../errors.ts";

/**
 * Checks an IVS request before it is sent, with the same model constraints the service (and the
 * emulator) enforce, so that bad input costs no IVS request. The error names the GraphQL input field
 * (`input.name`, `input.tags.key`). Like IVS, the message quotes the value at fault, except a secret-shaped
 * one (a stream key pasted where an ARN belongs): that becomes `[redacted]`, since the message is also a
 * mutation's typed result, which no masking sees.
 * @param requestShape the model's input shape, e.g. `CreateChannelRequest`
 */
/** What `checkShape` finds wrong with `value` as the model's shape, by a shape name the compiler checks. */
export function violations(shape: ShapeName, value: unknown): Violation[] {
  return checkShape(MODEL, shape, value);
}

export function validateIvsInput(requestShape: ShapeName, request: object, prefix = "input"): void {
  const [first, ...rest] = checkShape(MODEL, requestShape, request);
  if (!first) return;
  const field = prefix ? `${prefix}.${first.path}` : first.path;
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : "";
  const message = `${first.message.replace(`'${first.path}'`, `'${field}'`)}${more}`;
  // GatewayError redacts any pasted secret the message quotes (src/errors.ts).
  throw new ValidationError(message, field);
}
