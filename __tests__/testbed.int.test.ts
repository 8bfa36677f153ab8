// Proves the real-Zot test bed: servers start, sync on demand, count requests, enforce auth, serve TLS,
// restart on the same port, and documents what Zot v2.1.20 does with each generated image kind.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startDelayProxy } from './support/delay-proxy.js'
import { type ImageKind, type PushedImage, pushImage, pushImages } from './support/images.js'
import { getManifest, listTags, MEDIA, registryRequest } from './support/registry.js'
import { otherCaPem } from './support/tls.js'
import { recentZots, startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('upstream + on-demand cache', () => {
  let upstream: ZotServer
  let cache: ZotServer

  beforeAll(async () => {
    ;[upstream, cache] = await Promise.all([
      startZot({ name: 'upstream' }),
      startZot({ name: 'placeholder' }),
    ])
    // The cache needs the upstream's URL, so it is started after it; the placeholder proves parallel starts.
    await cache.stop()
    cache = await startZot({
      name: 'cache',
      upstreams: [{ url: upstream.url, destination: 'docker-images' }],
    })
  })

  test('a manifest GET at the mapped path syncs from upstream; tags/list at the cache never asks upstream', async () => {
    const image = await pushImage(upstream.registry(), { repo: 'team/app', tag: '1.0', kind: 'oci' })
    expect(image.mediaType).toBe(MEDIA.ociManifest)

    const before = await upstream.requestCount()
    expect(await listTags(cache.registry(), 'docker-images/team/app')).toEqual({
      status: 404,
      tags: undefined,
    })
    expect(await upstream.requestCount()).toBe(before)

    const got = await getManifest(cache.registry(), 'docker-images/team/app', '1.0')
    expect(got.status).toBe(200)
    expect(got.digest).toBe(image.digest)
    const afterSync = await upstream.requestCount()
    expect(afterSync).toBeGreaterThan(before)

    expect(await listTags(cache.registry(), 'docker-images/team/app')).toEqual({ status: 200, tags: ['1.0'] })
    expect(await upstream.requestCount()).toBe(afterSync)
    // Blobs of a synced image come from the cache's own storage.
    const blob = image.blobs[0]
    if (!blob) throw new Error('image has no blobs')
    const res = await registryRequest(
      cache.registry(),
      'GET',
      `/v2/docker-images/team/app/blobs/${blob.digest}`,
    )
    expect(res.status).toBe(200)
    expect(res.body.length).toBe(blob.size)
    expect(await upstream.requestCount()).toBe(afterSync)
  })

  test('a cached tag is re-checked upstream on GET and HEAD (1 + P manifests); HEAD by digest stays local', async () => {
    const image = await pushImage(upstream.registry(), { repo: 'team/multi', tag: 'v2', kind: 'oci-index' })
    await getManifest(cache.registry(), 'docker-images/team/multi', 'v2')
    const perCheck = 1 + image.manifests.length
    for (const method of ['GET', 'HEAD'] as const) {
      const before = await upstream.requestCount()
      const got = await getManifest(cache.registry(), 'docker-images/team/multi', 'v2', { method })
      expect(got.digest).toBe(image.digest)
      expect((await upstream.requestCount()) - before).toBe(perCheck)
    }
    const before = await upstream.requestCount()
    const head = await getManifest(cache.registry(), 'docker-images/team/multi', image.digest, {
      method: 'HEAD',
    })
    expect(head.status).toBe(200)
    expect(await upstream.requestCount()).toBe(before)
  })

  test('requestCount counts every served request except the /metrics scrape', async () => {
    const before = await upstream.requestCount()
    expect(await upstream.requestCount()).toBe(before)
    await registryRequest(upstream.registry(), 'GET', '/v2/')
    await registryRequest(upstream.registry(), 'GET', '/v2/nope/tags/list')
    expect(await upstream.requestCount()).toBe(before + 2)
  })

  test('a repository outside every mapping is 404 and the upstream is not asked', async () => {
    await pushImage(upstream.registry(), { repo: 'lonely', kind: 'oci' })
    const before = await upstream.requestCount()
    const got = await getManifest(cache.registry(), 'lonely', 'latest')
    expect(got.status).toBe(404)
    expect(await upstream.requestCount()).toBe(before)
  })

  test('two upstreams behind one cache by prefix, and a flattening cache', async () => {
    const other = await startZot({ name: 'upstream-ghcr' })
    const [two, flat] = await Promise.all([
      startZot({
        name: 'cache-two',
        upstreams: [
          { url: upstream.url, destination: 'docker-images' },
          { url: other.url, destination: 'ghcr-images' },
        ],
      }),
      startZot({ name: 'cache-flat', upstreams: [{ url: upstream.url, destination: '' }] }),
    ])
    try {
      const [a, b] = await Promise.all([
        pushImage(upstream.registry(), { repo: 'library/nginx', tag: '1.27', kind: 'oci' }),
        pushImage(other.registry(), { repo: 'acme/api', tag: '1.0', kind: 'oci' }),
      ])
      expect((await getManifest(two.registry(), 'docker-images/library/nginx', '1.27')).digest).toBe(a.digest)
      expect((await getManifest(two.registry(), 'ghcr-images/acme/api', '1.0')).digest).toBe(b.digest)
      expect((await getManifest(two.registry(), 'ghcr-images/library/nginx', '1.27')).status).toBe(404)
      expect((await getManifest(flat.registry(), 'library/nginx', '1.27')).digest).toBe(a.digest)
    } finally {
      await Promise.all([other.stop(), two.stop(), flat.stop()])
    }
  })

  test('kill() then restart() keeps port and storage', async () => {
    const image = await pushImage(upstream.registry(), { repo: 'restart/me', kind: 'oci' })
    const { port, url } = upstream
    const oldPid = upstream.pid as number
    upstream.kill()
    await expect(registryRequest(upstream.registry(), 'GET', '/v2/')).rejects.toThrow()
    await upstream.restart()
    expect(upstream.port).toBe(port)
    expect(upstream.url).toBe(url)
    expect(upstream.pid).not.toBe(oldPid)
    expect(alive(oldPid)).toBe(false)
    expect((await getManifest(upstream.registry(), 'restart/me', 'latest')).digest).toBe(image.digest)
    expect(upstream.logLines(/restart on port/)).toHaveLength(1)
  })

  test('logs are kept per server', () => {
    expect(cache.logLines(/"HTTP API"/).length).toBeGreaterThan(0)
    expect(cache.logText()).toContain('docker-images/team/app')
  })
})

describe('stop()', () => {
  test('kills the process and removes the temp dir, and is idempotent', async () => {
    const z = await startZot({ name: 'short-lived' })
    const pid = z.pid as number
    expect(alive(pid)).toBe(true)
    expect(existsSync(z.configPath)).toBe(true)
    await z.stop()
    await z.stop()
    expect(alive(pid)).toBe(false)
    expect(existsSync(z.rootDir)).toBe(false)
    expect(z.running).toBe(false)
  })

  test('a config Zot refuses fails start-up with its log', async () => {
    await expect(
      startZot({ name: 'broken', mutateConfig: (c) => Object.assign(c.http, { notAKey: true }) }),
    ).rejects.toThrow(/exited during start-up/)
  })
})

describe('basic auth', () => {
  let zot: ZotServer
  beforeAll(async () => {
    zot = await startZot({
      name: 'auth',
      auth: { users: { alice: 'alice-pw', reader: 'reader-pw' }, readOnlyUsers: ['reader'] },
    })
  })

  test('401 without or with wrong credentials, 200 with them', async () => {
    const anon = await registryRequest({ url: zot.url }, 'GET', '/v2/')
    expect(anon.status).toBe(401)
    expect(anon.headers['www-authenticate']).toMatch(/^Basic realm="zot"/)
    const wrong = await registryRequest({ url: zot.url, username: 'alice', password: 'nope' }, 'GET', '/v2/')
    expect(wrong.status).toBe(401)
    expect((await registryRequest(zot.registry('alice'), 'GET', '/v2/')).status).toBe(200)
  })

  test('writers push, read-only users read but cannot push, anonymous cannot read', async () => {
    const image = await pushImage(zot.registry('alice'), { repo: 'private/app', kind: 'oci' })
    expect((await getManifest(zot.registry('reader'), 'private/app', 'latest')).digest).toBe(image.digest)
    await expect(pushImage(zot.registry('reader'), { repo: 'private/app', kind: 'oci' })).rejects.toThrow(
      /403/,
    )
    expect((await getManifest({ url: zot.url }, 'private/app', 'latest')).status).toBe(401)
    expect(await zot.requestCount()).toBeGreaterThan(0)
  })
})

describe('basic auth with anonymous read', () => {
  test('anonymous reads, anonymous push is refused, wrong credentials are still 401', async () => {
    const zot = await startZot({ name: 'anon', auth: { users: { alice: 'pw' }, anonymousRead: true } })
    try {
      const image = await pushImage(zot.registry('alice'), { repo: 'public/app', kind: 'oci' })
      const got = await getManifest({ url: zot.url }, 'public/app', 'latest')
      expect(got.status).toBe(200)
      expect(got.digest).toBe(image.digest)
      await expect(pushImage({ url: zot.url }, { repo: 'public/app', kind: 'oci' })).rejects.toThrow(/401/)
      // GET /v2/ answers 200 anonymously here, yet still carries a (lower-case, unquoted) Basic challenge.
      const base = await registryRequest({ url: zot.url }, 'GET', '/v2/')
      expect(base.status).toBe(200)
      expect(base.headers['www-authenticate']).toBe('basic realm=zot')
      const wrong = await getManifest(
        { url: zot.url, username: 'alice', password: 'bad' },
        'public/app',
        'latest',
      )
      expect(wrong.status).toBe(401)
    } finally {
      await zot.stop()
    }
  })
})

describe('cache syncing from an auth-protected upstream', () => {
  test('syncs with credentials, 404 without', async () => {
    const upstream = await startZot({ name: 'upstream-auth', auth: { users: { sync: 'sync-pw' } } })
    const image = await pushImage(upstream.registry('sync'), { repo: 'secret/app', kind: 'oci' })
    const [withCreds, without] = await Promise.all([
      startZot({
        name: 'cache-creds',
        upstreams: [
          {
            url: upstream.url,
            destination: 'mirror',
            credentials: { username: 'sync', password: 'sync-pw' },
          },
        ],
      }),
      startZot({
        name: 'cache-nocreds',
        upstreams: [{ url: upstream.url, destination: 'mirror', maxRetries: 0 }],
      }),
    ])
    try {
      const got = await getManifest(withCreds.registry(), 'mirror/secret/app', 'latest')
      expect(got.status).toBe(200)
      expect(got.digest).toBe(image.digest)
      expect((await getManifest(without.registry(), 'mirror/secret/app', 'latest')).status).toBe(404)
    } finally {
      await Promise.all([upstream.stop(), withCreds.stop(), without.stop()])
    }
  })
})

describe('TLS', () => {
  let zot: ZotServer
  beforeAll(async () => {
    zot = await startZot({ name: 'tls', tls: true })
  })

  test('works with the CA, fails without it or with another CA', async () => {
    expect(zot.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(zot.caPem).toContain('BEGIN CERTIFICATE')
    expect(existsSync(zot.caFile as string)).toBe(true)
    expect((await registryRequest(zot.registry(), 'GET', '/v2/')).status).toBe(200)
    await expect(registryRequest({ url: zot.url }, 'GET', '/v2/')).rejects.toThrow(
      /self[- ]signed|unable to verify/i,
    )
    await expect(registryRequest({ url: zot.url, ca: await otherCaPem() }, 'GET', '/v2/')).rejects.toThrow(
      /self[- ]signed|unable to verify/i,
    )
  })

  test('a cache syncs from a TLS upstream given its CA, not without it', async () => {
    const image = await pushImage(zot.registry(), { repo: 'tls/app', kind: 'oci' })
    const [trusting, blind] = await Promise.all([
      startZot({ name: 'cache-ca', upstreams: [{ url: zot.url, destination: 'sec', ca: zot.caPem }] }),
      startZot({ name: 'cache-noca', upstreams: [{ url: zot.url, destination: 'sec', maxRetries: 0 }] }),
    ])
    try {
      expect((await getManifest(trusting.registry(), 'sec/tls/app', 'latest')).digest).toBe(image.digest)
      expect((await getManifest(blind.registry(), 'sec/tls/app', 'latest')).status).toBe(404)
    } finally {
      await Promise.all([trusting.stop(), blind.stop()])
    }
  })
})

describe('writeTimeout + delay proxy', () => {
  test('a sync longer than writeTimeout closes the connection; the image appears later', async () => {
    const upstream = await startZot({ name: 'upstream-slow' })
    const proxy = await startDelayProxy(upstream.url, { delayMs: 2_500 })
    const cache = await startZot({
      name: 'cache-short-write',
      writeTimeout: '1s',
      upstreams: [{ url: proxy.url, destination: 'slow' }],
    })
    const agent = new Agent()
    try {
      const image = await pushImage(upstream.registry(), { repo: 'big/app', kind: 'oci' })
      const res = request(`${cache.url}/v2/slow/big/app/manifests/latest`, {
        headers: { accept: MEDIA.ociManifest },
        dispatcher: agent,
      }).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }))
      await expect(res).rejects.toThrow(/other side closed|socket hang up|ECONNRESET/i)
      expect(proxy.delayed).toBeGreaterThan(0)
      // The sync keeps running in Zot; poll the local tags list (does not trigger a sync) until it is there.
      let tags: string[] | undefined
      for (let i = 0; i < 100 && !tags?.includes('latest'); i++) {
        tags = (await listTags(cache.registry(), 'slow/big/app')).tags
        if (!tags?.includes('latest')) await new Promise((r) => setTimeout(r, 100))
      }
      expect(tags).toContain('latest')
      proxy.setDelay(0)
      expect((await getManifest(cache.registry(), 'slow/big/app', 'latest')).digest).toBe(image.digest)
    } finally {
      await agent.close()
      await Promise.all([cache.stop(), upstream.stop(), proxy.stop()])
    }
  })
})

