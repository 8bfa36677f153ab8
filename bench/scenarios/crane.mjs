// Scenario 8 — a real peer: crane (go-containerregistry's CLI), the tool a user scripts to warm a cache by
// hand, `crane digest` of every reference through the cache by xargs, one at a time and 4 at a time; the seed
// warmers' algorithm beside it as the second baseline. Everything in one run on one Zot pair (an upstream
// Zot, reached by the caches through the delay proxy), contenders interleaved round by round, each run
// counted at the upstream's own request counter:
// - hot: 100 and 500 references already in one cache;
// - cold: 30 never-seen images of ≈ 2 MiB (an OCI index of 2 platforms × 1 MiB), and the first 20 of them,
//   each run into a new cache;
// both on loopback and with the upstream 40 ms away (20 ms each way). One extra traced run of zot-warm per
// cold case is its profile (bench/harness/timeline.mjs); it is not in the medians.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { presenceLoop } from '../harness/baseline.mjs'
import { runCli } from '../harness/cli.mjs'
import { craneBinary, craneDigests } from '../harness/crane.mjs'
import { startDelayProxy } from '../harness/delay-proxy.mjs'
import { progress } from '../harness/log.mjs'
import { renderDeployments } from '../harness/manifests.mjs'
import { runProcess } from '../harness/proc.mjs'
import { median } from '../harness/stats.mjs'
import { ROOT } from '../harness/testbed.mjs'
import { profileOf, TRACE_PROBE } from '../harness/timeline.mjs'
import {
  baselineWarm,
  COST,
  cliWarm,
  getTags,
  LOG_LEVEL,
  logRun,
  measured,
  PREFIX,
  REGISTRY_MAP,
  startCache,
  summariseRuns,
} from './common.mjs'

const WAN_ONE_WAY_MS = 20
const NETWORKS = [
  ['wan', WAN_ONE_WAY_MS],
  ['loopback', 0],
]
const TARGETS = { coldVsCraneP4: 1, coldVsCrane1: 2.5, hotVsCraneP4: 3 }

