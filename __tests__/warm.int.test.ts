// The warm engine against real Zot: two plain upstreams ("docker.io" and "ghcr.io") behind on-demand caches.
// Every assertion states what Zot v2.1.20 really does; upstream request counts come from the upstreams' own
// metrics, so "no request reached upstream" is measured, not assumed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { FoundImage, ImageResult, RegistryMapping } from '../src/model.js'
import { planImages } from '../src/plan/plan.js'
import { parseRegistryMap } from '../src/plan/registry-map.js'
import { ZotClient } from '../src/warm/client.js'
import { warmImages } from '../src/warm/engine.js'
import type { WarmOptions } from '../src/warm/options.js'
import { pushImage } from './support/images.js'
import { found } from './support/references.js'
import { getManifest, listTags, MEDIA, registryRequest } from './support/registry.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const MAP = parseRegistryMap('docker.io: docker-images\nghcr.io: ghcr-images\n')

let hub: ZotServer
let ghcr: ZotServer
/** Converts (preserveDigest off, no compat), like a stock cache config. */
let cache: ZotServer
/** preserveDigest on (+ compat docker2s2). */
let preserve: ZotServer

beforeAll(async () => {
  ;[hub, ghcr] = await Promise.all([startZot({ name: 'hub' }), startZot({ name: 'ghcr' })])
  ;[cache, preserve] = await Promise.all([
    startZot({
      name: 'cache',
      upstreams: [
        { url: hub.url, destination: 'docker-images' },
        { url: ghcr.url, destination: 'ghcr-images' },
      ],
    }),
    startZot({
      name: 'cache-preserve',
      upstreams: [{ url: hub.url, destination: 'docker-images', preserveDigest: true }],
    }),
  ])
})

afterAll(async () => {
  await Promise.all([hub?.stop(), ghcr?.stop(), cache?.stop(), preserve?.stop()])
})

async function warm(
  server: ZotServer,
  images: FoundImage[],
  opts: Partial<WarmOptions> = {},
  map: RegistryMapping[] | 'none' = MAP,
): Promise<ImageResult[]> {
  const client = new ZotClient({ url: server.url })
  try {
    const plan = planImages(images, map === 'none' ? undefined : map, { zotHost: client.host })
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

/** Upstream requests made while `fn` runs, per upstream. */
async function upstreamRequests<T>(fn: () => Promise<T>): Promise<{ result: T; hub: number; ghcr: number }> {
  const [h0, g0] = await Promise.all([hub.requestCount(), ghcr.requestCount()])
  const result = await fn()
  const [h1, g1] = await Promise.all([hub.requestCount(), ghcr.requestCount()])
  return { result, hub: h1 - h0, ghcr: g1 - g0 }
}

function only(results: ImageResult[]): ImageResult {
  expect(results).toHaveLength(1)
  return results[0] as ImageResult
}

describe('Zot facts the engine relies on', () => {
  test('HEAD on the blob of a manifest digest answers locally: present 200, missing 404, upstream not asked', async () => {
    const image = await pushImage(hub.registry(), { repo: 'facts/blob', tag: '1', kind: 'oci' })
    await getManifest(cache.registry(), 'docker-images/facts/blob', '1')
    const { result, hub: asked } = await upstreamRequests(async () => {
      const present = await registryRequest(
        cache.registry(),
        'HEAD',
        `/v2/docker-images/facts/blob/blobs/${image.digest}`,
      )
      const missing = await registryRequest(
        cache.registry(),
        'HEAD',
        `/v2/docker-images/facts/blob/blobs/sha256:${'0'.repeat(64)}`,
      )
      return [present.status, missing.status]
    })
    expect(result).toEqual([200, 404])
    expect(asked).toBe(0)
  })

  test('the search extension knows the digest of a synced tag, without asking upstream', async () => {
    const image = await pushImage(hub.registry(), { repo: 'facts/search', tag: '1', kind: 'oci-index' })
    await getManifest(cache.registry(), 'docker-images/facts/search', '1')
    const { result, hub: asked } = await upstreamRequests(() =>
      registryRequest(cache.registry(), 'POST', '/v2/_zot/ext/search', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: '{ Image(image: "docker-images/facts/search:1") { Digest MediaType } }',
        }),
      }),
    )
    expect(result.status).toBe(200)
    expect(JSON.parse(result.body.toString()).data.Image).toEqual({
      Digest: image.digest,
      MediaType: MEDIA.ociIndex,
    })
    expect(asked).toBe(0)
  })

  test('HEAD by tag through the cache asks upstream every time (why the engine never does it)', async () => {
    await pushImage(hub.registry(), { repo: 'facts/headtag', tag: '1', kind: 'oci' })
    await getManifest(cache.registry(), 'docker-images/facts/headtag', '1')
    const { hub: asked } = await upstreamRequests(() =>
      getManifest(cache.registry(), 'docker-images/facts/headtag', '1', { method: 'HEAD' }),
    )
    expect(asked).toBeGreaterThan(0)
  })
})

