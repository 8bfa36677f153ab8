// The batched search look-ahead against real Zot: what Zot's search answers to a batch, that the batch path
// reports exactly what the per-image path reports (every image kind, platform filters with and without
// variants, an arm entry whose config lacks its variant, pins, check mode), and what a warm run costs in
// requests to the cache. The per-image path is forced by a relay that fails the first (batched) search.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { FoundImage, ImageResult } from '../src/model.js'
import { planImages } from '../src/plan/plan.js'
import { parseRegistryMap } from '../src/plan/registry-map.js'
import { ZotClient } from '../src/warm/client.js'
import { warmImages } from '../src/warm/engine.js'
import type { WarmOptions } from '../src/warm/options.js'
import { searchImages } from '../src/warm/search.js'
import { type FaultRelay, startFaultRelay } from './support/fault-relay.js'
import { type PushedImage, pushImage, pushImages } from './support/images.js'
import { found } from './support/references.js'
import { getManifest, MEDIA, registryRequest } from './support/registry.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const MAP = parseRegistryMap('docker.io: docker-images\n')
const SEARCH = /^POST \/v2\/_zot\/ext\/search/

let hub: ZotServer
let cache: ZotServer
let relay: FaultRelay

beforeAll(async () => {
  hub = await startZot({ name: 'hub' })
  cache = await startZot({ name: 'cache', upstreams: [{ url: hub.url, destination: 'docker-images' }] })
  relay = await startFaultRelay(cache.url)
})

afterAll(async () => {
  await relay?.stop()
  await Promise.all([hub?.stop(), cache?.stop()])
})

async function warm(
  url: string,
  images: FoundImage[],
  opts: Partial<WarmOptions> = {},
): Promise<ImageResult[]> {
  const client = new ZotClient({ url })
  try {
    const plan = planImages(images, MAP)
    expect(plan.unmapped).toEqual([])
    return await warmImages(plan.images, client, {
      mode: 'warm',
      refresh: false,
      concurrency: 4,
      imageTimeoutMs: 60_000,
      ...opts,
    })
  } finally {
    await client.close()
  }
}

/** The same run on the per-image path: the relay fails the first search request (the look-ahead's probe). */
async function perImage(images: FoundImage[], opts: Partial<WarmOptions> = {}): Promise<ImageResult[]> {
  const before = relay.requests(SEARCH).length
  const rule = relay.inject({ match: SEARCH, fault: { kind: 'status', status: 500 }, times: 1 })
  try {
    const results = await warm(relay.url, images, opts)
    // Not vacuous: the probe failed and the images asked search one by one.
    expect(rule.hits).toBe(1)
    expect(relay.requests(SEARCH).length - before).toBeGreaterThan(1)
    return results
  } finally {
    rule.remove()
  }
}

/** Everything a result reports except its duration. */
const comparable = (results: ImageResult[]) => results.map(({ durationMs: _, ...r }) => r)

/**
 * An index whose arm entry says linux/arm/v7 while that image's config names no variant (older builds do
 * this): search, which reports config platforms, says linux/arm.
 */
async function pushVariantlessArmIndex(repo: string, tag: string): Promise<string> {
  const [amd, arm] = await Promise.all([
    pushImage(hub.registry(), { repo, kind: 'oci', platforms: ['linux/amd64'], untagged: true }),
    pushImage(hub.registry(), { repo, kind: 'oci', platforms: ['linux/arm'], untagged: true }),
  ])
  const entry = async (image: PushedImage, platform: object) => ({
    mediaType: MEDIA.ociManifest,
    digest: image.digest,
    size: (await getManifest(hub.registry(), repo, image.digest)).body.length,
    platform,
  })
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.ociIndex,
    manifests: [
      await entry(amd, { os: 'linux', architecture: 'amd64' }),
      await entry(arm, { os: 'linux', architecture: 'arm', variant: 'v7' }),
    ],
  }
  const res = await registryRequest(hub.registry(), 'PUT', `/v2/${repo}/manifests/${tag}`, {
    headers: { 'content-type': MEDIA.ociIndex },
    body: JSON.stringify(index),
  })
  expect(res.status).toBe(201)
  return String(res.headers['docker-content-digest'])
}