/** @param {{ quick: boolean, testbed: () => Promise<any>, cliMissing?: string }} ctx */
export async function crane(ctx) {
  if (ctx.cliMissing) return { skipped: ctx.cliMissing, pass: null }
  const bin = await craneBinary()
  const runs = ctx.quick ? 1 : 5
  const tb = await ctx.testbed()
  const dir = mkdtempSync(join(tmpdir(), 'zot-warm-bench-crane-'))
  let upstream
  let proxy
  try {
    upstream = await tb.startZot({ name: 'bench-upstream', logLevel: LOG_LEVEL })
    proxy = await startDelayProxy(upstream.url, 0)
    const hotNames = Array.from({ length: 500 }, (_, i) => `hot/app-${String(i).padStart(3, '0')}`)
    const coldNames = Array.from(
      { length: ctx.quick ? 12 : 30 },
      (_, i) => `cold/img-${String(i).padStart(2, '0')}`,
    )
    progress(
      `crane: pushing ${hotNames.length} small images and ${coldNames.length} × 2 MiB images to the upstream`,
    )
    await tb.pushImages(
      upstream.registry(),
      hotNames.map((repo) => ({ repo, tag: '1.0', kind: 'oci', layers: 1, layerSize: 512 })),
      8,
    )
    await tb.pushImages(
      upstream.registry(),
      coldNames.map((repo) => ({
        repo,
        tag: '1.0',
        kind: 'oci-index',
        platforms: ['linux/amd64', 'linux/arm64'],
        layers: 1,
        layerSize: 1024 * 1024,
      })),
      4,
    )
    const ctxRun = { bin, dir, upstream, proxy, runs }
    const result = {
      crane: { binary: bin, version: (await craneVersion(bin)) ?? null },
      roundTripMs: 2 * WAN_ONE_WAY_MS,
      runs,
      hot: await hot(tb, ctxRun, hotNames, ctx.quick ? [100] : [100, 500]),
      cold: {},
    }
    const coldCases = [
      ['wan', WAN_ONE_WAY_MS, coldNames],
      ['loopback', 0, coldNames.slice(0, ctx.quick ? 8 : 20)],
    ]
    for (const [label, delay, names] of coldCases)
      result.cold[label] = await cold(tb, ctxRun, label, delay, names)
    result.checks = checks(result)
    result.pass = Object.values(result.checks).every(Boolean)
    return result
  } finally {
    await proxy?.close()
    await upstream?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function craneVersion(bin) {
  const r = await runProcess(bin, ['version'])
  return r.code === 0 ? r.stdout.trim() : undefined
}

/** Hot: one cache holding all 500; each contender over the first `size` references, on both networks. */
async function hot(tb, { bin, dir, upstream, proxy, runs }, names, sizes) {
  const cache = await startCache(tb, { url: proxy.url }, 'bench-cache-crane-hot')
  try {
    const all = names.map((n) => ({ repository: `${PREFIX}/${n}`, tag: '1.0' }))
    progress(`crane hot: syncing all ${names.length} into the cache`)
    proxy.setDelay(0)
    await getTags(cache, all)
    const check = await presenceLoop(
      cache.url,
      all.map((i) => i.repository),
      8,
    )
    if (check.present !== names.length) throw new Error(`only ${check.present} of ${names.length} cached`)
    const servers = { upstream, cache }
    const out = {}
    for (const [network, delay] of NETWORKS) {
      proxy.setDelay(delay)
      for (const size of sizes) {
        const subset = names.slice(0, size)
        const manifest = `hot-${size}.yaml`
        writeFileSync(join(dir, manifest), renderDeployments(subset.map((n) => `docker.io/${n}:1.0`)))
        const refs = subset.map((n) => `${cache.host}/${PREFIX}/${n}:1.0`)
        const images = subset.map((n) => ({ repository: `${PREFIX}/${n}`, tag: '1.0' }))
        const contenders = {
          ours: () => cliWarm(cache, dir, manifest, { expect: 'cached', count: size }),
          craneP4: () => craneDigests(bin, refs, 4),
          // One at a time through a 40 ms upstream is ≈ 0.1 s per reference: 500 of them, 5 times, would
          // take minutes for a figure the -P4 column already bounds.
          ...(size <= 100 || delay === 0 ? { crane1: () => craneDigests(bin, refs, 1) } : {}),
          seed: () => baselineWarm(cache, dir, images),
        }
        const label = `hot ${network} ${size}`
        out[`${network}${size}`] = await rounds(label, runs, servers, contenders, async () => undefined)
      }
    }
    proxy.setDelay(0)
    return out
  } finally {
    await cache.stop()
  }
}

/** Cold: a new cache per run (fresh storage), so every run copies every image from the upstream. */
async function cold(tb, { bin, dir, upstream, proxy, runs }, network, delay, names) {
  proxy.setDelay(delay)
  const manifest = `cold-${network}.yaml`
  writeFileSync(join(dir, manifest), renderDeployments(names.map((n) => `docker.io/${n}:1.0`)))
  const images = names.map((n) => ({ repository: `${PREFIX}/${n}`, tag: '1.0' }))
  const count = names.length
  let cache
  const fresh = async (who) => {
    await cache?.stop()
    cache = await startCache(tb, { url: proxy.url }, `bench-cache-crane-${who}`)
    return cache
  }
  const refs = () => names.map((n) => `${cache.host}/${PREFIX}/${n}:1.0`)
  const contenders = {
    ours: () => cliWarm(cache, dir, manifest, { expect: 'warmed', count }),
    // Like for like with crane, which copies no signatures: the same run without the referrers stage.
    oursReferrersOff: () =>
      cliWarm(cache, dir, manifest, { expect: 'warmed', count, args: ['--referrers', 'off'] }),
    craneP4: () => craneDigests(bin, refs(), 4),
    crane1: () => craneDigests(bin, refs(), 1),
    seed: () => baselineWarm(cache, dir, images),
    // The default concurrency against its neighbours, on the case that decides it (an upstream far away).
    ...(delay > 0
      ? Object.fromEntries(
          [2, 8].map((c) => [
            `oursConcurrency${c}`,
            () => cliWarm(cache, dir, manifest, { expect: 'warmed', count, concurrency: c }),
          ]),
        )
      : {}),
  }
  const afterEach = async (r) => {
    const present = (
      await presenceLoop(
        cache.url,
        images.map((i) => i.repository),
        8,
      )
    ).present
    if (present !== count) {
      r.ok = false
      r.error = `${present}/${count} images present afterwards${r.error ? `; ${r.error}` : ''}`
    }
  }
  try {
    const out = await rounds(`cold ${network} ${count}`, runs, null, contenders, afterEach, fresh, upstream)
    out.images = count
    out.imageMiB = 2
    // The profile: one more run of zot-warm with the request timeline recorded, outside the medians.
    await fresh('trace')
    out.profile = await tracedRun(cache, dir, manifest, network)
    return out
  } finally {
    await cache?.stop()
    proxy.setDelay(0)
  }
}

/**
 * `runs` rounds of every contender, interleaved. `fresh(name)` (cold) starts a new cache before each run
 * and returns it; otherwise `servers` is the fixed pair. Ratios compare medians of the same run.
 */
async function rounds(label, runs, servers, contenders, afterEach, fresh, upstream) {
  const byName = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
  for (let i = 0; i < runs; i++) {
    for (const [name, fn] of Object.entries(contenders)) {
      const pair = fresh ? { upstream, cache: await fresh(`${name}-${i + 1}`) } : servers
      const r = await measured(pair, fn)
      await afterEach(r)
      logRun(`${label} ${name} ${i + 1}/${runs}`, r)
      byName[name].push(r)
    }
  }
  const out = {}
  for (const [name, list] of Object.entries(byName)) out[name] = summariseRuns(list, COST)
  const ours = out.ours.wallMs?.median
  // How many times faster zot-warm is than each contender: their median ÷ ours (> 1: zot-warm is faster).
  out.speedup = {}
  for (const name of Object.keys(contenders).filter((n) => n !== 'ours'))
    out.speedup[name] = Number((out[name].wallMs?.median / ours).toFixed(2))
  // The same ratio taken round by round, then the median: less sensitive to load drifting between rounds.
  out.speedupByRound = {}
  for (const name of Object.keys(contenders).filter((n) => n !== 'ours')) {
    const ratios = byName.ours
      .map((o, i) =>
        o.ok !== false && byName[name][i]?.ok !== false ? byName[name][i].wallMs / o.wallMs : NaN,
      )
      .filter(Number.isFinite)
    out.speedupByRound[name] = ratios.length ? Number(median(ratios).toFixed(2)) : null
  }
  out.upstreamRequestsPerRun = Object.fromEntries(
    Object.entries(byName).map(([name, list]) => [name, list.map((r) => r.upstreamRequests)]),
  )
  return out
}

async function tracedRun(cache, dir, manifest, network) {
  const traces = join(ROOT, '.bench', 'traces')
  mkdirSync(traces, { recursive: true })
  const file = join(traces, `crane-cold-${network}.json`)
  const args = ['--zot-url', cache.url, '--registry-map', REGISTRY_MAP, '--workspace', dir, manifest]
  const r = await runCli(args, {
    cwd: dir,
    env: { NODE_OPTIONS: `--require ${TRACE_PROBE}`, ZOT_WARM_BENCH_TRACE_FILE: file },
  })
  if (r.code !== 0) return { error: `traced run exit ${r.code}` }
  return { trace: file, wallMs: Math.round(r.wallMs), ...profileOf(file) }
}

function checks(result) {
  const c = {}
  const wan = result.cold.wan
  if (wan) {
    c.coldWanVsCraneP4 = wan.speedup.craneP4 >= TARGETS.coldVsCraneP4
    c.coldWanVsCrane1 = wan.speedup.crane1 >= TARGETS.coldVsCrane1
  }
  for (const [key, h] of Object.entries(result.hot)) {
    c[`hot${key}VsCraneP4`] = h.speedup.craneP4 >= TARGETS.hotVsCraneP4
    c[`hot${key}ZeroUpstream`] = h.upstreamRequestsPerRun.ours.every((n) => n === 0)
  }
  return c
}
