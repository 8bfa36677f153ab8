// Preloaded with --require into a CLI run the bench profiles: records every HTTP request the process makes
// (undici's diagnostics channels, which any undici copy publishes to, the bundled one included) with when it
// started, when its headers came and when it ended, and writes the timeline to $ZOT_WARM_BENCH_TRACE_FILE at
// exit. Times are ms since the process started (performance.now()). Nothing of this is in the product: a
// normal run has no subscriber, and undici skips publishing when a channel has none.
const dc = require('node:diagnostics_channel')
const { writeFileSync } = require('node:fs')

const file = process.env.ZOT_WARM_BENCH_TRACE_FILE
if (file) {
  const now = () => Math.round(performance.now() * 10) / 10
  const loadedAt = now()
  const requests = new Map()
  let next = 0
  dc.subscribe('undici:request:create', ({ request }) => {
    requests.set(request, { id: next++, method: request.method, path: request.path, start: now() })
  })
  dc.subscribe('undici:request:headers', ({ request, response }) => {
    const r = requests.get(request)
    if (r) Object.assign(r, { headers: now(), status: response.statusCode })
  })
  dc.subscribe('undici:request:trailers', ({ request }) => {
    const r = requests.get(request)
    if (r) r.end = now()
  })
  dc.subscribe('undici:request:error', ({ request, error }) => {
    const r = requests.get(request)
    if (r) Object.assign(r, { end: now(), error: String(error?.code ?? error?.message ?? error) })
  })
  process.on('exit', () => {
    const list = [...requests.values()].sort((a, b) => a.id - b.id)
    writeFileSync(file, JSON.stringify({ loadedAt, exitAt: now(), requests: list }))
  })
}
