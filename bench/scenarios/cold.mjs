// Scenario 2 — cold: 40 images × 2 platforms × 3 layers of 1 MiB into an empty cache. Each run gets a new
// cache Zot (fresh storage), so every run is truly cold; the upstream keeps the images for all runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { presenceLoop } from '../harness/baseline.mjs'
import { startDelayProxy } from '../harness/delay-proxy.mjs'
import { progress } from '../harness/log.mjs'
import { renderDeployments } from '../harness/manifests.mjs'
import { timed } from '../harness/stats.mjs'
import {
  baselineWarm,
  COST,
  cliWarm,
  defaultConcurrency,
  getTags,
  LOG_LEVEL,
  logRun,
  measured,
  PREFIX,
  startCache,
  summariseRuns,
} from './common.mjs'

const TARGET_SPEEDUP = 3
export const CURVE = [1, 2, 4, 8, 16]

/** @param {{ quick: boolean, noCurve?: boolean, testbed: () => Promise<any>, cliMissing?: string }} ctx */
export async function cold(ctx) {
  const count = ctx.quick ? 12 : 40
  const runs = ctx.quick ? 1 : 5
  const tb = await ctx.testbed()
  const dir = mkdtempSync(join(tmpdir(), 'zot-warm-bench-cold-'))
  let upstream
  try {
    upstream = await tb.startZot({ name: 'bench-upstream', logLevel: LOG_LEVEL })
    const names = Array.from({ length: count }, (_, i) => `cold/img-${String(i).padStart(2, '0')}`)
    progress(`cold: pushing ${count} images (2 platforms × 3 layers × 1 MiB) to the upstream`)
    const pushed = await tb.pushImages(
      upstream.registry(),
      names.map((repo) => ({
        repo,
        tag: '1.0',
        kind: 'oci-index',
        platforms: ['linux/amd64', 'linux/arm64'],
        layers: 3,
        layerSize: 1024 * 1024,
      })),
      4,
    )
    const totalMb = pushed.reduce((n, p) => n + (p.bytes ?? 0), 0) / 1e6
    const images = names.map((n) => ({ repository: `${PREFIX}/${n}`, tag: '1.0' }))
    const repos = images.map((i) => i.repository)
    const manifest = 'cold.yaml'
    writeFileSync(join(dir, manifest), renderDeployments(names.map((n) => `docker.io/${n}:1.0`)))

    /** A fresh cache per run; checks afterwards that every image really is in it. */
    const oneRun = async (label, fn) => {
      const cache = await startCache(tb, upstream, `bench-cache-${label}`)
      try {
        const r = await measured({ upstream, cache }, () => fn(cache))
        r.present = (await presenceLoop(cache.url, repos, 8)).present
        if (r.present !== count) {
          r.ok = false
          r.error = `${r.present}/${count} images present afterwards${r.error ? `; ${r.error}` : ''}`
        }
        logRun(`cold ${label}`, r)
        return r
      } finally {
        await cache.stop()
      }
    }
    const cli = (concurrency) => (cache) =>
      cliWarm(cache, dir, manifest, { expect: 'warmed', count, concurrency })
    // The floor for any client: GET every tag in-process, no Node start-up, no verification.
    const raw = (concurrency) => async (cache) => ({
      wallMs: (await timed(() => getTags(cache, images, concurrency))).ms,
    })

    const conc = defaultConcurrency()
    // Every contender in every round (baseline, the CLI at each concurrency), round-robin: load from other
    // work on the machine drifts over minutes, and this spreads it over all points alike. The CLI at its
    // default concurrency is the curve's point for that value.
    const levels = ctx.cliMissing
      ? []
      : ctx.noCurve
        ? [conc]
        : [...new Set([...CURVE, conc])].sort((a, b) => a - b)
    const base = []
    const byLevel = new Map(levels.map((c) => [c, []]))
    for (let i = 0; i < runs; i++) {
      base.push(await oneRun(`baseline-${i + 1}`, (cache) => baselineWarm(cache, dir, images)))
      for (const c of levels)
        byLevel.get(c).push(await oneRun(`c${c}-${i + 1}`, cli(c === conc ? undefined : c)))
    }
    const result = {
      images: count,
      platforms: 2,
      layersPerPlatform: 3,
      layerBytes: 1024 * 1024,
      upstreamMb: Number(totalMb.toFixed(1)),
      runs,
      baseline: summariseRuns(base, COST),
      target: `≥ ${TARGET_SPEEDUP}× faster than the baseline at the default concurrency (${conc})`,
    }
    // Profile: the same sync work driven in-process at 1 and 8 in flight shows what Zot itself allows here.
    const rawRuns = ctx.quick ? 1 : 2
    const rawCurve = {}
    for (const c of [1, 8]) {
      const rs = []
      for (let i = 0; i < rawRuns; i++) rs.push(await oneRun(`raw-get-c${c}-${i + 1}`, raw(c)))
      rawCurve[c] = summariseRuns(rs, COST)
    }
    result.rawInProcessGetByConcurrency = {
      note: 'GET each tag through the cache in-process (undici, keep-alive), no Node start-up, no verification',
      ...rawCurve,
    }
    if (ctx.cliMissing) {
      result.ours = { skipped: ctx.cliMissing }
      result.pass = null
      return result
    }
    const ours = byLevel.get(conc)
    result.ours = { concurrency: conc, ...summariseRuns(ours, COST), statuses: ours[0]?.statuses }
    result.speedup = Number((result.baseline.wallMs.median / result.ours.wallMs?.median).toFixed(2))
    if (!ctx.noCurve) {
      const curve = {}
      for (const c of levels) {
        const s = summariseRuns(byLevel.get(c), COST)
        curve[c] = {
          ...s,
          speedupVsBaseline: Number((result.baseline.wallMs.median / s.wallMs?.median).toFixed(2)),
        }
      }
      result.curve = { runsPerPoint: runs, byConcurrency: curve }
    }
    if (!ctx.quick && !ctx.noCurve) result.wanCurve = await wanCurve(ctx, tb, upstream, dir, names)
    // On a machine where client, cache and upstream share few cores, CPU is the ceiling: the CPU seconds a
    // sync costs divided by the cores is the shortest wall time any client could reach.
    const cpu = (s) => (s.cacheCpuS ?? 0) + (s.upstreamCpuS ?? 0) + (s.clientCpuS ?? 0)
    result.cpuBound = {
      cores: cpus().length,
      baselineCpuS: Number(cpu(result.baseline).toFixed(2)),
      oursCpuS: Number(cpu(result.ours).toFixed(2)),
      floorMs: Math.round((cpu(result.ours) / cpus().length) * 1000),
      maxSpeedupOnThisMachine: Number(
        (result.baseline.wallMs.median / ((cpu(result.ours) / cpus().length) * 1000)).toFixed(2),
      ),
    }
    result.pass = result.speedup >= TARGET_SPEEDUP && ours.every((o) => o.ok)
    return result
  } finally {
    await upstream?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

const WAN_ONE_WAY_MS = 20
const WAN_IMAGES = 16

/**
 * The same curve with the upstream behind a 40 ms round trip (delay proxy): what concurrency buys when a
 * sync waits on the network, as against a real registry, rather than on this machine's two cores.
 * Fewer images and runs (2 rounds) to keep the bench bounded.
 */
async function wanCurve(ctx, tb, upstream, dir, allNames) {
  const proxy = await startDelayProxy(upstream.url, WAN_ONE_WAY_MS)
  try {
    const names = allNames.slice(0, WAN_IMAGES)
    const images = names.map((n) => ({ repository: `${PREFIX}/${n}`, tag: '1.0' }))
    const manifest = 'cold-wan.yaml'
    writeFileSync(join(dir, manifest), renderDeployments(names.map((n) => `docker.io/${n}:1.0`)))
    const run = async (label, fn) => {
      const cache = await startCache(tb, { url: proxy.url }, `bench-cache-${label}`)
      try {
        const r = await measured({ upstream, cache }, () => fn(cache))
        const present = (
          await presenceLoop(
            cache.url,
            images.map((i) => i.repository),
            8,
          )
        ).present
        if (present !== names.length) {
          r.ok = false
          r.error = `${present}/${names.length} images present afterwards${r.error ? `; ${r.error}` : ''}`
        }
        logRun(`cold-wan ${label}`, r)
        return r
      } finally {
        await cache.stop()
      }
    }
    const rounds = 2
    const base = []
    const byLevel = new Map(CURVE.map((c) => [c, []]))
    for (let i = 0; i < rounds; i++) {
      base.push(await run(`baseline-${i + 1}`, (cache) => baselineWarm(cache, dir, images)))
      if (ctx.cliMissing) continue
      for (const c of CURVE)
        byLevel
          .get(c)
          .push(
            await run(`c${c}-${i + 1}`, (cache) =>
              cliWarm(cache, dir, manifest, { expect: 'warmed', count: names.length, concurrency: c }),
            ),
          )
    }
    const baseline = summariseRuns(base, COST)
    const curve = {}
    for (const c of ctx.cliMissing ? [] : CURVE) {
      const s = summariseRuns(byLevel.get(c), COST)
      curve[c] = { ...s, speedupVsBaseline: Number((baseline.wallMs.median / s.wallMs?.median).toFixed(2)) }
    }
    return {
      roundTripMs: 2 * WAN_ONE_WAY_MS,
      images: names.length,
      runsPerPoint: rounds,
      // The most connections the cache ever had open to the upstream, whatever the client's concurrency.
      maxOpenUpstreamConnections: proxy.stats().maxOpen,
      baseline,
      byConcurrency: curve,
    }
  } finally {
    await proxy.close()
  }
}