describe('warming', () => {
  test('single-arch image: warmed with its platform, then cached with no upstream request', async () => {
    const image = await pushImage(hub.registry(), { repo: 'library/alpine', tag: '3.20', kind: 'oci' })
    const ref = found('docker.io', 'library/alpine', { tag: '3.20' })
    const first = only(await warm(cache, [ref]))
    expect(first).toMatchObject({
      reference: 'docker.io/library/alpine:3.20',
      status: 'warmed',
      zotReference: `docker-images/library/alpine:3.20@${image.digest}`,
      digest: image.digest,
      platforms: ['linux/amd64'],
      attempts: 1,
      warnings: [],
      sources: ref.sources,
    })
    expect(first.error).toBeUndefined()
    const second = await upstreamRequests(() => warm(cache, [ref]))
    expect(only(second.result)).toMatchObject({
      status: 'cached',
      digest: image.digest,
      platforms: ['linux/amd64'],
    })
    expect(second.hub).toBe(0)
  })

  test('OCI index with a platform filter: the required platforms are confirmed', async () => {
    const image = await pushImage(hub.registry(), { repo: 'team/multi', tag: '1', kind: 'oci-index' })
    const ref = found('docker.io', 'team/multi', { tag: '1' })
    const r = only(await warm(cache, [ref], { platforms: ['linux/amd64', 'linux/arm64'] }))
    expect(r).toMatchObject({
      status: 'warmed',
      digest: image.digest,
      platforms: ['linux/amd64', 'linux/arm64'],
    })

    const all = await upstreamRequests(() => warm(cache, [ref]))
    expect(only(all.result)).toMatchObject({
      status: 'cached',
      platforms: ['linux/amd64', 'linux/arm/v7', 'linux/arm64'],
    })
    expect(all.hub).toBe(0)

    const missing = await upstreamRequests(() =>
      warm(cache, [ref], { platforms: ['linux/s390x', 'linux/amd64'] }),
    )
    const m = only(missing.result)
    expect(m.status).toBe('failed')
    expect(m.error).toBe('image does not offer linux/s390x')
    expect(m.diagnosis).toMatch(
      /does not offer linux\/s390x \(it has linux\/amd64, linux\/arm64, linux\/arm\/v7\)/,
    )
    expect(missing.hub).toBe(0)
  })

  test('Docker manifest list with a platform filter: Zot converts it to an OCI index (new digest)', async () => {
    const image = await pushImage(hub.registry(), { repo: 'team/dlist', tag: '1', kind: 'docker-list' })
    const r = only(
      await warm(cache, [found('docker.io', 'team/dlist', { tag: '1' })], { platforms: ['linux/arm/v7'] }),
    )
    expect(r.status).toBe('warmed')
    expect(r.platforms).toEqual(['linux/arm/v7'])
    expect(r.digest).not.toBe(image.digest)
    const stored = await getManifest(cache.registry(), `docker-images/team/dlist`, r.digest as string)
    expect(stored.mediaType).toBe(MEDIA.ociIndex)

    const kept = only(
      await warm(preserve, [found('docker.io', 'team/dlist', { tag: '1' })], { platforms: ['linux/arm/v7'] }),
    )
    expect(kept).toMatchObject({ status: 'warmed', digest: image.digest, platforms: ['linux/arm/v7'] })
  })

  test('attestation index: attestation entries are not platforms', async () => {
    const image = await pushImage(hub.registry(), {
      repo: 'team/attest',
      tag: '1',
      kind: 'attestation-index',
      platforms: ['linux/amd64', 'linux/arm64'],
    })
    const ref = found('docker.io', 'team/attest', { tag: '1' })
    const converted = only(await warm(cache, [ref]))
    expect(converted).toMatchObject({ status: 'warmed', platforms: ['linux/amd64', 'linux/arm64'] })
    // Without preserveDigest Zot moves the attestations out of the index: a new digest.
    expect(converted.digest).not.toBe(image.digest)
    const kept = only(await warm(preserve, [ref]))
    expect(kept).toMatchObject({
      status: 'warmed',
      digest: image.digest,
      platforms: ['linux/amd64', 'linux/arm64'],
    })
  })

  test('mixed index (OCI index over Docker manifests): Zot v2.1.20 accepts it, converting or preserving', async () => {
    const image = await pushImage(hub.registry(), { repo: 'team/mixed', tag: '1', kind: 'mixed-index' })
    const ref = found('docker.io', 'team/mixed', { tag: '1' })
    const converted = only(await warm(cache, [ref], { platforms: ['linux/arm64'] }))
    expect(converted).toMatchObject({ status: 'warmed', platforms: ['linux/arm64'] })
    expect(converted.digest).not.toBe(image.digest)
    const kept = only(await warm(preserve, [ref], { platforms: ['linux/arm64'] }))
    expect(kept).toMatchObject({ status: 'warmed', digest: image.digest, platforms: ['linux/arm64'] })
  })

  test('image missing upstream: failed, with the 404 diagnosis', async () => {
    const r = only(await warm(cache, [found('docker.io', 'team/nothere', { tag: '1' })]))
    expect(r.status).toBe('failed')
    expect(r.error).toMatch(
      /^Zot answered 404 (MANIFEST_UNKNOWN|NAME_UNKNOWN) for docker-images\/team\/nothere:1$/,
    )
    expect(r.diagnosis).toMatch(
      /^Zot answered 404 after syncing docker-images\/team\/nothere:1 \(upstream docker\.io\/team\/nothere\); Zot's log says why \(look for "team\/nothere"\)\. The image is missing upstream/,
    )
    expect(r.diagnosis).toContain('In Zot\'s log, "connection refused", "no such host" or "timeout" means')
    expect(cache.logText()).toMatch(/docker-images\/team\/nothere/)
  })

  test('a registry map that disagrees with Zot: 404, "filtered out by content" in its log, upstream never asked', async () => {
    const map = parseRegistryMap('docker.io=hub-mirror')
    const { result, hub: asked } = await upstreamRequests(() =>
      warm(cache, [found('docker.io', 'library/alpine', { tag: '3.20' })], {}, map),
    )
    const r = only(result)
    expect(r.status).toBe('failed')
    expect(r.zotReference).toBe('hub-mirror/library/alpine:3.20')
    expect(r.diagnosis).toContain('"filtered out by content" from every sync registry means the map is wrong')
    expect(
      cache.logLines(/filtered out by content/).some((l) => l.includes('hub-mirror/library/alpine')),
    ).toBe(true)
    expect(asked).toBe(0)
  })

  test('unmapped registry: planned out, never sent to Zot', async () => {
    const images = [
      found('registry.k8s.io', 'pause', { tag: '3.10' }),
      found('docker.io', 'library/alpine', { tag: '3.20' }),
    ]
    const plan = planImages(images, MAP)
    expect(plan.unmapped.map((u) => u.key)).toEqual(['registry.k8s.io/pause:3.10'])
    expect(plan.images.map((p) => p.zotRepository)).toEqual(['docker-images/library/alpine'])
    const mark = cache.logMark()
    const client = new ZotClient({ url: cache.url })
    try {
      const results = await warmImages(plan.images, client, {
        mode: 'check',
        refresh: false,
        concurrency: 1,
        imageTimeoutMs: 60_000,
      })
      expect(results.map((r) => r.reference)).toEqual(['docker.io/library/alpine:3.20'])
    } finally {
      await client.close()
    }
    expect(cache.logSince(mark).some((l) => l.includes('pause'))).toBe(false)
  })

  test('two upstreams under two prefixes: the same path from each registry is a different image', async () => {
    const [fromHub, fromGhcr] = await Promise.all([
      pushImage(hub.registry(), { repo: 'org/api', tag: '2', kind: 'oci' }),
      pushImage(ghcr.registry(), { repo: 'org/api', tag: '2', kind: 'oci-index' }),
    ])
    const {
      result,
      hub: h,
      ghcr: g,
    } = await upstreamRequests(() =>
      warm(cache, [found('docker.io', 'org/api', { tag: '2' }), found('ghcr.io', 'org/api', { tag: '2' })]),
    )
    expect(result.map((r) => [r.status, r.zotReference])).toEqual([
      ['warmed', `docker-images/org/api:2@${fromHub.digest}`],
      ['warmed', `ghcr-images/org/api:2@${fromGhcr.digest}`],
    ])
    expect(h).toBeGreaterThan(0)
    expect(g).toBeGreaterThan(0)
  })

  test('identical references share one job; repeated repositories one tags/list', async () => {
    await pushImage(hub.registry(), { repo: 'team/shared', tag: 'a', kind: 'oci' })
    await pushImage(hub.registry(), { repo: 'team/shared', tag: 'b', kind: 'oci' })
    const a1 = found('docker.io', 'team/shared', { tag: 'a', line: 1 })
    const a2 = {
      ...found('docker.io', 'team/shared', { tag: 'a', line: 7 }),
      key: 'docker.io/team/shared:a#dup',
    }
    const b = found('docker.io', 'team/shared', { tag: 'b', line: 9 })
    const before = await cache.requestCount()
    const results = await warm(cache, [a1, a2, b])
    const requests = (await cache.requestCount()) - before
    expect(results.map((r) => [r.status, r.sources[0]?.line])).toEqual([
      ['warmed', 1],
      ['warmed', 7],
      ['warmed', 9],
    ])
    expect(results[0]?.digest).toBe(results[1]?.digest)
    // 1 tags/list + per tag (GET by tag + config blob) = 5; a duplicate job would add 2 and a second list 1.
    expect(requests).toBe(5)
  })

  test('check mode never syncs: a missing image fails with a hint, upstream untouched', async () => {
    await pushImage(hub.registry(), { repo: 'team/unchecked', tag: '1', kind: 'oci' })
    const ref = found('docker.io', 'team/unchecked', { tag: '1' })
    const { result, hub: asked } = await upstreamRequests(() => warm(cache, [ref], { mode: 'check' }))
    expect(only(result)).toMatchObject({
      status: 'failed',
      error: 'not in Zot: docker-images/team/unchecked:1',
    })
    expect(only(result).diagnosis).toMatch(/check mode never asks Zot to sync/)
    expect(asked).toBe(0)
    await warm(cache, [ref])
    const again = await upstreamRequests(() => warm(cache, [ref], { mode: 'check' }))
    expect(only(again.result).status).toBe('cached')
    expect(again.hub).toBe(0)
  })

  test('refresh re-fetches a mutable tag through Zot and reports that it moved', async () => {
    const v1 = await pushImage(hub.registry(), { repo: 'team/moving', tag: 'latest', kind: 'oci' })
    const ref = found('docker.io', 'team/moving', { tag: 'latest' })
    expect(only(await warm(cache, [ref])).digest).toBe(v1.digest)
    const v2 = await pushImage(hub.registry(), { repo: 'team/moving', tag: 'latest', kind: 'oci' })

    const stale = await upstreamRequests(() => warm(cache, [ref]))
    expect(only(stale.result)).toMatchObject({ status: 'cached', digest: v1.digest })
    expect(stale.hub).toBe(0)

    const fresh = await upstreamRequests(() => warm(cache, [ref], { refresh: true }))
    expect(only(fresh.result)).toMatchObject({ status: 'warmed', digest: v2.digest })
    expect(only(fresh.result).warnings).toContain(
      `tag latest moved upstream: Zot now serves ${v2.digest} (was ${v1.digest})`,
    )
    expect(fresh.hub).toBeGreaterThan(0)

    const unchanged = only(await warm(cache, [ref], { refresh: true }))
    expect(unchanged).toMatchObject({ status: 'cached', digest: v2.digest, warnings: [] })
  })
})

