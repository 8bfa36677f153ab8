// Engine paths a real Zot cannot be made to take on demand (gateway 504s, a connection closed before the image
// exists, 503 on tags/list, a request that never answers), plus sharing, check mode and cancellation, with undici
// MockAgent standing in for Zot. The same paths against real Zot are in warm*.int.test.ts.
import { createHash } from 'node:crypto'
import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { PlannedImage } from '../src/model.js'
import { ZotClient } from '../src/warm/client.js'
import { warmImages } from '../src/warm/engine.js'
import type { ProgressEvent, WarmOptions } from '../src/warm/options.js'

const ZOT = 'http://zot.test'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

const digestOf = (body: string) => `sha256:${createHash('sha256').update(body).digest('hex')}`
const CONFIG = JSON.stringify({ os: 'linux', architecture: 'arm64', variant: 'v8' })
const CONFIG_DIGEST = digestOf(CONFIG)
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    digest: CONFIG_DIGEST,
    size: CONFIG.length,
  },
  layers: [],
})
const DIGEST = digestOf(MANIFEST)

let agent: MockAgent

beforeEach(() => {
  agent = new MockAgent({ enableCallHistory: true })
  agent.disableNetConnect()
})
afterEach(async () => {
  await agent.close()
})

function planned(repo: string, tag: string | undefined, digest?: string, line = 1): PlannedImage {
  const ref = { domain: 'docker.io', path: repo, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) }
  return {
    reference: `docker.io/${repo}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`,
    ref,
    zotRepository: `hub/${repo}`,
    sources: [{ file: 'k8s.yaml', line, column: 1 }],
  }
}

function run(images: PlannedImage[], opts: Partial<WarmOptions> = {}) {
  const client = new ZotClient({
    url: ZOT,
    dispatcher: agent,
    retry: { baseDelayMs: 1, maxDelayMs: 2, sleep: async () => {} },
  })
  return warmImages(images, client, {
    mode: 'warm',
    refresh: false,
    concurrency: 4,
    imageTimeoutMs: 10_000,
    poll: { initialDelayMs: 1, maxDelayMs: 2 },
    ...opts,
  })
}

const zot = () => agent.get(ZOT)
const paths = () => (agent.getCallHistory()?.calls() ?? []).map((c) => `${c.method} ${c.path}`)

function tags(repo: string, list: string[] | 404, times = 1) {
  const scope = zot().intercept({ path: `/v2/hub/${repo}/tags/list` })
  if (list === 404) scope.reply(404, { errors: [{ code: 'NAME_UNKNOWN' }] }).times(times)
  else scope.reply(200, { name: `hub/${repo}`, tags: list }).times(times)
}

function manifestByTag(repo: string, tag: string) {
  return zot().intercept({ path: `/v2/hub/${repo}/manifests/${tag}` })
}

function serveManifest(repo: string, reference: string, times = 1) {
  zot()
    .intercept({ path: `/v2/hub/${repo}/manifests/${reference}` })
    .reply(200, MANIFEST, { headers: { 'content-type': OCI_MANIFEST, 'docker-content-digest': DIGEST } })
    .times(times)
}

function serveConfig(repo: string, times = 1) {
  zot()
    .intercept({ path: `/v2/hub/${repo}/blobs/${CONFIG_DIGEST}` })
    .reply(200, CONFIG)
    .times(times)
}

function search(digest: string | 404, times = 1) {
  const scope = zot().intercept({ path: '/v2/_zot/ext/search', method: 'POST' })
  if (digest === 404) scope.reply(404, '').times(times)
  else scope.reply(200, { data: { Image: { Digest: digest, MediaType: OCI_MANIFEST } } }).times(times)
}

