// Long syncs against real Zot: a writeTimeout shorter than the sync (connection closed, the image appears later),
// an image timeout shorter than the sync, a real 404 behind the same short writeTimeout, and cancellation.
// The "large image" is made slow by a delay proxy between the cache and its upstream.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { FoundImage, ImageResult } from '../src/model.js'
import { planImages } from '../src/plan/plan.js'
import { parseRegistryMap } from '../src/plan/registry-map.js'
import { ZotClient } from '../src/warm/client.js'
import { warmImages } from '../src/warm/engine.js'
import type { ProgressEvent, WarmOptions } from '../src/warm/options.js'
import { type DelayProxy, startDelayProxy } from './support/delay-proxy.js'
import { pushImage } from './support/images.js'
import { found } from './support/references.js'
import { listTags } from './support/registry.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const MAP = parseRegistryMap('docker.io=slow')
const BLOBS = /^GET \/v2\/.+\/blobs\//

let hub: ZotServer
let proxy: DelayProxy
/** writeTimeout 1s: Zot hangs up on syncs longer than that. */
let shortWrite: ZotServer
/** writeTimeout 0s: Zot answers whenever the sync ends. */
let patient: ZotServer

beforeAll(async () => {
  hub = await startZot({ name: 'hub' })
  proxy = await startDelayProxy(hub.url, { delayMs: 0, match: BLOBS })
  ;[shortWrite, patient] = await Promise.all([
    startZot({
      name: 'cache-short-write',
      writeTimeout: '1s',
      upstreams: [{ url: proxy.url, destination: 'slow' }],
    }),
    startZot({
      name: 'cache-patient',
      writeTimeout: '0s',
      upstreams: [{ url: proxy.url, destination: 'slow' }],
    }),
  ])
})

afterAll(async () => {
  await Promise.all([hub?.stop(), shortWrite?.stop(), patient?.stop(), proxy?.stop()])
})

async function warm(
  server: ZotServer,
  images: FoundImage[],
  opts: Partial<WarmOptions> = {},
): Promise<ImageResult[]> {
  const client = new ZotClient({ url: server.url })
  try {
    return await warmImages(planImages(images, MAP).images, client, {
      mode: 'warm',
      refresh: false,
      concurrency: 2,
      imageTimeoutMs: 60_000,
      poll: { initialDelayMs: 200, maxDelayMs: 1000 },
      ...opts,
    })
  } finally {
    await client.close()
  }
}

describe('a sync longer than Zot’s writeTimeout', () => {
  test('the connection closes, the engine polls, and the image is reported warmed', async () => {
    const image = await pushImage(hub.registry(), {
      repo: 'team/large',
      tag: '1',
      kind: 'oci-index',
      layers: 2,
      layerSize: 512 * 1024,
    })
    proxy.setDelay(800, BLOBS)
    const delayedBefore = proxy.delayed
    try {
      const [r] = await warm(shortWrite, [found('docker.io', 'team/large', { tag: '1' })])
      expect(r).toMatchObject({
        status: 'warmed',
        digest: image.digest,
        platforms: ['linux/amd64', 'linux/arm/v7', 'linux/arm64'],
      })
      expect(r?.warnings).toContain(
        'Zot closed the connection during the sync (its http.writeTimeout is shorter than the sync); the image appeared while polling. Set "writeTimeout": "0s" in Zot\'s http config for large images.',
      )
      expect(proxy.delayed - delayedBefore).toBeGreaterThanOrEqual(6)
    } finally {
      proxy.setDelay(0)
    }
  })

  test('a real 404 behind the same cache is a failure at once, not a long sync', async () => {
    const [r] = await warm(shortWrite, [found('docker.io', 'team/absent', { tag: '1' })], {
      imageTimeoutMs: 600_000,
    })
    expect(r?.status).toBe('failed')
    expect(r?.error).toMatch(/^Zot answered 404 /)
    expect(r?.warnings).toEqual([])
    expect(r?.attempts).toBe(1)
  })
})

describe('the image timeout', () => {
  test('ends a sync that takes longer; the diagnosis says Zot may finish in the background', async () => {
    await pushImage(hub.registry(), { repo: 'team/sluggish', tag: '1', kind: 'oci' })
    proxy.setDelay(3000, BLOBS)
    try {
      const [r] = await warm(patient, [found('docker.io', 'team/sluggish', { tag: '1' })], {
        imageTimeoutMs: 1000,
      })
      expect(r?.status).toBe('failed')
      expect(r?.error).toBe('no result within the image timeout (1s)')
      expect(r?.diagnosis).toMatch(
        /^No answer from Zot within the image timeout \(1s\); a large image may still be syncing/,
      )
      // Zot finishes the sync on its own (the client hanging up does not cancel it).
      let tags: string[] | undefined
      for (let i = 0; i < 100 && !tags?.includes('1'); i++) {
        tags = (await listTags(patient.registry(), 'slow/team/sluggish')).tags
        if (!tags?.includes('1')) await sleep(100)
      }
      expect(tags).toContain('1')
    } finally {
      proxy.setDelay(0)
    }
  })
})

describe('cancellation', () => {
  test('stops scheduling, cuts the image in flight, and reports every image', async () => {
    const names = ['team/c1', 'team/c2', 'team/c3']
    await Promise.all(names.map((repo) => pushImage(hub.registry(), { repo, tag: '1', kind: 'oci' })))
    proxy.setDelay(5000, BLOBS)
    const controller = new AbortController()
    const events: ProgressEvent[] = []
    try {
      const results = await warm(
        patient,
        names.map((n, i) => found('docker.io', n, { tag: '1', line: i + 1 })),
        {
          concurrency: 1,
          signal: controller.signal,
          onProgress: (e) => {
            events.push(e)
            // Cancel once the first image is waiting for Zot's sync.
            if (e.type === 'start') setTimeout(() => controller.abort('overall timeout'), 300)
          },
        },
      )
      expect(results.map((r) => [r.reference, r.status])).toEqual([
        ['docker.io/team/c1:1', 'not-attempted'],
        ['docker.io/team/c2:1', 'not-attempted'],
        ['docker.io/team/c3:1', 'not-attempted'],
      ])
      expect(results[0]?.error).toMatch(
        /^cancelled \(overall timeout or signal\) before Zot confirmed the image/,
      )
      expect(results[0]?.attempts).toBe(1)
      expect(results[1]).toMatchObject({ attempts: 0, durationMs: 0 })
      expect(results[1]?.error).toMatch(/before this image started/)
      expect(results.map((r) => r.sources[0]?.line)).toEqual([1, 2, 3])
      expect(events.map((e) => `${e.type} ${e.reference}`)).toEqual([
        'start docker.io/team/c1:1',
        'finish docker.io/team/c1:1',
      ])
    } finally {
      proxy.setDelay(0)
    }
  })
})
