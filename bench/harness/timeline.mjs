// The profile of one CLI run: its request timeline (recorded by trace-probe.cjs) reduced to where the time
// went — start-up before the first request, the pre-flight, the wait before the first sync, the syncs, what
// came after the last sync — and what each kind of request cost. Times are ms since the process started.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { median } from './stats.mjs'

export const TRACE_PROBE = join(new URL('.', import.meta.url).pathname, 'trace-probe.cjs')

/** What a request is, from its method and path. */
export function requestKind(r) {
  const p = r.path.split('?')[0]
  if (p === '/v2/' || p === '/v2') return 'ping'
  if (p.endsWith('/_zot/ext/mgmt') || p.endsWith('/_oci/ext/discover')) return 'zot info'
  if (p.endsWith('/_zot/ext/search')) return 'search'
  if (p.endsWith('/tags/list')) return 'tags/list'
  if (p.includes('/referrers/')) return 'referrers'
  if (p.includes('/blobs/')) return `${r.method} blob`
  if (/\/manifests\/[a-z0-9]+:[a-f0-9]{32,}$/.test(p)) return `${r.method} manifest by digest`
  if (p.includes('/manifests/')) return `${r.method} manifest by tag`
  return `${r.method} other`
}

const round = (v) => (Number.isFinite(v) ? Math.round(v) : null)

/** @param {string} file a trace written by trace-probe.cjs */
export function profileOf(file) {
  const trace = JSON.parse(readFileSync(file, 'utf8'))
  const requests = trace.requests.filter((r) => r.end !== undefined)
  const byKind = {}
  for (const r of requests) {
    const kind = requestKind(r)
    byKind[kind] = [...(byKind[kind] ?? []), r.end - r.start]
  }
  const kinds = Object.fromEntries(
    Object.entries(byKind).map(([k, d]) => [
      k,
      { count: d.length, medianMs: round(median(d)), sumMs: round(d.reduce((a, b) => a + b, 0)) },
    ]),
  )
  const first = Math.min(...requests.map((r) => r.start))
  const lastEnd = Math.max(...requests.map((r) => r.end))
  const preflight = requests.filter((r) => ['ping', 'zot info'].includes(requestKind(r)))
  const syncs = requests.filter(
    (r) => requestKind(r) === 'GET manifest by tag' || requestKind(r) === 'HEAD manifest by tag',
  )
  const preflightEnd = preflight.length ? Math.max(...preflight.map((r) => r.end)) : first
  const firstSync = syncs.length ? Math.min(...syncs.map((r) => r.start)) : undefined
  const lastSyncEnd = syncs.length ? Math.max(...syncs.map((r) => r.end)) : undefined
  // Time with no sync in flight between the first and the last: where the client kept Zot's copying idle.
  let idle = 0
  if (syncs.length) {
    const sorted = [...syncs].sort((a, b) => a.start - b.start)
    let reach = sorted[0].end
    for (const r of sorted.slice(1)) {
      if (r.start > reach) idle += r.start - reach
      reach = Math.max(reach, r.end)
    }
  }
  const out = {
    requests: requests.length,
    phasesMs: {
      startupBeforeFirstRequest: round(first),
      preflight: round(preflightEnd - first),
      ...(firstSync !== undefined
        ? {
            preflightToFirstSync: round(firstSync - preflightEnd),
            firstToLastSync: round(lastSyncEnd - firstSync),
            noSyncInFlightBetween: round(idle),
            lastSyncToLastRequest: round(lastEnd - lastSyncEnd),
          }
        : { requestsAfterPreflight: round(lastEnd - preflightEnd) }),
      afterLastRequestToExit: round(trace.exitAt - lastEnd),
      total: round(trace.exitAt),
    },
    byKind: kinds,
  }
  // Sum of the sync durations ÷ the span they cover: how many images Zot was copying at once, on average.
  if (syncs.length)
    out.meanSyncsInFlight = Number(
      (syncs.reduce((n, r) => n + r.end - r.start, 0) / Math.max(1, lastSyncEnd - firstSync)).toFixed(2),
    )
  return out
}
