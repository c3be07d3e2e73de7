import { ValidationError } from "../errors.ts";
import { asResource, type Kind } from "../mirror/changes.ts";
import type { Mirror } from "../mirror/mirror.ts";

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

/** Where an IVS page walk resumes. */
interface Cursor {
  /** IVS nextToken of the page the edge is on ("" for the first page). */
  t: string;
  /** Items of that page already consumed. */
  o: number;
}

/** Where a page of the mirror resumes: after this key (an ARN, or a session's start and stream id). */
interface KeyCursor {
  k: string;
}

const encode = (c: Cursor | KeyCursor) => Buffer.from(JSON.stringify(c)).toString("base64url");

/** Cursors of keys seen lately (a page's ARNs come back on every request); past this many it starts over. */
const KEY_CURSORS_KEPT = 10_000;
const keyCursors = new Map<string, string>();

/** `encode({ k: key })`, remembered for keys of ARN length: the same text, without re-encoding it per edge and request. */
function keyCursor(key: string): string {
  if (key.length > 256) return encode({ k: key });
  let cursor = keyCursors.get(key);
  if (cursor === undefined) {
    cursor = encode({ k: key });
    if (keyCursors.size >= KEY_CURSORS_KEPT) keyCursors.clear();
    keyCursors.set(key, cursor);
  }
  return cursor;
}

const notOurs = () => new ValidationError("The cursor is not one this gateway issued", "after");

function parse(cursor: string): Record<string, unknown> {
  try {
    const c = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (typeof c === "object" && c !== null && !Array.isArray(c)) return c as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw notOurs();
}

function decode(cursor: string): Cursor {
  const c = parse(cursor);
  if (typeof c.t === "string" && typeof c.o === "number" && Number.isInteger(c.o) && c.o >= 0)
    return c as unknown as Cursor;
  throw notOurs();
}

/** Whether `after` is a cursor of an IVS page walk (issued before the mirror had listed the kind). */
export function isIvsCursor(after: string | null | undefined): boolean {
  if (!after) return false;
  return typeof parse(after).t === "string";
}

/** A Relay connection's result from its edges. */
function connectionOf<T>(edges: { cursor: string; node: T }[], hasNextPage: boolean, args: ConnectionArgs) {
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

function pageSize(first: number | null | undefined): number {
  const n = first ?? 20;
  if (n < 0) throw new ValidationError("first must not be negative", "first");
  return Math.min(n, MAX_PAGE_SIZE);
}

/**
 * A Relay connection (forward pagination) over the mirror: `page` returns up to `first` items after a
 * key and whether more follow; cursors carry the key of their edge, so pages stay stable while items
 * come and go.
 */
export async function keysetConnection<T>(
  args: ConnectionArgs,
  keyOf: (item: T) => string,
  page: (after: string | undefined, first: number) => Promise<{ items: T[]; hasNextPage: boolean }>,
) {
  const size = pageSize(args.first);
  let after: string | undefined;
  if (args.after) {
    const c = parse(args.after);
    if (typeof c.k !== "string") throw notOurs();
    after = c.k;
  }
  const { items, hasNextPage } = size === 0 ? { items: [], hasNextPage: false } : await page(after, size);
  const edges = items.map((node) => ({ node, cursor: keyCursor(keyOf(node)) }));
  return connectionOf(edges, hasNextPage, args);
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
  const size = pageSize(args.first);
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
  return connectionOf(edges, hasNextPage, args);
}

/**
 * Items a list gave that lack the members only full objects carry (a configuration's details, a key
 * pair's fingerprint): fields that need those ask the loaders. Kept aside rather than marked on the
 * objects, so that full objects from elsewhere (a stream session's copy) are never mistaken for one.
 */
const summaries = new WeakSet<object>();

/** Whether `item` came from a list without the members only full objects carry. */
export function isListSummary(item: object): boolean {
  return summaries.has(item);
}

/**
 * A connection over one kind of the mirror (ARN order, `keep` filtering), or over IVS's own pages
 * until the mirror has listed that kind once (`ivsPage`, whose pages are recorded into the mirror).
 */
export function mirroredConnection<T extends { arn?: string }>(
  mirror: Mirror,
  kind: Kind,
  args: ConnectionArgs,
  ivsMax: number,
  ivsPage: (token: string | undefined, maxResults: number) => Promise<IvsPage<T>>,
  keep: (item: T) => boolean = () => true,
) {
  const collection = mirror.store.of(kind);
  if (mirror.listed(kind) && !isIvsCursor(args.after))
    return keysetConnection<T>(
      args,
      (item) => item.arn as string,
      async (after, first) => {
        const page = mirror.page(kind, after, first, (v) => keep(v as T)) as {
          items: T[];
          hasNextPage: boolean;
        };
        for (const item of page.items) if (!collection.hasDetail(item.arn as string)) summaries.add(item);
        return page;
      },
    );
  return ivsConnection<T>(args, ivsMax, async (token, maxResults) => {
    const at = Date.now();
    const page = await ivsPage(token, maxResults);
    mirror.record({ op: "put", kind, part: "summary", at, items: page.items.map(asResource) });
    for (const item of page.items) summaries.add(item);
    return { ...page, items: page.items.filter(keep) };
  });
}