describe('what Zot v2.1.20 search answers to a batch', () => {
  test('Arch carries the variant; a name it does not hold is asked around, not failed; upstream untouched', async () => {
    const index = await pushImage(hub.registry(), { repo: 'facts/index', tag: '1', kind: 'oci-index' })
    await getManifest(cache.registry(), 'docker-images/facts/index', '1')
    const h0 = await hub.requestCount()
    const client = new ZotClient({ url: cache.url })
    try {
      const known = 'docker-images/facts/index:1'
      const answer = await searchImages(client, [known, 'docker-images/facts/index:nope', known])
      expect(answer.attempts).toBe(2)
      if (!answer.ok) throw new Error(`search refused: ${answer.refusal.status}`)
      expect(answer.value.kind).toBe('answered')
      const held = answer.value.kind === 'answered' ? answer.value.found : new Map()
      expect([...held.keys()]).toEqual([0, 2])
      const platform = (text = '') => {
        const [os, architecture, variant] = text.split('/')
        return variant ? { os, architecture, variant } : { os, architecture }
      }
      expect(held.get(0)).toEqual({
        digest: index.digest,
        mediaType: MEDIA.ociIndex,
        manifests: index.manifests.map((m) => ({
          digest: m.digest,
          artifactType: MEDIA.ociConfig,
          platform: platform(m.platform),
        })),
      })
      expect(held.get(0)?.manifests.map((m: { platform: object }) => m.platform)).toContainEqual({
        os: 'linux',
        architecture: 'arm',
        variant: 'v7',
      })
    } finally {
      await client.close()
    }
    expect(await hub.requestCount()).toBe(h0)
  })
})

describe('the batch path reports what the per-image path reports', () => {
  let zoo: FoundImage[]

  beforeAll(async () => {
    const kinds = ['oci', 'docker', 'oci-index', 'docker-list', 'attestation-index', 'mixed-index'] as const
    const pushed = await pushImages(hub.registry(), [
      ...kinds.map((kind) => ({ repo: `zoo/${kind}`, tag: '1', kind })),
      { repo: 'zoo/armv6', tag: '1', kind: 'oci', platforms: ['linux/arm/v6'] },
      { repo: 'zoo/pinned', tag: '1', kind: 'oci-index' },
      { repo: 'zoo/bydigest', tag: '1', kind: 'oci' },
    ])
    await pushVariantlessArmIndex('zoo/novariant', '1')
    zoo = [
      ...kinds.map((kind) => found('docker.io', `zoo/${kind}`, { tag: '1' })),
      found('docker.io', 'zoo/armv6', { tag: '1' }),
      found('docker.io', 'zoo/novariant', { tag: '1' }),
      found('docker.io', 'zoo/pinned', { tag: '1', digest: pushed[7]?.digest }),
      found('docker.io', 'zoo/bydigest', { digest: pushed[8]?.digest }),
    ]
    const first = await warm(cache.url, zoo)
    expect(first.map((r) => [r.reference, r.status])).toEqual(zoo.map((z) => [z.key, 'warmed']))
  })

  test.each<[string, Partial<WarmOptions>]>([
    ['every platform', {}],
    ['linux/amd64 + linux/arm64', { platforms: ['linux/amd64', 'linux/arm64'] }],
    ['linux/arm/v7 (a variant)', { platforms: ['linux/arm/v7'] }],
    ['linux/arm (any variant)', { platforms: ['linux/arm'] }],
    ['linux/s390x (nobody has it)', { platforms: ['linux/s390x'] }],
    ['check mode', { mode: 'check' }],
    ['check mode, linux/arm/v7', { mode: 'check', platforms: ['linux/arm/v7'] }],
  ])('%s', async (_, opts) => {
    const h0 = await hub.requestCount()
    const s0 = relay.requests(SEARCH).length
    const batch = await warm(cache.url, zoo, opts)
    const per = await perImage(zoo, opts)
    expect(await hub.requestCount()).toBe(h0)
    expect(comparable(batch)).toEqual(comparable(per))
    // The batch run went to the cache directly, so none of its searches crossed the relay.
    expect(relay.requests(SEARCH).length - s0).toBeGreaterThan(0)
  })

  test('what both report: variants from the index entries, the variant-less arm config included', async () => {
    const byPath = (results: ImageResult[]) =>
      Object.fromEntries(
        results.map((r) => [r.reference.replace('docker.io/zoo/', ''), [r.status, r.platforms]]),
      )
    expect(byPath(await warm(cache.url, zoo))).toMatchObject({
      'oci:1': ['cached', ['linux/amd64']],
      'oci-index:1': ['cached', ['linux/amd64', 'linux/arm/v7', 'linux/arm64']],
      'attestation-index:1': ['cached', ['linux/amd64', 'linux/arm/v7', 'linux/arm64']],
      'armv6:1': ['cached', ['linux/arm/v6']],
      'novariant:1': ['cached', ['linux/amd64', 'linux/arm/v7']],
    })
    const v7 = await warm(cache.url, zoo, { platforms: ['linux/arm/v7'] })
    expect(byPath(v7)).toMatchObject({
      'oci-index:1': ['cached', ['linux/arm/v7']],
      'novariant:1': ['cached', ['linux/arm/v7']],
      'armv6:1': ['failed', undefined],
    })
    expect(v7.find((r) => r.reference.includes('armv6'))?.error).toBe(
      'single-platform image (linux/arm/v6) lacks required linux/arm/v7',
    )
  })
})