describe('pinned digests', () => {
  test('tag@digest with preserveDigest on: verified', async () => {
    const image = await pushImage(hub.registry(), { repo: 'team/pinned', tag: '1', kind: 'docker' })
    const ref = found('docker.io', 'team/pinned', { tag: '1', digest: image.digest })
    const r = only(await warm(preserve, [ref]))
    expect(r).toMatchObject({
      status: 'warmed',
      digest: image.digest,
      zotReference: `docker-images/team/pinned:1@${image.digest}`,
      warnings: [],
    })
    const again = await upstreamRequests(() => warm(preserve, [ref]))
    expect(only(again.result).status).toBe('cached')
    expect(again.hub).toBe(0)
  })

  test('tag@digest with preserveDigest off and a Docker image: failed, diagnosed as conversion', async () => {
    const image = await pushImage(hub.registry(), { repo: 'team/pinned-docker', tag: '1', kind: 'docker' })
    const r = only(
      await warm(cache, [found('docker.io', 'team/pinned-docker', { tag: '1', digest: image.digest })]),
    )
    expect(r.status).toBe('failed')
    expect(r.error).toMatch(
      new RegExp(
        `^pinned digest ${image.digest} not in Zot after syncing docker-images/team/pinned-docker:1 \\(the tag resolves to sha256:`,
      ),
    )
    expect(r.digest).toMatch(/^sha256:/)
    expect(r.digest).not.toBe(image.digest)
    expect(r.diagnosis).toContain('Zot converts the image on sync')
    expect(r.diagnosis).toContain('"preserveDigest": true')
    expect(r.diagnosis).toContain('"compat": ["docker2s2"]')
  })

  test('tag@digest of an OCI image works without preserveDigest (nothing to convert)', async () => {
    const image = await pushImage(hub.registry(), { repo: 'team/pinned-oci', tag: '1', kind: 'oci-index' })
    const r = only(
      await warm(cache, [found('docker.io', 'team/pinned-oci', { tag: '1', digest: image.digest })]),
    )
    expect(r).toMatchObject({ status: 'warmed', digest: image.digest, warnings: [] })
  })

  test('the upstream tag moved but the pinned digest is still upstream: fetched by digest, with a warning', async () => {
    // Like Docker Hub after a re-push: the old manifest stays reachable by digest.
    const old = await pushImage(hub.registry(), { repo: 'team/repinned', kind: 'oci', untagged: true })
    const current = await pushImage(hub.registry(), { repo: 'team/repinned', tag: '1', kind: 'oci' })
    const ref = found('docker.io', 'team/repinned', { tag: '1', digest: old.digest })
    const r = only(await warm(cache, [ref]))
    expect(r).toMatchObject({ status: 'warmed', digest: old.digest, platforms: ['linux/amd64'] })
    expect(r.warnings).toEqual([
      `Zot's 1 resolves to ${current.digest}, not the pinned ${old.digest}; the pinned digest was fetched by digest and is stored untagged (garbage collection may remove it)`,
    ])
    const again = await upstreamRequests(() => warm(cache, [ref]))
    expect(only(again.result)).toMatchObject({ status: 'cached', digest: old.digest })
    expect(only(again.result).warnings[0]).toMatch(/the pinned digest is present untagged/)
    expect(again.hub).toBe(0)
  })

  test('the upstream tag moved and the pinned digest is gone upstream: failed, both causes named', async () => {
    // A Zot upstream drops the manifest a re-pushed tag pointed to.
    const old = await pushImage(hub.registry(), { repo: 'team/gone', tag: '1', kind: 'oci' })
    const current = await pushImage(hub.registry(), { repo: 'team/gone', tag: '1', kind: 'oci' })
    const r = only(await warm(preserve, [found('docker.io', 'team/gone', { tag: '1', digest: old.digest })]))
    expect(r.status).toBe('failed')
    expect(r.digest).toBe(current.digest)
    expect(r.diagnosis).toMatch(new RegExp(`^Zot's 1 is ${current.digest}, not the pinned ${old.digest}. `))
    expect(r.diagnosis).toContain('the upstream tag moved')
    // Zot's log has the real reason: the upstream answered 404 for the digest.
    const reason = preserve
      .logLines(/failed to find manifest/)
      .filter((l) => l.includes(`team/gone@${old.digest}`))
    expect(reason.some((l) => l.includes('404'))).toBe(true)
  })

  test('digest-only reference: synced by digest, stored untagged, warned about', async () => {
    const image = await pushImage(hub.registry(), { repo: 'team/bydigest', tag: 'v9', kind: 'oci' })
    const ref = found('docker.io', 'team/bydigest', { digest: image.digest })
    const r = only(await warm(cache, [ref]))
    expect(r).toMatchObject({
      status: 'warmed',
      digest: image.digest,
      zotReference: `docker-images/team/bydigest@${image.digest}`,
      platforms: ['linux/amd64'],
    })
    expect(r.warnings[0]).toMatch(/^digest-only reference: Zot stores it untagged/)
    // What the warning is about: the cache has the manifest but no tag for it.
    const tags = await listTags(cache.registry(), 'docker-images/team/bydigest')
    expect(tags.tags ?? []).not.toContain('v9')
    const again = await upstreamRequests(() => warm(cache, [ref]))
    expect(only(again.result).status).toBe('cached')
    expect(again.hub).toBe(0)
  })
})

