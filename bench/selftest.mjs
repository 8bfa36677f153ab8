// Checks the bench's own pieces (not the product): `node bench/selftest.mjs`. Not part of `npm test` —
// it starts real Zot servers and is about the harness, which `npm run bench` would otherwise only
// exercise implicitly. About 15 s.
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CRANE } from '../scripts/ensure-crane.mjs'
import { toolCacheDir } from '../scripts/go-tool.mjs'
import { presenceLoop, seedWarm } from './harness/baseline.mjs'
import { craneBinary, craneDigests } from './harness/crane.mjs'
import { mixedReferences, renderDeployments } from './harness/manifests.mjs'
import { processCpuSeconds, runProcess } from './harness/proc.mjs'
import { median, summarise } from './harness/stats.mjs'
import { loadTestbed } from './harness/testbed.mjs'
import { profileOf, requestKind, TRACE_PROBE } from './harness/timeline.mjs'

const checks = []
const check = async (name, fn) => {
  const t = Date.now()
  await fn()
  checks.push(name)
  process.stderr.write(`ok   ${name} (${Date.now() - t} ms)\n`)
}

await check('median and summarise', () => {
  assert.equal(median([3, 1, 2]), 2)
  assert.equal(median([4, 1, 3, 2]), 2.5)
  assert.ok(Number.isNaN(median([])))
  assert.deepEqual(summarise([1.04, 3, 2]), { median: 2, min: 1, max: 3, runs: [1, 3, 2] })
})

await check('peak RSS: GNU time and the preload probe agree on a 150 MB allocation', async () => {
  const code = 'const b = Buffer.alloc(150e6, 1); console.log(b.length)'
  const viaTime = await runProcess(process.execPath, ['-e', code], { usage: 'time' })
  const viaProbe = await runProcess(process.execPath, ['-e', code], { usage: 'probe' })
  for (const r of [viaTime, viaProbe]) {
    assert.equal(r.code, 0)
    assert.ok(r.maxRssKb > 150e6 / 1024, `${r.usageMethod}: ${r.maxRssKb} KB is below the allocation`)
    assert.ok(r.maxRssKb < 400e3, `${r.usageMethod}: ${r.maxRssKb} KB is implausibly high`)
  }
  assert.ok(
    Math.abs(viaTime.maxRssKb - viaProbe.maxRssKb) < 30e3,
    'the two methods differ by more than 30 MB',
  )
})

await check('CPU time: GNU time for a child, /proc for a running server', async () => {
  // Spins for 300 ms of its own CPU time (not wall time, which a loaded machine stretches).
  const spin =
    'const s = process.cpuUsage(); while (process.cpuUsage(s).user + process.cpuUsage(s).system < 3e5) {}'
  const r = await runProcess(process.execPath, ['-e', spin], { usage: 'time' })
  assert.ok(r.cpuSeconds >= 0.25 && r.cpuSeconds < 2, `child CPU ${r.cpuSeconds} s for a 300 ms spin`)
  const before = processCpuSeconds(process.pid)
  const start = process.cpuUsage()
  while (process.cpuUsage(start).user + process.cpuUsage(start).system < 3e5) {}
  const used = processCpuSeconds(process.pid) - before
  assert.ok(used >= 0.25 && used < 1, `this process: ${used} s for a 300 ms spin`)
})

await check('runProcess kills a child that outlives its time limit', async () => {
  await assert.rejects(
    runProcess(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { timeoutMs: 300 }),
  )
})

await check('generated manifests: every reference once, distinct', () => {
  const refs = mixedReferences(1000)
  assert.equal(new Set(refs).size, 1000)
  const yaml = renderDeployments(refs, { perDeployment: 7 })
  const found = [...yaml.matchAll(/^ {10}image: (.+)$/gm)].map((m) => m[1])
  assert.deepEqual(found, refs)
})

await check('baseline: HEAD 404 → GET the index → GET each child by digest', async () => {
  const seen = []
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ digest: 'sha256:aa' }, { digest: 'sha256:bb' }],
  })
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`)
    if (req.method === 'HEAD') return res.writeHead(404).end()
    if (req.url.endsWith('/manifests/1.0'))
      return res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' }).end(index)
    if (req.url.endsWith('sha256:bb')) return res.writeHead(404).end()
    return res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end('{}')
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  try {
    const stats = await seedWarm(`http://127.0.0.1:${server.address().port}`, [
      { repository: 'a/b', tag: '1.0' },
    ])
    assert.deepEqual(seen, [
      'HEAD /v2/a/b/manifests/1.0',
      'GET /v2/a/b/manifests/1.0',
      'GET /v2/a/b/manifests/sha256:aa',
      'GET /v2/a/b/manifests/sha256:bb',
    ])
    assert.equal(stats.requests, 4)
    assert.deepEqual(stats.failed, ['a/b@sha256:bb → 404'])
  } finally {
    server.close()
  }
})