describe('sharing', () => {
  test('identical references share one job, a repository one tags/list', async () => {
    tags('app', [])
    serveManifest('app', '1')
    serveManifest('app', '2')
    serveConfig('app', 2)
    const results = await run([
      planned('app', '1', undefined, 1),
      planned('app', '2'),
      planned('app', '1', undefined, 9),
    ])
    expect(results.map((r) => [r.status, r.digest, r.platforms, r.sources[0]?.line])).toEqual([
      ['warmed', DIGEST, ['linux/arm64'], 1],
      ['warmed', DIGEST, ['linux/arm64'], 1],
      ['warmed', DIGEST, ['linux/arm64'], 9],
    ])
    expect(paths().filter((p) => p.includes('tags/list'))).toHaveLength(1)
    expect(paths().filter((p) => p.endsWith('/manifests/1'))).toHaveLength(1)
  })

  test('a pinned and an unpinned reference of one tag share the GET by tag', async () => {
    tags('app', [])
    serveManifest('app', '1')
    serveConfig('app', 2)
    const results = await run([planned('app', '1'), planned('app', '1', DIGEST)], { concurrency: 2 })
    expect(results.map((r) => r.status)).toEqual(['warmed', 'warmed'])
    expect(paths().filter((p) => p.endsWith('/manifests/1'))).toHaveLength(1)
  })
})

describe('long syncs', () => {
  test('connection closed before the image exists: poll tags/list until it appears', async () => {
    tags('app', [])
    manifestByTag('app', '1').replyWithError(
      Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    )
    tags('app', [], 2)
    tags('app', ['1'])
    search(DIGEST)
    serveManifest('app', DIGEST)
    serveConfig('app')
    const [r] = await run([planned('app', '1')])
    expect(r).toMatchObject({ status: 'warmed', digest: DIGEST, platforms: ['linux/arm64'], attempts: 1 })
    expect(r?.warnings[0]).toMatch(/^Zot closed the connection during the sync/)
    // The GET by tag went once: polling never asks Zot to sync again while the image shows up.
    expect(paths().filter((p) => p.endsWith('/manifests/1'))).toHaveLength(1)
  })

  test('closed, never appears, asked again: a real 404 is a failure, not a long sync', async () => {
    tags('app', [])
    manifestByTag('app', '1').replyWithError(
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    )
    tags('app', [], 4)
    manifestByTag('app', '1').reply(404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] })
    const [r] = await run([planned('app', '1')])
    expect(r?.status).toBe('failed')
    expect(r?.error).toBe('Zot answered 404 MANIFEST_UNKNOWN for hub/app:1')
    expect(r?.diagnosis).toMatch(/^Zot answered 404 after syncing hub\/app:1/)
    expect(r?.attempts).toBe(2)
  })

  test('a gateway 504 after the retries is treated as a sync still running', async () => {
    tags('app', [])
    manifestByTag('app', '1').reply(504, 'gateway timeout').times(5)
    tags('app', ['1'])
    search(DIGEST)
    serveManifest('app', DIGEST)
    serveConfig('app')
    const [r] = await run([planned('app', '1')])
    expect(r).toMatchObject({ status: 'warmed', digest: DIGEST, attempts: 5 })
  })

  test('no answer within the image timeout: failed with the timeout diagnosis', async () => {
    tags('app', [])
    manifestByTag('app', '1').reply(200, MANIFEST).delay(5_000)
    const [r] = await run([planned('app', '1')], { imageTimeoutMs: 50 })
    expect(r?.status).toBe('failed')
    expect(r?.error).toBe('no result within the image timeout (50ms)')
    expect(r?.diagnosis).toMatch(/^No answer from Zot within the image timeout/)
  })
})

