// The small pure parts of src/warm: Retry-After and backoff, WWW-Authenticate, platforms, manifests, diagnoses,
// and the batched search: its query, batches, answers and what an answer settles on its own.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { Limiter } from '../src/each.js'
import { formatSetting } from '../src/inputs/duration.js'
import { parseChallenges, scopeForPath, TokenCache } from '../src/warm/auth.js'
import { diagnose } from '../src/warm/diagnose.js'
import { ImageFailure } from '../src/warm/job.js'
import { configPlatform, parseManifest } from '../src/warm/manifest.js'
import { DEFAULTS } from '../src/warm/options.js'
import { formatPlatform, parsePlatform, platformMatches } from '../src/warm/platforms.js'
import { backoffDelay, parseRetryAfter, retryDelay } from '../src/warm/retry.js'
import { batchQuery, chunkNames, parseImage, type SearchedImage } from '../src/warm/search.js'
import { verifyFromSearch } from '../src/warm/verify.js'

describe('Limiter', () => {
  test('at most `limit` holders; the others enter in arrival order; leaving twice frees one place', async () => {
    const limiter = new Limiter(2)
    const entered: number[] = []
    const leaves: (() => void)[] = []
    const enter = (i: number) =>
      limiter.enter().then((leave) => {
        entered.push(i)
        leaves[i] = leave
      })
    const all = [0, 1, 2, 3].map(enter)
    await new Promise((r) => setTimeout(r, 0))
    expect(entered).toEqual([0, 1])
    leaves[1]?.()
    leaves[1]?.()
    await new Promise((r) => setTimeout(r, 0))
    expect(entered).toEqual([0, 1, 2])
    leaves[0]?.()
    await Promise.all(all)
    expect(entered).toEqual([0, 1, 2, 3])
  })
})

describe('Retry-After and backoff', () => {
  test('seconds, HTTP date, garbage', () => {
    const now = Date.parse('Sun, 22 Nov 2026 10:00:00 GMT')
    expect(parseRetryAfter('7', now)).toBe(7000)
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })

  test('backoff doubles, stays within [step/2, step] and under the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.double({ min: 0, max: 1, noNaN: true }), (retry, r) => {
        const d = backoffDelay(retry, { baseDelayMs: 500, maxDelayMs: 15_000, random: () => r })
        const step = Math.min(15_000, 500 * 2 ** retry)
        return d >= Math.floor(step / 2) && d <= step
      }),
    )
  })

  test('Retry-After wins over backoff but is capped', () => {
    const opts = { ...DEFAULTS.retry, random: () => 1 }
    expect(retryDelay(0, '3', opts)).toBe(3000)
    expect(retryDelay(0, '3600', opts)).toBe(DEFAULTS.retry.maxRetryAfterMs)
    expect(retryDelay(2, undefined, opts)).toBe(2000)
  })
})

describe('WWW-Authenticate', () => {
  test('bearer with quoted params containing commas', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.example/token",service="zot",scope="repository:a/b:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.example/token', service: 'zot', scope: 'repository:a/b:pull,push' },
      },
    ])
  })

  test('several challenges, unquoted values, escapes, odd case', () => {
    expect(parseChallenges('Basic realm="zot", bearer realm=https://z/t, service="a\\"b"')).toEqual([
      { scheme: 'basic', params: { realm: 'zot' } },
      { scheme: 'bearer', params: { realm: 'https://z/t', service: 'a"b' } },
    ])
    expect(parseChallenges(undefined)).toEqual([])
    expect(parseChallenges('Negotiate')).toEqual([{ scheme: 'negotiate', params: {} }])
  })

  test('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string(), (s) => Array.isArray(parseChallenges(s))))
  })

  test('scope from the request path', () => {
    expect(scopeForPath('/v2/docker-images/library/nginx/manifests/1.27')).toBe(
      'repository:docker-images/library/nginx:pull',
    )
    expect(scopeForPath('/v2/a/tags/list')).toBe('repository:a:pull')
    expect(scopeForPath('/v2/')).toBeUndefined()
    expect(scopeForPath('/v2/_zot/ext/search')).toBeUndefined()
  })

  test('token cache expires entries early', () => {
    const cache = new TokenCache()
    const key = TokenCache.key('r', 's', 'scope')
    cache.set(key, 't', 60, 0)
    expect(cache.get(key, 49_000)).toBe('t')
    expect(cache.get(key, 50_000)).toBeUndefined()
    expect(cache.size).toBe(0)
  })
})

