// Small statistics helpers: the bench reports medians (robust to one slow run on a loaded 2-core box) plus
// the spread, so a reader can see how noisy a figure was.

/** @param {number[]} values */
export function median(values) {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Median, min, max and every run, rounded for the report. @param {number[]} values */
export function summarise(values, digits = 1) {
  const round = (v) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v)
  return {
    median: round(median(values)),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    runs: values.map(round),
  }
}

/** Wall-clock milliseconds of an async function. @template T @param {() => Promise<T>} fn */
export async function timed(fn) {
  const start = process.hrtime.bigint()
  const value = await fn()
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value }
}
