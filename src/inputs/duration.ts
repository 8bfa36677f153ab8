// Durations as users write them in workflows: `90s`, `10m`, `1h30m`, `500ms` or plain seconds.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * The longest time limit accepted: 5 days, the longest a runner job may run. Timers cannot go much
 * further anyway: Node fires a timer of more than 2^31 - 1 ms (24.8 days) after 1 ms.
 */
export const MAX_DURATION_MS = 120 * 3_600_000
export const MAX_DURATION_TEXT = '120h (5 days)'

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase()
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000)
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(t)) return undefined
  let total = 0
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0)
  return Math.round(total)
}

/** A measured time: `95000` → `1m35s`; sub-second values as `0.4s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${(ms / 1000).toFixed(1)}s`
  let s = Math.round(ms / 1000)
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  if (h) return `${h}h${String(m).padStart(2, '0')}m`
  if (m) return `${m}m${String(s).padStart(2, '0')}s`
  return `${s}s`
}

/** A configured time as a user writes it: `90s`, `15m`, `1h`, `250ms` (what parseDuration reads back). */
export function formatSetting(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  return `${Math.round(ms / 1000)}s`
}