describe('requests to the cache for a warm run', () => {
  const singles = Array.from({ length: 20 }, (_, i) => `count/single-${i}`)
  const multis = Array.from({ length: 5 }, (_, i) => `count/multi-${i}`)
  const singleRefs = singles.map((repo) => found('docker.io', repo, { tag: '1' }))
  const multiRefs = multis.flatMap((repo) => ['1', '2'].map((tag) => found('docker.io', repo, { tag })))
  const all = [...singleRefs, ...multiRefs]

  beforeAll(async () => {
    await pushImages(hub.registry(), [
      ...singles.map((repo) => ({ repo, tag: '1', kind: 'oci' as const })),
      ...multis.flatMap((repo) => ['1', '2'].map((tag) => ({ repo, tag, kind: 'oci-index' as const }))),
    ])
    const first = await warm(cache.url, all)
    expect(first.map((r) => r.status)).toEqual(Array(30).fill('warmed'))
  })

  /** Requests the cache and the upstream answered while `fn` ran. */
  async function cost(fn: () => Promise<ImageResult[]>) {
    const [c0, h0] = await Promise.all([cache.requestCount(), hub.requestCount()])
    const results = await fn()
    const [c1, h1] = await Promise.all([cache.requestCount(), hub.requestCount()])
    return { results, cache: c1 - c0, upstream: h1 - h0 }
  }

  test('30 images in 25 repositories: 25 tags/list + 1 search, nothing per image', async () => {
    const run = await cost(() => warm(cache.url, all))
    expect(run.results.map((r) => r.status)).toEqual(Array(30).fill('cached'))
    expect(run.results.slice(20).every((r) => r.platforms?.length === 3)).toBe(true)
    expect(run.cache).toBe(25 + 1)
    expect(run.upstream).toBe(0)
  })

  test('batches of 8: 25 tags/list + 4 searches', async () => {
    const run = await cost(() => warm(cache.url, all, { searchBatch: 8 }))
    expect(run.results.map((r) => r.status)).toEqual(Array(30).fill('cached'))
    expect(run.cache).toBe(25 + Math.ceil(30 / 8))
    expect(run.upstream).toBe(0)
  })

  test('a filter with a variant reads each index once (its entries), and nothing more', async () => {
    const run = await cost(() => warm(cache.url, multiRefs, { platforms: ['linux/arm/v7'] }))
    expect(run.results.map((r) => [r.status, r.platforms])).toEqual(
      Array(10).fill(['cached', ['linux/arm/v7']]),
    )
    // 5 tags/list + 1 search + 10 index GETs by digest; search lists every child, so no HEADs.
    expect(run.cache).toBe(5 + 1 + 10)
    expect(run.upstream).toBe(0)
  })

  test('the per-image path, for comparison: per image a search, the manifest, and a config or child HEADs', async () => {
    const run = await cost(() => perImage(all))
    expect(run.results.map((r) => r.status)).toEqual(Array(30).fill('cached'))
    // The failed probe never reached the cache. 25 tags/list; 30 searches; 30 manifests by digest;
    // 20 configs; 10 indexes × 3 child HEADs.
    expect(run.cache).toBe(25 + 30 + 30 + 20 + 30)
    expect(run.upstream).toBe(0)
  })
})
