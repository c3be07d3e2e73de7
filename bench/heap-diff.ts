/**
 * `tsx bench/heap-diff.ts A.heapsnapshot B.heapsnapshot [top]`: what grew between two V8 heap snapshots
 * (e.g. the soak's, BENCH_SOAK_HEAP_SNAPSHOTS). Snapshots are taken after a full GC, so every node in one
 * is live. Prints each snapshot's live heap (the sum of self sizes), then the groups whose count and self
 * size grew most: objects by constructor, closures by function name, strings by their first 40 characters,
 * arrays and system objects by name.
 */
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: (string[] | string)[] } };
  nodes: number[];
  strings: string[];
}

interface Group {
  count: number;
  size: number;
}

export function groups(file: string): { total: number; nodes: number; byKey: Map<string, Group> } {
  const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0] as string[];
  const width = fields.length;
  const iType = fields.indexOf("type");
  const iName = fields.indexOf("name");
  const iSize = fields.indexOf("self_size");
  const byKey = new Map<string, Group>();
  let total = 0;
  const n = snap.nodes.length / width;
  for (let i = 0; i < n; i++) {
    const base = i * width;
    const type = types[snap.nodes[base + iType] as number] ?? "?";
    const name = snap.strings[snap.nodes[base + iName] as number] ?? "";
    const size = snap.nodes[base + iSize] as number;
    total += size;
    const label =
      type === "string" || type === "concatenated string" || type === "sliced string"
        ? `string ${JSON.stringify(name.slice(0, 40))}`
        : `${type} ${name.slice(0, 80)}`;
    const g = byKey.get(label) ?? { count: 0, size: 0 };
    g.count += 1;
    g.size += size;
    byKey.set(label, g);
  }
  return { total, nodes: n, byKey };
}

const MB = 1024 * 1024;

if (process.argv[1]?.endsWith("heap-diff.ts")) {
  const [a, b, topArg] = process.argv.slice(2);
  if (!a || !b) {
    console.error("usage: tsx bench/heap-diff.ts A.heapsnapshot B.heapsnapshot [top]");
    process.exit(2);
  }
  const top = Number(topArg ?? 40);
  const A = groups(a);
  const B = groups(b);
  console.log(
    `live heap: ${(A.total / MB).toFixed(1)} MB (${A.nodes} nodes) → ${(B.total / MB).toFixed(1)} MB (${B.nodes} nodes)`,
  );
  const rows = [...new Set([...A.byKey.keys(), ...B.byKey.keys()])].map((k) => {
    const x = A.byKey.get(k) ?? { count: 0, size: 0 };
    const y = B.byKey.get(k) ?? { count: 0, size: 0 };
    return { k, dCount: y.count - x.count, dSize: y.size - x.size, x, y };
  });
  const print = (title: string, list: typeof rows) => {
    console.log(`\n${title}\n  Δsize KB   Δcount   count A → B   group`);
    for (const r of list)
      console.log(
        `  ${(r.dSize / 1024).toFixed(0).padStart(8)} ${String(r.dCount).padStart(8)}   ${r.x.count} → ${r.y.count}   ${r.k}`,
      );
  };
  print("grew most by self size", [...rows].sort((p, q) => q.dSize - p.dSize).slice(0, top));
  print("grew most by count", [...rows].sort((p, q) => q.dCount - p.dCount).slice(0, top));
}
