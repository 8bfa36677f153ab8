// runPipeline against a real upstream + cache Zot: warm then check, the log phases, and the progress
// heartbeat while an image takes long (a delay proxy holds the upstream's blobs back).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../src/inputs/config.js'
import type { Logger } from '../src/logger.js'
import { runPipeline } from '../src/pipeline.js'
import { decideOutcome } from '../src/report/outcome.js'
import { type DelayProxy, startDelayProxy } from './support/delay-proxy.js'
import { pushImages } from './support/images.js'
import { tempDir } from './support/temp.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

let upstream: ZotServer
let slow: ZotServer
let proxy: DelayProxy
let cache: ZotServer
let ws: string

beforeAll(async () => {
  ;[upstream, slow] = await Promise.all([startZot({ name: 'upstream' }), startZot({ name: 'upstream-slow' })])
  proxy = await startDelayProxy(slow.url, { delayMs: 0 })
  cache = await startZot({
    name: 'cache',
    upstreams: [
      { url: upstream.url, destination: 'hub' },
      { url: proxy.url, destination: 'slow' },
    ],
  })
  await pushImages(upstream.registry(), [
    { repo: 'library/nginx', tag: '1.27', kind: 'oci-index', platforms: ['linux/amd64', 'linux/arm64'] },
    { repo: 'library/redis', tag: '7.4', kind: 'oci' },
  ])
  await pushImages(slow.registry(), [{ repo: 'big/image', tag: '1', kind: 'oci' }])
  ws = tempDir('zot-warm-pipe-int-')
  writeFileSync(
    join(ws, 'images.yaml'),
    'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27\n    - name: b\n      image: redis:7.4\n    - name: c\n      image: redis:0.0-missing\n',
  )
  writeFileSync(
    join(ws, 'slow.yaml'),
    'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: slow.example/big/image:1\n',
  )
})

afterAll(async () => {
  await proxy?.stop()
})

function recorder() {
  const lines: string[] = []
  const logger: Logger = {
    info: (m) => lines.push(`info ${m}`),
    warning: (m) => lines.push(`warning ${m}`),
    debug: () => {},
    group: async (name, fn) => {
      lines.push(`group ${name}`)
      return fn()
    },
    progress: (m) => lines.push(`progress ${m}`),
  }
  return { lines, logger }
}

const config = (inputs: Record<string, string>) =>
  parseConfig(
    (n) => ({ 'zot-url': cache.url, 'registry-map': 'docker.io: hub\nslow.example: slow', ...inputs })[n],
    {
      workspace: ws,
    },
  ).config

describe('runPipeline with a real Zot', () => {
  it('check reports what is missing without syncing; warm syncs it; check then finds it cached', async () => {
    const before = await upstream.requestCount()
    const check = await runPipeline(config({ mode: 'check', paths: 'images.yaml' }), recorder())
    expect(check.results.map((r) => r.status)).toEqual(['failed', 'failed', 'failed'])
    expect(await upstream.requestCount()).toBe(before)
    expect(check.zot?.url).toBe(cache.url)

    const { lines, logger } = recorder()
    const warm = await runPipeline(config({ paths: 'images.yaml' }), { logger })
    expect(warm.results.map((r) => `${r.reference} ${r.status}`)).toEqual([
      'docker.io/library/nginx:1.27 warmed',
      'docker.io/library/redis:7.4 warmed',
      'docker.io/library/redis:0.0-missing failed',
    ])
    expect(warm.results[0]?.platforms?.sort()).toEqual(['linux/amd64', 'linux/arm64'])
    expect(decideOutcome(warm)).toMatchObject({ exitCode: 2, reason: '1 image failed' })
    expect(lines.filter((l) => l.startsWith('group '))).toEqual([
      'group Find image references',
      'group Map images to Zot',
      'group Connect to Zot',
      'group Warm 3 images',
    ])
    expect(lines.filter((l) => l.startsWith('progress [')).length).toBe(3)
    expect(lines).toContainEqual(
      expect.stringMatching(/^progress \[\d\/3\] failed docker\.io\/library\/redis:0\.0-missing/),
    )

    const again = await runPipeline(config({ mode: 'check', paths: 'images.yaml' }), recorder())
    expect(again.results.map((r) => r.status)).toEqual(['cached', 'cached', 'failed'])
  })

  it('a long sync gets heartbeat lines naming the image it waits for', async () => {
    proxy.setDelay(3000, /^GET \/v2\/.+\/blobs\//)
    try {
      const { lines, logger } = recorder()
      const run = await runPipeline(config({ paths: 'slow.yaml' }), { logger, progressIntervalMs: 500 })
      expect(run.results[0]?.status).toBe('warmed')
      const heartbeats = lines.filter((l) =>
        /^progress \[0\/1\] .* elapsed; in progress: slow\.example\/big\/image:1$/.test(l),
      )
      expect(heartbeats.length).toBeGreaterThan(0)
    } finally {
      proxy.setDelay(0)
    }
  })
})
