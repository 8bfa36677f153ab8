// Scenario 7 — referrers: what warming and reading signatures, attestations and SBOMs costs. 24 signed
// images (an OCI index of 2 small platforms; a cosign signature and an SPDX SBOM on the index, an in-toto
// attestation on each platform: 4 referrers per image). The CLI runs with `--referrers warm` (the default)
// and `--referrers off`, interleaved:
// - cold: a new cache Zot per run; the extra upstream requests (and time) per image that copying the
//   referrers costs;
// - hot: the same cache once everything is in it; wall time and requests, upstream (must stay 0) and cache.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { progress } from '../harness/log.mjs'
import { renderDeployments } from '../harness/manifests.mjs'
import { COST, cliWarm, LOG_LEVEL, logRun, measured, startCache, summariseRuns } from './common.mjs'

const POLICIES = ['warm', 'off']

/** @param {{ quick: boolean, testbed: () => Promise<any>, cliMissing?: string }} ctx */
export async function referrers(ctx) {
  if (ctx.cliMissing) return { skipped: ctx.cliMissing, pass: null }
  const count = ctx.quick ? 8 : 24
  const runs = ctx.quick ? 2 : 5
  const coldRuns = ctx.quick ? 1 : 3
  const tb = await ctx.testbed()
  const dir = mkdtempSync(join(tmpdir(), 'zot-warm-bench-referrers-'))
  let upstream
  let cache
  try {
    upstream = await tb.startZot({ name: 'bench-upstream', logLevel: LOG_LEVEL })
    const names = Array.from({ length: count }, (_, i) => `signed/app-${String(i).padStart(2, '0')}`)
    progress(`referrers: pushing ${count} signed images (index + signature + SBOM + 2 attestations each)`)
    const pushed = await tb.pushImages(
      upstream.registry(),
      names.map((repo) => ({
        repo,
        tag: '1.0',
        kind: 'oci-index',
        platforms: ['linux/amd64', 'linux/arm64'],
        layerSize: 512,
      })),
      4,
    )
    for (const image of pushed) {
      const subject = { digest: image.digest, mediaType: image.mediaType, size: image.size }
      await tb.pushReferrer(upstream.registry(), {
        repo: image.repo,
        subject,
        what: 'cosign-signature',
        form: 'referrer',
      })
      await tb.pushReferrer(upstream.registry(), {
        repo: image.repo,
        subject,
        what: 'spdx',
        form: 'referrer',
      })
      for (const child of image.manifests)
        await tb.pushReferrer(upstream.registry(), {
          repo: image.repo,
          subject: child,
          what: 'attestation',
          form: 'referrer',
        })
    }
    const manifest = 'signed.yaml'
    writeFileSync(join(dir, manifest), renderDeployments(names.map((n) => `docker.io/${n}:1.0`)))
    const warmRun = (server, policy, expect) =>
      measured({ upstream, cache: server }, () =>
        cliWarm(server, dir, manifest, { expect, count, args: ['--referrers', policy] }),
      )

    const coldRunsBy = { warm: [], off: [] }
    for (let i = 0; i < coldRuns; i++)
      for (const policy of POLICIES) {
        const fresh = await startCache(tb, upstream, `bench-cache-${policy}-${i}`)
        try {
          const r = await warmRun(fresh, policy, 'warmed')
          coldRunsBy[policy].push(r)
          logRun(`referrers cold ${i + 1}/${coldRuns} --referrers ${policy}`, r)
        } finally {
          await fresh.stop()
        }
      }

    cache = await startCache(tb, upstream, 'bench-cache-hot')
    const first = await warmRun(cache, 'warm', 'warmed')
    if (!first.ok) throw new Error(`referrers: warming the hot cache failed: ${first.error}`)
    const hotRunsBy = { warm: [], off: [] }
    for (let i = 0; i < runs; i++)
      for (const policy of POLICIES) {
        const r = await warmRun(cache, policy, 'cached')
        hotRunsBy[policy].push(r)
        logRun(`referrers hot ${i + 1}/${runs} --referrers ${policy}`, r)
      }

    const cold = Object.fromEntries(POLICIES.map((p) => [p, summariseRuns(coldRunsBy[p], COST)]))
    const hot = Object.fromEntries(POLICIES.map((p) => [p, summariseRuns(hotRunsBy[p], COST)]))
    const perImage = (field) =>
      Number((((cold.warm[field] ?? Number.NaN) - (cold.off[field] ?? Number.NaN)) / count).toFixed(2))
    const result = {
      images: count,
      referrersPerImage: 4,
      runs: { cold: coldRuns, hot: runs },
      cold,
      hot,
      coldExtraUpstreamRequestsPerImage: perImage('upstreamRequests'),
      coldExtraCacheRequestsPerImage: perImage('cacheRequests'),
      coldExtraMsPerImage: Number(((cold.warm.wallMs.median - cold.off.wallMs.median) / count).toFixed(1)),
      hotUpstreamRequestsPerRun: hotRunsBy.warm.map((r) => r.upstreamRequests),
      // What the report said: every image signed, attested and with an SBOM, on the cold and the hot run.
      reported: { cold: coldRunsBy.warm[0]?.referrers, hot: hotRunsBy.warm[0]?.referrers },
    }
    const complete = (c) => c?.signed === count && c?.attested === count && c?.sbom === count
    result.checks = {
      hotZeroUpstream: hotRunsBy.warm.every((r) => r.upstreamRequests === 0),
      everyRunOk: [...coldRunsBy.warm, ...coldRunsBy.off, ...hotRunsBy.warm, ...hotRunsBy.off].every(
        (r) => r.ok,
      ),
      allReferrersReported: complete(result.reported.cold) && complete(result.reported.hot),
    }
    result.pass = Object.values(result.checks).every(Boolean)
    return result
  } finally {
    await cache?.stop()
    await upstream?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