describe('generated images', () => {
  test('layers are tar.gz whose diff_ids and platforms are in the config', async () => {
    const zot = await startZot({ name: 'images' })
    try {
      const image = await pushImage(zot.registry(), {
        repo: 'valid/app',
        kind: 'docker-list',
        platforms: ['linux/amd64', 'linux/arm/v7'],
        layers: 2,
        layerSize: 3 * 1024 * 1024 + 5,
      })
      expect(image.manifests.map((m) => m.platform)).toEqual(['linux/amd64', 'linux/arm/v7'])
      expect(image.bytes).toBeGreaterThan(4 * 3 * 1024 * 1024)
      for (const child of image.manifests) {
        const manifest = (await getManifest(zot.registry(), 'valid/app', child.digest)).json
        expect(manifest.mediaType).toBe(MEDIA.dockerManifest)
        const blob = (digest: string) =>
          registryRequest(zot.registry(), 'GET', `/v2/valid/app/blobs/${digest}`)
        const config = JSON.parse((await blob(manifest.config.digest)).body.toString('utf8'))
        const [os, architecture, variant] = (child.platform as string).split('/')
        expect({ os: config.os, architecture: config.architecture, variant: config.variant }).toEqual({
          os,
          architecture,
          variant,
        })
        expect(manifest.layers).toHaveLength(2)
        for (const [i, layer] of manifest.layers.entries()) {
          const tar = gunzipSync((await blob(layer.digest)).body)
          expect(`sha256:${createHash('sha256').update(tar).digest('hex')}`).toBe(config.rootfs.diff_ids[i])
          expect(tar.subarray(257, 262).toString('ascii')).toBe('ustar')
          expect(Number.parseInt(tar.subarray(124, 135).toString('ascii'), 8)).toBe(3 * 1024 * 1024 + 5)
        }
      }
    } finally {
      await zot.stop()
    }
  })

  test('a plain upstream without compat refuses Docker media types', async () => {
    const zot = await startZot({ name: 'no-compat', compat: false })
    try {
      await expect(pushImage(zot.registry(), { repo: 'd', kind: 'docker' })).rejects.toThrow(
        /answered 415.*MANIFEST_INVALID/,
      )
      await expect(pushImage(zot.registry(), { repo: 'm', kind: 'mixed-index' })).rejects.toThrow(
        /answered 415/,
      )
      await pushImage(zot.registry(), { repo: 'a', kind: 'attestation-index' })
    } finally {
      await zot.stop()
    }
  })

  test('Zot refuses preserveDigest on a cache without compat', async () => {
    await expect(
      startZot({
        name: 'preserve-no-compat',
        compat: false,
        upstreams: [{ url: 'http://127.0.0.1:1', destination: 'x', preserveDigest: true }],
      }),
    ).rejects.toThrow(/can not use PreserveDigest option without enabling http.Compat/)
  })
})

