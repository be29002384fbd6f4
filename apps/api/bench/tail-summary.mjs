// Where a cell's slow requests spend their time (serving.bench.mjs --tail). api-server.mjs records,
// in milliseconds on its own clock, [start, end] of every HTTP request (with the CPU its process
// used meanwhile), of every engine.infer call, of every `run` call to the engine's pool (with the
// run's own time measured in the inference child) and of every V8 GC pause during a cell; this
// sums them up.
import { percentile } from '@maas/testing/bench-stats';

/** A request slower than this in the API counts as slow (issue 13's p99 target, 1 ms). */
export const SLOW_MS = 1;

/** The parts of a request, in the order the table prints them. */
export const PARTS = ['api', 'gc', 'batcher', 'hop', 'run'];

const sortNumbers = (values) => [...values].sort((x, y) => x - y);
const stats = (values) => {
  const sorted = sortNumbers(values);
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
};
const lengths = (intervals) => intervals.map(([from, to]) => to - from);
const overlap = (a, b) => Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
const byStart = (x, y) => x[0] - y[0];

/** The intervals of `sorted` (by start) that start inside `r`, clipped to it. */
function inside(sorted, r) {
  const out = [];
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid][0] < r[0]) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < sorted.length && sorted[i][0] < r[1]; i++)
    out.push([sorted[i][0], Math.min(r[1], sorted[i][1]), sorted[i][2]]);
  return out;
}

/** Each part's share of the requests it is the largest part of, and the parts' medians. */
function causes(rows) {
  const byCause = Object.fromEntries(PARTS.map((p) => [p, 0]));
  for (const row of rows) {
    let best = PARTS[0];
    for (const p of PARTS) if (row[p] > row[best]) best = p;
    byCause[best]++;
  }
  const medianMs = Object.fromEntries(
    ['total', 'cpu', 'mainBusy', ...PARTS].map((p) => [
      p,
      percentile(sortNumbers(rows.map((r) => r[p]).filter(Number.isFinite)), 0.5),
    ]),
  );
  return { n: rows.length, byCause, medianMs };
}

/**
 * `requests` [start, end, cpuMs, mainBusyMs] (the process's CPU and the time its event loop was not
 * idle while the request was in the API), `engineCalls` [start, end], `runs` [start, end, runMs] (the
 * pool call, and the run's time in the child), `pauses` [start, end]. With one request in flight
 * at a time (c=1) every request is split into its parts: the run in the child (`run`), the rest of
 * the pool call (`hop`: the frame out, the child waking, decoding and answering, the frame back),
 * the rest of the engine call (`batcher`: queueing, concatenating and splitting rows), the GC
 * pauses on the API's main thread (`gc`, whatever they interrupted, except what overlapped the
 * child's run: the main thread was only waiting then) and everything else (`api`:
 * HTTP, Fastify, auth, limits, GraphQL, the answer's encoding and write). The slow requests and
 * the slowest 1 % are each put down to their largest part. With requests overlapping, only the
 * distributions are given.
 */
export function summarizeTail({ requests, engineCalls, runs = [], pauses }) {
  requests = [...requests].sort(byStart);
  engineCalls = [...engineCalls].sort(byStart);
  runs = [...runs].sort(byStart);
  pauses = [...pauses].sort(byStart);
  const wall = requests.length ? requests[requests.length - 1][1] - requests[0][0] : 0;
  const pauseMs = lengths(pauses).reduce((sum, ms) => sum + ms, 0);
  const summary = {
    request: stats(lengths(requests)),
    engine: stats(lengths(engineCalls)),
    poolCall: stats(lengths(runs)),
    run: stats(runs.map((r) => r[2]).filter(Number.isFinite)),
    gc: {
      ...stats(lengths(pauses)),
      totalMs: pauseMs,
      shareOfWall: wall > 0 ? pauseMs / wall : NaN,
    },
  };
  const sequential = requests.every((r, i) => i === 0 || r[0] >= requests[i - 1][1]);
  if (!sequential) return summary;

  const gcIn = (intervals) =>
    intervals.reduce(
      (sum, iv) =>
        sum + inside(pauses, [iv[0] - 1e9, iv[1]]).reduce((s, p) => s + overlap(iv, p), 0),
      0,
    );
  const span = (intervals) => lengths(intervals).reduce((sum, ms) => sum + ms, 0);
  const rows = requests.map((r) => {
    const total = r[1] - r[0];
    const engine = inside(engineCalls, r);
    const calls = inside(runs, r);
    const run = calls.reduce((sum, c) => sum + (Number.isFinite(c[2]) ? c[2] : 0), 0);
    const gcEngine = gcIn(engine);
    const gcCalls = gcIn(calls);
    // A pause while the child runs costs nothing (the main thread only waits): within a pool call
    // GC is charged up to the part of the call that is not the run, the rest is left out.
    const gcCallsCharged = Math.min(gcCalls, Math.max(0, span(calls) - run));
    const gc = gcIn([r]) - (gcCalls - gcCallsCharged);
    const clamp = (ms) => Math.max(0, ms);
    return {
      total,
      cpu: r[2],
      mainBusy: r[3],
      run,
      hop: clamp(span(calls) - run - gcCallsCharged),
      batcher: clamp(span(engine) - span(calls) - (gcEngine - gcCalls)),
      gc,
      api: clamp(total - span(engine) - (gc - (gcEngine - gcCalls + gcCallsCharged))),
    };
  });
  summary.parts = Object.fromEntries(PARTS.map((p) => [p, stats(rows.map((row) => row[p]))]));
  summary.cpu = stats(rows.map((row) => row.cpu).filter(Number.isFinite));
  summary.mainBusy = stats(rows.map((row) => row.mainBusy).filter(Number.isFinite));
  summary.slow = {
    ...causes(rows.filter((row) => row.total > SLOW_MS)),
    share: rows.length ? rows.filter((row) => row.total > SLOW_MS).length / rows.length : NaN,
  };
  const p99 = summary.request.p99;
  summary.top1 = causes(rows.filter((row) => row.total >= p99));
  return summary;
}
