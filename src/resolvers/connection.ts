import { ValidationError } from "../errors.ts";

/** Forward-pagination arguments of every connection field. */
export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
}

/** The largest page a connection returns, whatever `first` asks for. */
export const MAX_PAGE_SIZE = 100;

export interface IvsPage<T> {
  items: T[];
  nextToken?: string;
}

interface Cursor {
  /** IVS nextToken of the page the edge is on ("" for the first page). */
  t: string;
  /** Items of that page already consumed. */
  o: number;
}

const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");

function decode(cursor: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Partial<Cursor>;
    if (typeof c.t === "string" && typeof c.o === "number" && Number.isInteger(c.o) && c.o >= 0)
      return c as Cursor;
  } catch {
    // reported below
  }
  throw new ValidationError("The cursor is not one this gateway issued", "after");
}

/**
 * A Relay connection (forward pagination) over an IVS list operation. Cursors carry the IVS token of
 * their page and an offset into it, so `after` any edge resumes exactly there, even mid-page.
 * `ivsMax` is the operation's largest `maxResults`.
 */
export async function ivsConnection<T>(
  args: { first?: number | null; after?: string | null },
  ivsMax: number,
  fetchPage: (token: string | undefined, maxResults: number) => Promise<IvsPage<T>>,
) {
  const first = args.first ?? 20;
  if (first < 0) throw new ValidationError("first must not be negative", "first");
  const size = Math.min(first, MAX_PAGE_SIZE);
  const start = args.after ? decode(args.after) : { t: "", o: 0 };
  const edges: { cursor: string; node: T }[] = [];
  let token = start.t;
  let offset = start.o;
  let hasNextPage = false;
  while (edges.length < size) {
    const want = Math.min(ivsMax, offset + (size - edges.length));
    const page = await fetchPage(token || undefined, want);
    const items = page.items.slice(offset);
    for (const [i, node] of items.entries()) {
      if (edges.length === size) {
        hasNextPage = true;
        break;
      }
      edges.push({ node, cursor: encode({ t: token, o: offset + i + 1 }) });
    }
    const consumed = offset + items.length;
    if (edges.length === size) {
      hasNextPage ||= Boolean(page.nextToken);
      // The last edge ends its page: point its cursor at the next page so resuming costs no refetch.
      const last = edges[edges.length - 1];
      if (
        last &&
        page.nextToken &&
        consumed === page.items.length &&
        last.cursor === encode({ t: token, o: consumed })
      )
        last.cursor = encode({ t: page.nextToken, o: 0 });
      break;
    }
    if (!page.nextToken) break;
    token = page.nextToken;
    offset = 0;
  }
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
