import { validation } from "../errors.ts";

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * Pages `items` (already in list order) with an opaque token bound to the operation.
 * The token holds the order number of the last item returned, so deletions between pages neither
 * repeat nor skip items. A token from another operation, or a malformed one, is a ValidationException.
 */
export function paginate<T>(
  operation: string,
  items: T[],
  orderOf: (item: T) => number,
  request: { nextToken?: string; maxResults?: number },
  defaultPageSize: number,
): Page<T> {
  const size = request.maxResults ?? defaultPageSize;
  let after = 0;
  if (request.nextToken) after = decodeToken(operation, request.nextToken);
  const rest = items.filter((item) => orderOf(item) > after);
  const page = rest.slice(0, size);
  const last = page[page.length - 1];
  const nextToken =
    rest.length > size && last !== undefined ? encodeToken(operation, orderOf(last)) : undefined;
  return nextToken ? { items: page, nextToken } : { items: page };
}

function encodeToken(operation: string, after: number): string {
  return Buffer.from(JSON.stringify({ o: operation, a: after })).toString("base64url");
}

function decodeToken(operation: string, token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      o?: unknown;
      a?: unknown;
    };
    if (parsed.o === operation && typeof parsed.a === "number" && Number.isInteger(parsed.a)) return parsed.a;
  } catch {
    // fall through to the validation error
  }
  throw validation("The nextToken provided is invalid or has expired");
}
