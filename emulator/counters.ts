/** Per-operation request counts, for tests and benchmarks (GET/DELETE /_emulator/requests). */
export interface OperationCount {
  total: number;
  byStatus: Record<string, number>;
  byError: Record<string, number>;
}

export class RequestCounters {
  private counts = new Map<string, OperationCount>();
  private since = Date.now();

  record(operation: string, status: number, errorType?: string): void {
    const c = this.counts.get(operation) ?? { total: 0, byStatus: {}, byError: {} };
    c.total += 1;
    c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
    if (errorType) c.byError[errorType] = (c.byError[errorType] ?? 0) + 1;
    this.counts.set(operation, c);
  }

  get(operation: string): OperationCount {
    return this.counts.get(operation) ?? { total: 0, byStatus: {}, byError: {} };
  }

  snapshot(): { since: string; total: number; operations: Record<string, OperationCount> } {
    let total = 0;
    for (const c of this.counts.values()) total += c.total;
    return { since: new Date(this.since).toISOString(), total, operations: Object.fromEntries(this.counts) };
  }

  reset(): void {
    this.counts.clear();
    this.since = Date.now();
  }
}