await check('crane is cached under its pinned version (crane-v0.22.1)', () => {
  const dir = toolCacheDir(CRANE, { XDG_CACHE_HOME: '/c' })
  assert.equal(dir, '/c/zot-warm/crane-v0.22.1')
})

await check(
  'trace probe: records a request of a child process; the profile splits it into phases',
  async () => {
    const server = createServer((_, res) => res.writeHead(200).end('{}'))
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    try {
      const file = join(mkdtempSync(join(tmpdir(), 'zot-warm-selftest-')), 'trace.json')
      const url = `http://127.0.0.1:${server.address().port}`
      const code = `const { request } = await import(${JSON.stringify(import.meta.resolve('undici'))}); for (const p of ['/v2/', '/v2/a/manifests/1.0', '/v2/a/tags/list']) { const r = await request('${url}' + p); await r.body.dump() }`
      const r = await runProcess(
        process.execPath,
        ['--require', TRACE_PROBE, '--input-type=module', '-e', code],
        {
          env: { ZOT_WARM_BENCH_TRACE_FILE: file },
        },
      )
      assert.equal(r.code, 0, r.stderr)
      const profile = profileOf(file)
      assert.equal(profile.requests, 3)
      assert.deepEqual(Object.keys(profile.byKind).sort(), ['GET manifest by tag', 'ping', 'tags/list'])
      assert.ok(profile.phasesMs.startupBeforeFirstRequest > 0)
      assert.equal(
        requestKind({ method: 'HEAD', path: `/v2/a/manifests/sha256:${'a'.repeat(64)}` }),
        'HEAD manifest by digest',
      )
    } finally {
      server.close()
    }
  },
)

const tb = await loadTestbed()
const upstream = await tb.startZot({ name: 'selftest-upstream', logLevel: 'info' })
try {
  await tb.pushImages(
    upstream.registry(),
    [0, 1, 2].map((i) => ({
      repo: `st/img-${i}`,
      tag: '1.0',
      kind: 'oci-index',
      platforms: ['linux/amd64', 'linux/arm64'],
    })),
  )
  const cache = await tb.startZot({
    name: 'selftest-cache',
    logLevel: 'info',
    upstreams: [{ url: upstream.url, destination: 'docker-images' }],
  })
  try {
    const images = [0, 1, 2].map((i) => ({ repository: `docker-images/st/img-${i}`, tag: '1.0' }))
    const repos = images.map((i) => i.repository)
    await check('real Zot: presence loop sees nothing in an empty cache, and asks no upstream', async () => {
      const before = await upstream.requestCount()
      assert.deepEqual(await presenceLoop(cache.url, repos, 2), { requests: 3, present: 0 })
      assert.equal((await upstream.requestCount()) - before, 0)
    })
    await check(
      'real Zot: the baseline warms an empty cache (HEAD of a tag syncs the whole image)',
      async () => {
        const stats = await seedWarm(cache.url, [
          ...images,
          { repository: 'docker-images/st/missing', tag: '1.0' },
        ])
        assert.equal(stats.headOk, 3)
        assert.deepEqual(stats.failed, ['docker-images/st/missing:1.0 → 404'])
        assert.deepEqual(await presenceLoop(cache.url, repos, 1), { requests: 3, present: 3 })
      },
    )
    await check(
      'real Zot: the hot baseline still costs upstream requests; the presence loop costs none',
      async () => {
        let before = await upstream.requestCount()
        const stats = await seedWarm(cache.url, images)
        assert.equal(stats.requests, 3)
        assert.ok(
          (await upstream.requestCount()) - before >= 3,
          'each HEAD of a tag should re-check upstream',
        )
        before = await upstream.requestCount()
        await presenceLoop(cache.url, repos, 1)
        assert.equal((await upstream.requestCount()) - before, 0)
      },
    )
    await check('real crane: crane digest -P4 through the cache syncs and prints every digest', async () => {
      const before = await upstream.requestCount()
      const refs = [0, 1, 2].map((i) => `${cache.host}/docker-images/st/img-${i}:1.0`)
      const run = await craneDigests(await craneBinary(), refs, 4)
      assert.ok(run.ok, run.error)
      // Each HEAD of a cached tag re-checks upstream: crane costs upstream requests even on a warm cache.
      assert.ok((await upstream.requestCount()) - before >= 3)
    })
  } finally {
    await cache.stop()
  }
} finally {
  await upstream.stop()
}
process.stderr.write(`selftest: ${checks.length} checks passed\n`)