describe('platforms', () => {
  test('aliases and default variants', () => {
    expect(formatPlatform(parsePlatform('linux/arm64/v8') ?? { os: '', architecture: '' })).toBe(
      'linux/arm64',
    )
    expect(parsePlatform('linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' })
    expect(parsePlatform('linux/arm/7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' })
    expect(parsePlatform('linux')).toBeUndefined()
    expect(parsePlatform('a/b/c/d')).toBeUndefined()
  })

  test('a requirement without variant accepts any variant; with one it must match', () => {
    const p = (s: string) => parsePlatform(s) ?? { os: '', architecture: '' }
    expect(platformMatches(p('linux/arm'), p('linux/arm/v7'))).toBe(true)
    expect(platformMatches(p('linux/arm/v7'), p('linux/arm/v6'))).toBe(false)
    expect(platformMatches(p('linux/arm64'), p('linux/arm64/v8'))).toBe(true)
    expect(platformMatches(p('linux/amd64'), p('windows/amd64'))).toBe(false)
  })
})

describe('manifests', () => {
  test('an index: children, platforms, attestations recognised', () => {
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            digest: 'sha256:a',
            mediaType: 'm',
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
          {
            digest: 'sha256:b',
            mediaType: 'm',
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
          },
          { digest: 'sha256:c', mediaType: 'm' },
        ],
      }),
    )
    const m = parseManifest(body, undefined, 'sha256:top')
    expect(m).toEqual({
      digest: 'sha256:top',
      mediaType: 'application/vnd.oci.image.index.v1+json',
      kind: 'index',
      children: [
        {
          digest: 'sha256:a',
          mediaType: 'm',
          platform: { os: 'linux', architecture: 'arm64' },
          attestation: false,
        },
        {
          digest: 'sha256:b',
          mediaType: 'm',
          platform: { os: 'unknown', architecture: 'unknown' },
          attestation: true,
        },
        { digest: 'sha256:c', mediaType: 'm', platform: undefined, attestation: false },
      ],
    })
  })

  test('a Docker manifest without mediaType in the body takes the header; digest computed when absent', () => {
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: 'sha256:cfg' },
        layers: [],
      }),
    )
    const m = parseManifest(body, 'application/vnd.docker.distribution.manifest.v2+json; charset=utf-8')
    expect(m.kind).toBe('manifest')
    expect(m.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json')
    expect(m.config).toEqual({
      digest: 'sha256:cfg',
      mediaType: 'application/vnd.docker.container.image.v1+json',
    })
    expect(m.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  test('an artifact has no image config to read a platform from', () => {
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:e' },
      }),
    )
    expect(parseManifest(body, 'application/vnd.oci.image.manifest.v1+json').config).toBeUndefined()
  })

  test('not a manifest', () => {
    expect(() => parseManifest(Buffer.from('{"hello":1}'), 'application/json')).toThrow(
      /not an image manifest/,
    )
    for (const [body, problem] of [
      ['nope', 'not JSON'],
      ['null', 'not a JSON object'],
      ['[1]', 'not a JSON object'],
    ] as const)
      expect(() => parseManifest(Buffer.from(body), 'application/json')).toThrow(problem)
    // Fields of the wrong type count as absent instead of failing the parse with a TypeError.
    const odd = parseManifest(
      Buffer.from(
        JSON.stringify({
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [null, 7, { digest: 5 }, { digest: 'sha256:a', platform: { os: 1, architecture: [] } }],
        }),
      ),
    )
    expect(odd.children).toEqual([
      { digest: 'sha256:a', mediaType: '', platform: undefined, attestation: false },
    ])
    expect(configPlatform(Buffer.from('null'))).toBeUndefined()
    expect(configPlatform(Buffer.from('{"os":1,"architecture":"amd64"}'))).toBeUndefined()
    expect(configPlatform(Buffer.from('nope'))).toBeUndefined()
    expect(configPlatform(Buffer.from('{"os":"linux","architecture":"aarch64"}'))).toEqual({
      os: 'linux',
      architecture: 'arm64',
    })
  })
})