describe('retries and answers', () => {
  test('retries count as attempts', async () => {
    zot().intercept({ path: '/v2/hub/app/tags/list' }).reply(503, '')
    tags('app', [])
    serveManifest('app', '1')
    serveConfig('app')
    const [r] = await run([planned('app', '1')])
    expect(r).toMatchObject({ status: 'warmed', attempts: 2 })
  })

  test('401 on an image names the credentials problem', async () => {
    tags('app', [])
    manifestByTag('app', '1').reply(401, '')
    const [r] = await run([planned('app', '1')])
    expect(r?.status).toBe('failed')
    expect(r?.diagnosis).toBe(
      'Zot requires credentials: set username and password. Check username and password (or token) and that the user may read this repository.',
    )
  })

  test('without the search extension a cached tag is cached, platforms unverified; search is asked once', async () => {
    tags('a', ['1'])
    tags('b', ['1'])
    search(404)
    const results = await run([planned('a', '1'), planned('b', '1')], { concurrency: 1 })
    expect(results.map((r) => [r.status, r.digest, r.platforms])).toEqual([
      ['cached', undefined, undefined],
      ['cached', undefined, undefined],
    ])
    expect(results[1]?.warnings[0]).toMatch(/^platforms not verified/)
    expect(paths().filter((p) => p.includes('search'))).toHaveLength(1)
  })
})

describe('check mode', () => {
  test('only local requests: tags/list, search, blob HEAD, GET by a present digest', async () => {
    tags('app', ['1'])
    search(DIGEST)
    serveManifest('app', DIGEST)
    serveConfig('app')
    tags('gone', 404)
    tags('pin', ['1'])
    search(`sha256:${'c'.repeat(64)}`)
    zot()
      .intercept({ path: `/v2/hub/pin/blobs/${DIGEST}`, method: 'HEAD' })
      .reply(404, '')
    zot()
      .intercept({ path: `/v2/hub/bydigest/blobs/${DIGEST}`, method: 'HEAD' })
      .reply(404, '')
    const results = await run(
      [
        planned('app', '1'),
        planned('gone', '1'),
        planned('pin', '1', DIGEST),
        planned('bydigest', undefined, DIGEST),
      ],
      { mode: 'check', concurrency: 1 },
    )
    expect(results.map((r) => [r.status, r.error])).toEqual([
      ['cached', undefined],
      ['failed', 'not in Zot: hub/gone:1'],
      ['failed', `not in Zot: pinned digest ${DIGEST} of hub/pin:1`],
      ['failed', `not in Zot: hub/bydigest@${DIGEST}`],
    ])
    // Nothing that could make Zot sync: no manifest by tag, no manifest by a digest it lacks.
    expect(paths().filter((p) => /manifests\/(?!sha256:)/.test(p))).toEqual([])
    expect(paths().filter((p) => p.includes('/manifests/'))).toEqual([`GET /v2/hub/app/manifests/${DIGEST}`])
  })
})

describe('cancellation', () => {
  test('aborted before the start: every image not attempted, nothing requested', async () => {
    const controller = new AbortController()
    controller.abort()
    const results = await run([planned('a', '1'), planned('b', '1')], { signal: controller.signal })
    expect(results.map((r) => [r.status, r.attempts])).toEqual([
      ['not-attempted', 0],
      ['not-attempted', 0],
    ])
    expect(paths()).toEqual([])
  })

  test('aborted mid-sync: the image in flight and the rest are not attempted; progress reported', async () => {
    tags('a', [])
    manifestByTag('a', '1').reply(200, MANIFEST).delay(5_000)
    const controller = new AbortController()
    const events: ProgressEvent[] = []
    const results = await run([planned('a', '1'), planned('b', '1'), planned('c', '1')], {
      concurrency: 1,
      signal: controller.signal,
      onProgress: (e) => {
        events.push(e)
        if (e.type === 'start') setTimeout(() => controller.abort(), 20)
      },
    })
    expect(results.map((r) => r.status)).toEqual(['not-attempted', 'not-attempted', 'not-attempted'])
    expect(results[0]?.error).toMatch(/^cancelled/)
    expect(results[0]?.attempts).toBe(1)
    expect(results[2]?.error).toMatch(/before this image started/)
    expect(events).toMatchObject([
      { type: 'start', index: 0, total: 3, reference: 'docker.io/a:1', zotReference: 'hub/a:1' },
      { type: 'finish', index: 0, total: 3, status: 'not-attempted', done: 1 },
    ])
  })
})