// What Zot v2.1.20 does with each kind: the upstream digest D is requested first (a pinned pull on a cold
// cache), then the tag, then D again. "same" = the cache answers the upstream's digest for the tag.
type Outcome = { byDigestFirst: number; tag: 'same' | 'converted'; byDigestAfter: number }
const same = (d = 200): Outcome => ({ byDigestFirst: d, tag: 'same', byDigestAfter: d })
const converted = (d: number): Outcome => ({ byDigestFirst: d, tag: 'converted', byDigestAfter: d })
const EXPECTED: Record<ImageKind, Record<'convert' | 'convertCompat' | 'preserve', Outcome>> = {
  oci: { convert: same(), convertCompat: same(), preserve: same() },
  docker: { convert: converted(404), convertCompat: converted(200), preserve: same() },
  'oci-index': { convert: same(), convertCompat: same(), preserve: same() },
  'docker-list': { convert: converted(404), convertCompat: converted(200), preserve: same() },
  'attestation-index': { convert: converted(200), convertCompat: converted(200), preserve: same() },
  'mixed-index': { convert: converted(404), convertCompat: converted(200), preserve: same() },
}

describe('image kinds through a cache', () => {
  const kinds = Object.keys(EXPECTED) as ImageKind[]
  let upstream: ZotServer
  const caches = {} as Record<'convert' | 'convertCompat' | 'preserve', ZotServer>
  const pushed = new Map<ImageKind, PushedImage>()
  const rows: string[] = []

  beforeAll(async () => {
    upstream = await startZot({ name: 'upstream-kinds' })
    const up = (preserveDigest: boolean) => [{ url: upstream.url, destination: 'hub', preserveDigest }]
    ;[caches.convert, caches.convertCompat, caches.preserve] = await Promise.all([
      startZot({ name: 'cache-convert', upstreams: up(false) }),
      startZot({ name: 'cache-convert-compat', compat: true, upstreams: up(false) }),
      startZot({ name: 'cache-preserve', upstreams: up(true) }),
    ])
    expect(caches.convert.config.http.compat).toBeUndefined()
    expect(caches.preserve.config.http.compat).toEqual(['docker2s2'])
  })

  afterAll(() => {
    console.log(`\nkind | cache | GET D | GET tag | digest | media type | GET D after\n${rows.join('\n')}`)
  })

  test('the upstream accepts every kind as pushed', async () => {
    const images = await pushImages(
      upstream.registry(),
      kinds.map((kind) => ({ repo: `kinds/${kind}`, tag: 'v1', kind })),
    )
    for (const image of images) {
      pushed.set(image.repo.slice('kinds/'.length) as ImageKind, image)
      const got = await getManifest(upstream.registry(), image.repo, 'v1')
      expect(got.status).toBe(200)
      expect(got.digest).toBe(image.digest)
      expect(got.mediaType).toBe(image.mediaType)
      for (const child of image.manifests) {
        expect((await getManifest(upstream.registry(), image.repo, child.digest)).status).toBe(200)
      }
    }
  })

  test.each(kinds)('%s', async (kind) => {
    const image = pushed.get(kind)
    if (!image) throw new Error('push test did not run')
    const repo = `hub/kinds/${kind}`
    for (const [label, cache] of Object.entries(caches) as [keyof typeof caches, ZotServer][]) {
      const first = await getManifest(cache.registry(), repo, image.digest)
      const tag = await getManifest(cache.registry(), repo, 'v1')
      const after = await getManifest(cache.registry(), repo, image.digest)
      const outcome = tag.digest === image.digest ? 'same' : 'converted'
      rows.push(
        `${kind} | ${label} | ${first.status} | ${tag.status} | ${outcome} | ${tag.mediaType} | ${after.status}`,
      )
      expect(tag.status).toBe(200)
      expect({ byDigestFirst: first.status, tag: outcome, byDigestAfter: after.status }).toEqual(
        EXPECTED[kind][label],
      )
      if (outcome === 'same') {
        expect(tag.mediaType).toBe(image.mediaType)
        continue
      }
      // Converted: Docker types become OCI; buildkit attestations leave the index and become referrers.
      const single = kind === 'docker'
      expect(tag.mediaType).toBe(single ? MEDIA.ociManifest : MEDIA.ociIndex)
      if (kind === 'attestation-index') {
        const platforms = image.manifests.filter((m) => m.platform !== 'unknown/unknown')
        expect(tag.json.manifests.map((m: { digest: string }) => m.digest)).toEqual(
          platforms.map((m) => m.digest),
        )
        const first = platforms[0] as { digest: string }
        const referrers = await registryRequest(
          cache.registry(),
          'GET',
          `/v2/${repo}/referrers/${first.digest}`,
        )
        const refs = JSON.parse(referrers.body.toString('utf8')).manifests
        expect(refs).toHaveLength(1)
        expect(refs[0].annotations['vnd.docker.reference.type']).toBe('attestation-manifest')
        // The attestation got a subject, so its digest is not the upstream one either.
        expect(image.manifests.map((m) => m.digest)).not.toContain(refs[0].digest)
      } else if (!single) {
        expect(tag.json.manifests.map((m: { mediaType: string }) => m.mediaType)).toEqual(
          image.manifests.map(() => MEDIA.ociManifest),
        )
      }
    }
  })
})

afterAll(() => {
  // Start-up figures for the record (not asserted: timing belongs in the benchmark).
  console.log(
    `start ms: ${recentZots()
      .map((z) => `${z.name}=${z.startMs}`)
      .join(' ')}`,
  )
})
