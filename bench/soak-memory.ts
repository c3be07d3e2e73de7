/**
 * Gateway memory over the soak: heap used and RSS from each replica's /metrics every `everyMs`, summed
 * up as the first minute's and the last minute's averages and a least-squares slope (MB/min) over the
 * samples after the warm-up.
 */
import { type GatewayProcess, metricFrom, sleep } from "./lib.ts";

export interface MemorySample {
  /** Seconds since the soak started. */
  t: number;
  heapMB: number;
  rssMB: number;
}

export interface MemoryFigures {
  samples: number;
  firstMinute: { heapMB: number; rssMB: number };
  lastMinute: { heapMB: number; rssMB: number };
  /** MB per minute after the warm-up, and the standard error of each slope. */
  heapSlope: number;
  heapSlopeError: number;
  rssSlope: number;
  rssSlopeError: number;
}

/** Least-squares slope of y over x, with its standard error; NaN with fewer than 3 points. */
export function slope(points: { x: number; y: number }[]): { slope: number; error: number } {
  const n = points.length;
  if (n < 3) return { slope: Number.NaN, error: Number.NaN };
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  if (den === 0) return { slope: Number.NaN, error: Number.NaN };
  const b = num / den;
  const residuals = points.reduce((a, p) => a + (p.y - my - b * (p.x - mx)) ** 2, 0);
  return { slope: b, error: Math.sqrt(residuals / (n - 2) / den) };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

export function memoryFigures(samples: MemorySample[], warmupS: number): MemoryFigures {
  const end = samples.at(-1)?.t ?? 0;
  const first = samples.filter((s) => s.t <= (samples[0]?.t ?? 0) + 60);
  const last = samples.filter((s) => s.t >= end - 60);
  const steady = samples.filter((s) => s.t >= warmupS);
  return {
    samples: samples.length,
    firstMinute: { heapMB: mean(first.map((s) => s.heapMB)), rssMB: mean(first.map((s) => s.rssMB)) },
    lastMinute: { heapMB: mean(last.map((s) => s.heapMB)), rssMB: mean(last.map((s) => s.rssMB)) },
    ...((h) => ({ heapSlope: h.slope, heapSlopeError: h.error }))(
      slope(steady.map((s) => ({ x: s.t / 60, y: s.heapMB }))),
    ),
    ...((r) => ({ rssSlope: r.slope, rssSlopeError: r.error }))(
      slope(steady.map((s) => ({ x: s.t / 60, y: s.rssMB }))),
    ),
  };
}

export interface MemorySampler {
  /** Samples per gateway, in order. */
  samples: MemorySample[][];
  /** Scrapes that failed (a replica not answering /metrics in 5 s). */
  failed: number;
  stop(): Promise<void>;
}

const MB = 1024 * 1024;

export function sampleMemory(gateways: GatewayProcess[], everyMs: number, t0: number): MemorySampler {
  const samples: MemorySample[][] = gateways.map(() => []);
  let failed = 0;
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const t = (performance.now() - t0) / 1000;
      await Promise.all(
        gateways.map(async (g, k) => {
          try {
            const res = await fetch(`${g.url}/metrics`, { signal: AbortSignal.timeout(5000) });
            const text = await res.text();
            const heap = metricFrom(text, "nodejs_heap_size_used_bytes");
            const rss = metricFrom(text, "process_resident_memory_bytes");
            if (Number.isFinite(heap) && Number.isFinite(rss))
              samples[k]?.push({ t, heapMB: heap / MB, rssMB: rss / MB });
            else failed += 1;
          } catch {
            failed += 1;
          }
        }),
      );
      const wait = t0 + (i + 1) * everyMs - performance.now();
      // Sleeps in short steps so stop() does not wait a whole period.
      for (let left = wait; left > 0 && !stopped; left -= 250) await sleep(Math.min(250, left));
    }
  })();
  return {
    samples,
    get failed() {
      return failed;
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