describe('diagnoses', () => {
  test('pin missing: Docker media types stored mean no conversion, so the tag moved', () => {
    const text = diagnose({
      kind: 'pin-missing',
      repository: 'r',
      tag: '1',
      pinned: 'sha256:p',
      tagDigest: 'sha256:t',
      storedMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    })
    expect(text).toMatch(/^Zot's 1 is sha256:t, not the pinned sha256:p\. Zot stores this image unconverted/)
    expect(text).toContain('Update the pin')
    const converted = diagnose({ kind: 'pin-missing', repository: 'r', tag: '1', pinned: 'sha256:p' })
    expect(converted).toMatch(/^The pinned sha256:p is not in Zot\. Either Zot converts the image on sync/)
  })

  test('not cached (check mode): the repository is named as it is in Zot, never capitalised', () => {
    expect(diagnose({ kind: 'not-cached', what: 'docker-images/library/busybox:1.36' })).toBe(
      'Zot does not hold docker-images/library/busybox:1.36; check mode never asks Zot to sync. Run in warm mode to fetch it.',
    )
  })

  test('sync timeout with and without a closed connection', () => {
    expect(diagnose({ kind: 'sync-timeout', timeoutMs: 900_000, connectionClosed: true })).toMatch(
      /^Zot closed the connection while syncing .* \(15m\)\. .*"writeTimeout": "0s"/,
    )
    expect(diagnose({ kind: 'sync-timeout', timeoutMs: 90_000, connectionClosed: false })).toMatch(/\(90s\)/)
  })

  test('every situation has words', () => {
    const all = [
      diagnose({ kind: 'missing-after-sync', repository: 'r', reference: '1', upstream: 'docker.io' }),
      diagnose({ kind: 'not-cached', what: 'r:1' }),
      diagnose({ kind: 'platform-missing', missing: ['linux/s390x'], available: [] }),
      diagnose({ kind: 'platform-manifest-missing', platforms: ['linux/arm64'] }),
      diagnose({ kind: 'unauthorized', message: 'Zot rejected the credentials for alice' }),
      diagnose({ kind: 'forbidden', repository: 'r', user: 'alice' }),
      diagnose({ kind: 'rate-limited', status: 429 }),
      diagnose({ kind: 'server-error', status: 500 }),
      diagnose({ kind: 'unexpected-status', status: 418, code: 'TEAPOT' }),
    ]
    for (const text of all) expect(text.length).toBeGreaterThan(10)
    expect(all[0]).toContain('(upstream docker.io)')
    expect(all[0]).toContain('"filtered out by content"')
    expect(all[2]).toContain('no platform information')
  })

  test('durations read like inputs', () => {
    expect([250, 1000, 90_000, 600_000, 3_600_000].map(formatSetting)).toEqual([
      '250ms',
      '1s',
      '90s',
      '10m',
      '1h',
    ])
  })
})

describe('batched search', () => {
  const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
  const d = (c: string) => `sha256:${c.repeat(64)}`
  const p = (s: string) => parsePlatform(s) ?? { os: '', architecture: '' }

  test('the query names no image: names are variables, one alias each', () => {
    const names = ['hub/a:1', 'we"ird\\name:2']
    const { query, variables } = batchQuery(names)
    expect(query).toBe(
      'query ZotWarmPresence($r0: String!, $r1: String!) { i0: Image(image: $r0) { ...S } i1: Image(image: $r1) { ...S } } ' +
        'fragment S on ImageSummary { Digest MediaType Manifests { Digest ArtifactType Platform { Os Arch } } }',
    )
    expect(variables).toEqual({ r0: 'hub/a:1', r1: 'we"ird\\name:2' })
    // The body is JSON: the name comes back intact whatever it contains.
    expect(JSON.parse(JSON.stringify({ query, variables })).variables.r1).toBe(names[1])
  })

  test('batches keep order and respect both the count and the byte cap', () => {
    const names = Array.from({ length: 120 }, (_, i) => `hub/app-${i}:1`)
    const byCount = chunkNames(names)
    expect(byCount.batches.map((b) => b.length)).toEqual([50, 50, 20])
    expect(byCount.batches.flat()).toEqual(names)
    expect(byCount.unbatched).toEqual([])

    const limits = { images: 50, bytes: 2000 }
    const bySize = chunkNames(names, limits)
    expect(bySize.batches.flat()).toEqual(names)
    for (const batch of bySize.batches)
      expect(JSON.stringify(batchQuery(batch)).length).toBeLessThanOrEqual(2000)
    expect(bySize.batches.length).toBeGreaterThan(3)

    const huge = `hub/${'x'.repeat(3000)}:1`
    expect(chunkNames(['hub/a:1', huge, 'hub/b:1'], limits)).toEqual({
      batches: [['hub/a:1', 'hub/b:1']],
      unbatched: [huge],
    })
    expect(chunkNames([])).toEqual({ batches: [], unbatched: [] })
    // A batch size below 1 still sends every name, one per batch.
    expect(chunkNames(['a', 'b'], { images: 0, bytes: 2000 }).batches).toEqual([['a'], ['b']])
  })

  test('property: every body within the cap, every name exactly once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 300 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 500, max: 40_000 }),
        (names, images, bytes) => {
          const { batches, unbatched } = chunkNames(names, { images, bytes })
          const sent = batches.flat()
          expect([...sent, ...unbatched].sort()).toEqual([...names].sort())
          expect(sent).toEqual(names.filter((n) => !unbatched.includes(n)))
          for (const b of batches) {
            expect(b.length).toBeGreaterThan(0)
            expect(b.length).toBeLessThanOrEqual(images)
            expect(Buffer.byteLength(JSON.stringify(batchQuery(b)))).toBeLessThanOrEqual(bytes)
          }
        },
      ),
    )
  })

  test('answers: variant from Arch, digests checked, no digest = not an answer', () => {
    expect(
      parseImage({
        Digest: d('a'),
        MediaType: 'application/vnd.oci.image.index.v1+json',
        Manifests: [
          { Digest: d('b'), ArtifactType: OCI_CONFIG, Platform: { Os: 'linux', Arch: 'arm/v7' } },
          { Digest: d('c'), ArtifactType: OCI_CONFIG, Platform: { Os: 'linux', Arch: 'arm64/v8' } },
          { Digest: d('e'), ArtifactType: '', Platform: null },
        ],
      }),
    ).toEqual({
      digest: d('a'),
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          digest: d('b'),
          artifactType: OCI_CONFIG,
          platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
        },
        { digest: d('c'), artifactType: OCI_CONFIG, platform: { os: 'linux', architecture: 'arm64' } },
        { digest: d('e') },
      ],
    })
    // A repository the user may not read: Zot answers an empty summary.
    expect(parseImage({ Digest: null, Manifests: null })).toBeUndefined()
    expect(parseImage(null)).toBeUndefined()
    expect(parseImage({ Digest: 'latest' })).toBeUndefined()
    expect(parseImage({ Digest: d('a'), Manifests: [{ Digest: 'x' }] })).toBeUndefined()
    expect(
      parseImage({
        Digest: d('a'),
        Manifests: [{ Digest: d('b'), Platform: { Os: 'linux', Arch: 'a/b/c' } }],
      }),
    ).toEqual({ digest: d('a'), manifests: [{ digest: d('b') }] })
  })

  const single = (arch: string, artifactType = OCI_CONFIG): SearchedImage => ({
    digest: d('a'),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    manifests: [{ digest: d('a'), artifactType, platform: p(`linux/${arch}`) }],
  })
  const index = (...archs: string[]): SearchedImage => ({
    digest: d('f'),
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: archs.map((a, i) => ({
      digest: d(String(i)),
      artifactType: OCI_CONFIG,
      platform: p(a === 'unknown' ? 'unknown/unknown' : `linux/${a}`),
    })),
  })

  test('a single-platform image is settled by its config platform, variant and all', () => {
    expect(verifyFromSearch(single('arm/v6'))).toEqual({ digest: d('a'), platforms: ['linux/arm/v6'] })
    expect(verifyFromSearch(single('arm64/v8'), [p('linux/arm64')])).toEqual({
      digest: d('a'),
      platforms: ['linux/arm64'],
    })
    expect(() => verifyFromSearch(single('arm/v6'), [p('linux/arm/v7')])).toThrow(
      'single-platform image (linux/arm/v6) lacks required linux/arm/v7',
    )
    // An artifact, or a manifest without a platform: the manifest path decides (and warns).
    expect(verifyFromSearch(single('amd64', 'application/vnd.cncf.helm.config.v1+json'))).toBeUndefined()
    expect(verifyFromSearch({ ...single('amd64'), manifests: [{ digest: d('a') }] })).toBeUndefined()
    expect(verifyFromSearch({ ...single('amd64'), manifests: [] })).toBeUndefined()
  })

  test('an index is settled unless a required variant, a variant-less arm child or a non-image child needs its entries', () => {
    const multi = index('amd64', 'arm64/v8', 'arm/v7', 'unknown')
    // The confirmed children (their referrers are warmed too); the attestation entry is not one.
    expect(verifyFromSearch(multi)).toEqual({
      digest: d('f'),
      platforms: ['linux/amd64', 'linux/arm/v7', 'linux/arm64'],
      children: [d('0'), d('1'), d('2')],
    })
    expect(verifyFromSearch(multi, [p('linux/arm'), p('linux/amd64')])).toEqual({
      digest: d('f'),
      platforms: ['linux/amd64', 'linux/arm/v7'],
      children: [d('0'), d('2')],
    })
    expect(verifyFromSearch(multi, [p('linux/arm/v7')])).toBeUndefined()
    expect(verifyFromSearch(index('amd64', 'arm'))).toBeUndefined()
    expect(verifyFromSearch(index('unknown'))).toBeUndefined()
    expect(verifyFromSearch(index())).toBeUndefined()
    const artifact = index('amd64')
    artifact.manifests[0] = { digest: d('0'), artifactType: 'application/vnd.example+json' }
    expect(verifyFromSearch(artifact)).toBeUndefined()
  })

  test('a required platform the index lacks: the failure the manifest path gives, platforms in index order', () => {
    let failure: unknown
    try {
      verifyFromSearch(index('amd64', 'arm64', 'arm/v7'), [p('linux/s390x'), p('linux/amd64')])
    } catch (err) {
      failure = err
    }
    expect(failure).toBeInstanceOf(ImageFailure)
    expect(failure).toMatchObject({
      message: 'image does not offer linux/s390x',
      digest: d('f'),
      situation: {
        kind: 'platform-missing',
        missing: ['linux/s390x'],
        available: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
      },
    })
  })
})