describe('flatten mode', () => {
  test('no registry map: images keep their upstream path in a cache without destinations', async () => {
    const flat = await startZot({ name: 'cache-flat', upstreams: [{ url: hub.url, destination: '' }] })
    try {
      const image = await pushImage(hub.registry(), { repo: 'team/flat', tag: '1', kind: 'oci' })
      const r = only(await warm(flat, [found('docker.io', 'team/flat', { tag: '1' })], {}, 'none'))
      expect(r).toMatchObject({ status: 'warmed', zotReference: `team/flat:1@${image.digest}` })
      // An empty prefix in a map means the same.
      const mapped = only(
        await warm(flat, [found('docker.io', 'team/flat', { tag: '1' })], {}, parseRegistryMap('docker.io=')),
      )
      expect(mapped.status).toBe('cached')
    } finally {
      await flat.stop()
    }
  })
})

describe('a second run over a fully warm cache', () => {
  test('every kind of reference is cached and not one request reaches either upstream', async () => {
    const pushed = await Promise.all([
      pushImage(hub.registry(), { repo: 'second/oci', tag: '1', kind: 'oci' }),
      pushImage(hub.registry(), { repo: 'second/docker', tag: '1', kind: 'docker' }),
      pushImage(hub.registry(), { repo: 'second/index', tag: '1', kind: 'oci-index' }),
      pushImage(hub.registry(), { repo: 'second/list', tag: '1', kind: 'docker-list' }),
      pushImage(hub.registry(), { repo: 'second/attest', tag: '1', kind: 'attestation-index' }),
      pushImage(hub.registry(), { repo: 'second/mixed', tag: '1', kind: 'mixed-index' }),
      pushImage(ghcr.registry(), { repo: 'second/ghcr', tag: '1', kind: 'oci-index' }),
      pushImage(hub.registry(), { repo: 'second/pinned', tag: '1', kind: 'oci' }),
      pushImage(hub.registry(), { repo: 'second/bydigest', tag: '1', kind: 'oci' }),
    ])
    const refs = [
      ...pushed.slice(0, 6).map((p) => found('docker.io', p.repo, { tag: '1' })),
      found('ghcr.io', 'second/ghcr', { tag: '1' }),
      found('docker.io', 'second/pinned', { tag: '1', digest: pushed[7]?.digest }),
      found('docker.io', 'second/bydigest', { digest: pushed[8]?.digest }),
    ]
    const opts = { platforms: ['linux/amd64', 'linux/arm64'] }
    // Single-arch images only have linux/amd64: warm those without the filter.
    const singles = new Set(['second/oci', 'second/docker', 'second/pinned', 'second/bydigest'])
    const run = async () => [
      ...(await warm(
        cache,
        refs.filter((r) => singles.has(r.reference?.path ?? '')),
      )),
      ...(await warm(
        cache,
        refs.filter((r) => !singles.has(r.reference?.path ?? '')),
        opts,
      )),
    ]
    const first = await run()
    expect(first.map((r) => r.status)).toEqual(Array(9).fill('warmed'))
    const second = await upstreamRequests(run)
    expect(second.result.map((r) => [r.reference, r.status])).toEqual(
      first.map((r) => [r.reference, 'cached']),
    )
    expect(second.result.map((r) => r.digest)).toEqual(first.map((r) => r.digest))
    expect(second.hub).toBe(0)
    expect(second.ghcr).toBe(0)
  })

  test('without the search extension too (platforms then unverified, with a warning)', async () => {
    const plain = await startZot({
      name: 'cache-nosearch',
      search: false,
      upstreams: [{ url: hub.url, destination: 'docker-images' }],
    })
    try {
      const image = await pushImage(hub.registry(), { repo: 'second/nosearch', tag: '1', kind: 'oci-index' })
      const pin = await pushImage(hub.registry(), { repo: 'second/nosearch-pin', tag: '1', kind: 'oci' })
      const refs = [
        found('docker.io', 'second/nosearch', { tag: '1' }),
        found('docker.io', 'second/nosearch-pin', { tag: '1', digest: pin.digest }),
      ]
      const first = await warm(plain, refs)
      expect(first.map((r) => [r.status, r.digest])).toEqual([
        ['warmed', image.digest],
        ['warmed', pin.digest],
      ])
      const second = await upstreamRequests(() => warm(plain, refs))
      expect(second.result.map((r) => r.status)).toEqual(['cached', 'cached'])
      expect(second.result[0]?.warnings[0]).toMatch(/^platforms not verified: Zot's search extension is off/)
      // A pin is still verified: its digest is tested locally.
      expect(second.result[1]).toMatchObject({ digest: pin.digest, platforms: ['linux/amd64'], warnings: [] })
      expect(second.hub).toBe(0)
    } finally {
      await plain.stop()
    }
  })
})
