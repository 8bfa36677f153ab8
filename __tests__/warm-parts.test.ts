// The small pure parts of src/warm: Retry-After and backoff, WWW-Authenticate, platforms, manifests, diagnoses.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { parseChallenges, scopeForPath, TokenCache } from '../src/warm/auth.js'
import { diagnose, formatDuration } from '../src/warm/diagnose.js'
import { configPlatform, parseManifest } from '../src/warm/manifest.js'
import { DEFAULTS } from '../src/warm/options.js'
import { formatPlatform, parsePlatform, platformMatches } from '../src/warm/platforms.js'
import { backoffDelay, parseRetryAfter, retryDelay } from '../src/warm/retry.js'

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
      diagnose({ kind: 'transport', message: 'cannot reach Zot' }),
    ]
    for (const text of all) expect(text.length).toBeGreaterThan(10)
    expect(all[0]).toContain('(docker.io)')
    expect(all[0]).toContain('"filtered out by content"')
    expect(all[2]).toContain('no platform information')
  })

  test('durations read like inputs', () => {
    expect([250, 1000, 90_000, 600_000, 3_600_000].map(formatDuration)).toEqual([
      '250ms',
      '1s',
      '90s',
      '10m',
      '1h',
    ])
  })
})
