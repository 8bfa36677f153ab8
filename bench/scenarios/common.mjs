// What the hot and cold scenarios share: an upstream Zot holding the images, caches that sync from it,
// and the two contenders — the CLI (a whole process) and the seed warmers' algorithm (also a whole process).
// Every run also records what it cost the servers (requests answered, CPU seconds), which is what explains
// a figure on a 2-core machine where client, cache and upstream share the same cores.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { MANIFEST_ACCEPT } from '../harness/baseline.mjs'
import { cliDefaultConcurrency, runCli } from '../harness/cli.mjs'
import { progress } from '../harness/log.mjs'
import { mapLimit } from '../harness/pool.mjs'
import { processCpuSeconds, runProcess } from '../harness/proc.mjs'
import { summarise } from '../harness/stats.mjs'
import { ROOT } from '../harness/testbed.mjs'

/** References name docker.io; the cache keeps them under this prefix and syncs them from the upstream Zot. */
export const PREFIX = 'docker-images'
export const REGISTRY_MAP = `docker.io=${PREFIX}`

/** Info, not debug: the 2-core machine should spend its time serving, not logging (as in production). */
export const LOG_LEVEL = 'info'

const BASELINE = join(ROOT, 'bench', 'harness', 'baseline.mjs')

export function startCache(tb, upstream, name = 'bench-cache') {
  return tb.startZot({ name, logLevel: LOG_LEVEL, upstreams: [{ url: upstream.url, destination: PREFIX }] })
}

/**
 * One run of the CLI in warm mode over `manifest` (in `dir`). `expect` is the status every image must end
 * with; a run where it does not (or the CLI fails) is marked not ok and left out of the medians.
 */
export async function cliWarm(cache, dir, manifest, opts) {
  const report = join(dir, `report-${Date.now()}.json`)
  const args = [
    '--zot-url',
    cache.url,
    '--registry-map',
    REGISTRY_MAP,
    '--report',
    report,
    '--workspace',
    dir,
  ]
  if (opts.concurrency) args.push('--concurrency', String(opts.concurrency))
  if (opts.args) args.push(...opts.args)
  args.push(manifest)
  const r = await runCli(args, { cwd: dir, timeoutMs: opts.timeoutMs ?? 600_000, usage: 'time' })
  let statuses = {}
  let referrers
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'))
    for (const img of json.images ?? []) statuses[img.status] = (statuses[img.status] ?? 0) + 1
    referrers = json.summary?.referrers ?? undefined
  } catch {
    statuses = { noReport: 1 }
  }
  const ok = r.code === 0 && statuses[opts.expect] === opts.count
  const run = { wallMs: r.wallMs, clientCpuS: r.cpuSeconds, code: r.code, statuses, ok }
  if (referrers) run.referrers = referrers
  if (!ok)
    run.error = `exit ${r.code}, ${JSON.stringify(statuses)}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`
  return run
}

/** One run of the seed warmers' algorithm as its own node process (start-up included, like the CLI). */
export async function baselineWarm(cache, dir, images) {
  const file = join(dir, 'baseline-images.json')
  writeFileSync(file, JSON.stringify(images))
  const r = await runProcess(process.execPath, [BASELINE, 'seed', cache.url, file], {
    timeoutMs: 900_000,
    usage: 'time',
  })
  if (r.code !== 0) throw new Error(`baseline failed (exit ${r.code}): ${r.stderr.trim()}`)
  const stats = JSON.parse(r.stdout)
  return { wallMs: r.wallMs, clientCpuS: r.cpuSeconds, ok: stats.failed.length === 0, ...stats }
}

/** The raw presence loop as its own node process: the whole-process counterpart of the in-process loop. */
export async function presenceProcess(cache, dir, images, concurrency) {
  const file = join(dir, 'presence-images.json')
  writeFileSync(file, JSON.stringify(images))
  const r = await runProcess(process.execPath, [BASELINE, 'presence', cache.url, file, String(concurrency)])
  if (r.code !== 0) throw new Error(`presence loop failed (exit ${r.code}): ${r.stderr.trim()}`)
  return r.wallMs
}

/** GET every tag through the cache, `concurrency` at a time (Zot copies the whole image before answering). */
export async function getTags(cache, images, concurrency = 8) {
  const dispatcher = new Agent({ connections: concurrency, headersTimeout: 0, bodyTimeout: 0 })
  try {
    const statuses = await mapLimit(images, concurrency, async ({ repository, tag }) => {
      const res = await request(`${cache.url}/v2/${repository}/manifests/${tag}`, {
        headers: { accept: MANIFEST_ACCEPT },
        dispatcher,
      })
      await res.body.dump()
      return res.statusCode
    })
    const bad = statuses.filter((s) => s !== 200).length
    if (bad) throw new Error(`${bad} of ${images.length} tags did not sync`)
  } finally {
    await dispatcher.close()
  }
}

/**
 * Runs `fn` and adds what it cost the servers: requests each answered (their own counters) and CPU seconds
 * each used (/proc). `servers`: `{ upstream, cache }`.
 */
export async function measured(servers, fn) {
  const entries = Object.entries(servers)
  const before = await Promise.all(
    entries.map(async ([, s]) => [await s.requestCount(), processCpuSeconds(s.pid)]),
  )
  const value = await fn()
  const out = { ...value }
  for (const [i, [name, s]] of entries.entries()) {
    const [requests, cpu] = before[i]
    out[`${name}Requests`] = (await s.requestCount()) - requests
    const now = processCpuSeconds(s.pid)
    if (cpu !== undefined && now !== undefined) out[`${name}CpuS`] = Number((now - cpu).toFixed(2))
  }
  return out
}

/** Medians of every numeric field over the runs that succeeded, plus how many failed and why. */
export function summariseRuns(runs, fields) {
  const good = runs.filter((r) => r.ok !== false)
  const out = { runs: runs.length, ok: good.length }
  for (const f of fields) {
    const values = good.map((r) => r[f]).filter((v) => typeof v === 'number')
    if (values.length) out[f] = f === 'wallMs' ? summarise(values) : summarise(values, 2).median
  }
  const failed = runs.filter((r) => r.ok === false)
  if (failed.length) out.failures = failed.map((r) => r.error ?? 'failed').slice(0, 3)
  return out
}

/** What a measured run costs: the fields measured() and cliWarm() fill, summarised per contender. */
export const COST = ['wallMs', 'upstreamRequests', 'cacheRequests', 'clientCpuS', 'cacheCpuS', 'upstreamCpuS']

export function logRun(label, r) {
  const cost = COST.filter((k) => k !== 'wallMs' && r[k] !== undefined)
    .map((k) => `${k} ${r[k]}`)
    .join(', ')
  progress(`${label}: ${r.wallMs.toFixed(0)} ms${r.ok === false ? ' FAILED' : ''}; ${cost}`)
  if (r.error) progress(`  ${r.error}`)
}

/** The CLI's default concurrency (from its --help), 4 when unknown (no CLI to ask). */
export function defaultConcurrency() {
  return cliDefaultConcurrency() ?? 4
}
