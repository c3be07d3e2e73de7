import type { Resource } from "./changes.ts";
import { sameJson } from "./json.ts";

/** One mirrored resource and when IVS last said what it holds. */
export interface Entry {
  /** The summary members, and the detail members once a full object was seen. */
  value: Resource;
  /** When the summary members were observed (epoch ms). */
  at: number;
  /** When the detail members were observed; 0 while only a summary was seen. */
  detailAt: number;
  /** The latest time IVS vouched for the entry (a list, a fetch, a mutation's answer, an event). */
  syncedAt: number;
}

export type PutOutcome = "added" | "changed" | "unchanged" | "stale" | "gone";

export interface CollectionOptions {
  /** Members only full objects carry (summaries leave them as they were). Default none. */
  detail?: readonly string[];
  /** Keeps what `next` lacks but `old` knew (secrets a source did not see), after a full put. */
  keep?: (old: Resource, next: Resource) => Resource;
  /** How many deleted ARNs are remembered, so that stale copies do not bring them back. Default 20,000. */
  tombstones?: number;
}

/**
 * The mirrored resources of one kind: last observation wins, per resource, for its summary members and
 * for its detail members separately (list pages and full objects come from different calls at different
 * times). A deleted ARN stays deleted: IVS never reuses one.
 */
export class Collection {
  /** When the latest complete list pass started; 0 = never listed (not synced yet). */
  listedAt = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly deleted = new Map<string, number>();
  private sorted: string[] | undefined;
  private readonly detail: ReadonlySet<string>;

  constructor(private readonly options: CollectionOptions = {}) {
    this.detail = new Set(options.detail ?? []);
  }

  get size(): number {
    return this.entries.size;
  }

  get(arn: string): Entry | undefined {
    return this.entries.get(arn);
  }

  isDeleted(arn: string): boolean {
    return this.deleted.has(arn);
  }

  values(): IterableIterator<Entry> {
    return this.entries.values();
  }

  /** Whether a full object of `arn` has been seen (summaries lack the detail members, if the kind has any). */
  hasDetail(arn: string): boolean {
    const e = this.entries.get(arn);
    return e !== undefined && (this.detail.size === 0 || e.detailAt > 0);
  }

  put(item: Resource, part: "summary" | "full", at: number): PutOutcome {
    const arn = item.arn;
    if (!arn) return "stale";
    if (this.deleted.has(arn)) return "gone";
    const old = this.entries.get(arn);
    if (!old) {
      this.entries.set(arn, { value: { ...item }, at, detailAt: part === "full" ? at : 0, syncedAt: at });
      this.sorted = undefined;
      return "added";
    }
    const takeSummary = at >= old.at;
    const takeDetail = part === "full" && at >= old.detailAt;
    if (!takeSummary && !takeDetail) {
      // Older, but it may know a secret the mirror lacks (secrets never change): take just that.
      const filled = part === "full" && this.options.keep ? this.options.keep(item, old.value) : old.value;
      if (filled === old.value || sameJson(filled, old.value)) return "stale";
      this.entries.set(arn, { ...old, value: filled });
      return "changed";
    }
    const next = this.merged(old.value, item, takeSummary, takeDetail);
    const changed = !sameJson(old.value, next);
    this.entries.set(arn, {
      value: changed ? next : old.value,
      at: takeSummary ? at : old.at,
      detailAt: takeDetail ? at : old.detailAt,
      syncedAt: Math.max(old.syncedAt, at),
    });
    return changed ? "changed" : "unchanged";
  }

  /** Puts back an entry as it was saved (persistence). */
  restore(entry: Entry): void {
    const arn = entry.value.arn;
    if (!arn || this.deleted.has(arn)) return;
    this.entries.set(arn, entry);
    this.sorted = undefined;
  }

  /** Whether `item`, taken as the newest observation, would change what the mirror holds. */
  wouldChange(item: Resource, part: "summary" | "full"): boolean {
    const old = item.arn ? this.entries.get(item.arn) : undefined;
    if (!old) return !(item.arn && this.deleted.has(item.arn));
    return !sameJson(old.value, this.merged(old.value, item, true, part === "full"));
  }

  private merged(old: Resource, item: Resource, takeSummary: boolean, takeDetail: boolean): Resource {
    let next: Resource = { ...old };
    for (const [member, value] of Object.entries(item)) {
      const isDetail = this.detail.has(member);
      if (isDetail ? takeDetail : takeSummary) next[member] = value;
    }
    if (takeDetail && this.options.keep) next = this.options.keep(old, next);
    return next;
  }

  /** Changes the tags of `arn` as of `at`; older than the summary seen → ignored. */
  retag(
    arn: string,
    at: number,
    change: { replace?: Record<string, string>; set?: Record<string, string>; remove?: readonly string[] },
  ): PutOutcome {
    const old = this.entries.get(arn);
    if (!old) return this.deleted.has(arn) ? "gone" : "stale";
    if (at < old.at) return "stale";
    const tags: Record<string, string> = { ...(change.replace ?? old.value.tags ?? {}), ...change.set };
    for (const key of change.remove ?? []) delete tags[key];
    const changed = !sameJson(old.value.tags ?? {}, tags);
    this.entries.set(arn, {
      ...old,
      value: changed ? { ...old.value, tags } : old.value,
      at,
      syncedAt: Math.max(old.syncedAt, at),
    });
    return changed ? "changed" : "unchanged";
  }

  /** Deletes for good; true when the mirror held it. */
  delete(arn: string, at: number): boolean {
    this.deleted.set(arn, at);
    const limit = this.options.tombstones ?? 20_000;
    if (this.deleted.size > limit) {
      const oldest = this.deleted.keys().next().value;
      if (oldest !== undefined) this.deleted.delete(oldest);
    }
    const had = this.entries.delete(arn);
    if (had) this.sorted = undefined;
    return had;
  }

  /** Drops `arn` if nothing newer than `before` vouched for it, without remembering it as deleted. */
  drop(arn: string, before: number): boolean {
    const e = this.entries.get(arn);
    if (!e || e.at >= before) return false;
    this.entries.delete(arn);
    this.sorted = undefined;
    return true;
  }

  /** ARNs in order (by ARN), for pages that stay stable while resources come and go. */
  arns(): readonly string[] {
    this.sorted ??= [...this.entries.keys()].sort();
    return this.sorted;
  }

  /**
   * Up to `first` values after the ARN `after` (exclusive) that `keep` accepts, and whether more
   * follow. Resuming after a deleted ARN continues where it stood.
   */
  page(
    after: string | undefined,
    first: number,
    keep: (value: Resource) => boolean = () => true,
  ): { items: Resource[]; hasNextPage: boolean } {
    const arns = this.arns();
    let i = after === undefined ? 0 : upperBound(arns, after);
    const items: Resource[] = [];
    for (; i < arns.length; i++) {
      const e = this.entries.get(arns[i] as string);
      if (!e || !keep(e.value)) continue;
      if (items.length === first) return { items, hasNextPage: true };
      items.push(e.value);
    }
    return { items, hasNextPage: false };
  }

  /** The oldest `syncedAt` of any entry (0 when empty): how far behind the least recently confirmed one is. */
  oldestSyncedAt(): number {
    let oldest = 0;
    for (const e of this.entries.values()) if (oldest === 0 || e.syncedAt < oldest) oldest = e.syncedAt;
    return oldest;
  }
}

/** First index whose value is greater than `key`. */
function upperBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
