// Engine paths a real Zot cannot be made to take on demand (gateway 504s, a connection closed before the image
// exists, 503 on tags/list, a request that never answers, a search extension that fails batches), plus sharing,
// check mode, cancellation and the batched search look-ahead, with undici MockAgent standing in for Zot. The
// same paths against real Zot are in warm*.int.test.ts.
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
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
/** A second child for indexes: linux/arm/v7. */
const ARM7 = `sha256:${'7'.repeat(64)}`
const INDEX = JSON.stringify({
  schemaVersion: 2,
  mediaType: OCI_INDEX,
  manifests: [
    {
      mediaType: OCI_MANIFEST,
      digest: DIGEST,
      size: MANIFEST.length,
      platform: { os: 'linux', architecture: 'arm64' },
    },
    {
      mediaType: OCI_MANIFEST,
      digest: ARM7,
      size: 500,
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    },
  ],
})
const INDEX_DIGEST = digestOf(INDEX)

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

function serveIndex(repo: string) {
  zot()
    .intercept({ path: `/v2/hub/${repo}/manifests/${INDEX_DIGEST}` })
    .reply(200, INDEX, { headers: { 'content-type': OCI_INDEX, 'docker-content-digest': INDEX_DIGEST } })
}

/** What Zot's search answers for one tag: ImageSummary fields as Zot v2.1.20 sends them. */
interface Summary {
  Digest: string
  MediaType: string
  Manifests: { Digest: string; ArtifactType: string; Platform: { Os: string; Arch: string } | null }[]
  /** What refers to the image, when the query asks for it (`referrers` not off). */
  IsSigned?: boolean
  SignatureInfo?: { Tool: string }[]
  Referrers?: { Digest: string; ArtifactType: string; Annotations: { Key: string; Value: string }[] }[]
}

/** A single-platform image as search reports it (platform from the config, variant inside Arch). */
function single(digest = DIGEST, arch = 'arm64/v8'): Summary {
  return {
    Digest: digest,
    MediaType: OCI_MANIFEST,
    Manifests: [{ Digest: digest, ArtifactType: OCI_CONFIG, Platform: { Os: 'linux', Arch: arch } }],
  }
}

/** INDEX as search reports it; `children` picks which of its children MetaDB lists, with which Arch. */
function indexSummary(
  children: [string, string][] = [
    [DIGEST, 'arm64/v8'],
    [ARM7, 'arm/v7'],
  ],
): Summary {
  return {
    Digest: INDEX_DIGEST,
    MediaType: OCI_INDEX,
    Manifests: children.map(([d, arch]) => ({
      Digest: d,
      ArtifactType: OCI_CONFIG,
      Platform: { Os: 'linux', Arch: arch },
    })),
  }
}

/**
 * Zot's search endpoint, from `held` (`repo:tag` → summary): the per-image query (a string literal) and the
 * batched one (aliases over variables). Like Zot, a name it does not hold nulls the whole `data` and names its
 * alias in `errors[].path`. Persistent: count the calls with paths().
 */
function searchExtension(held: Record<string, Summary> | 404, opts: { failCalls?: number[] } = {}) {
  const scope = zot().intercept({ path: '/v2/_zot/ext/search', method: 'POST' })
  if (held === 404) {
    scope.reply(404, '').persist()
    return
  }
  let call = 0
  scope
    .reply<object>((req): { statusCode: number; data: object | string } => {
      if (opts.failCalls?.includes(++call)) return { statusCode: 500, data: 'boom' }
      const { query, variables } = JSON.parse(String(req.body)) as {
        query: string
        variables?: Record<string, string>
      }
      const literal = /\bImage\(image: ("(?:[^"\\]|\\.)*")\)/.exec(query)
      if (literal?.[1]) {
        const name = JSON.parse(literal[1]) as string
        const found = held[name]
        const data = found
          ? { data: { Image: { Digest: found.Digest, MediaType: found.MediaType } } }
          : { errors: [{ message: `can't find image: ${name}`, path: ['Image'] }], data: null }
        return { statusCode: 200, data }
      }
      const data: Record<string, Summary> = {}
      const errors: { message: string; path: string[] }[] = []
      for (const [, alias, variable] of query.matchAll(/(i\d+): Image\(image: \$(r\d+)\)/g)) {
        const name = variables?.[variable as string] ?? ''
        const found = held[name]
        if (found) data[alias as string] = found
        else errors.push({ message: `can't find image: ${name}`, path: [alias as string] })
      }
      return { statusCode: 200, data: errors.length ? { errors, data: null } : { data } }
    })
    .persist()
}

const searches = () => paths().filter((p) => p.includes('_zot/ext/search'))

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
    // Nothing was cached, so the look-ahead had nothing to ask search about.
    expect(searches()).toEqual([])
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

describe('what Zot is not kept waiting for', () => {
  test("a missing tag syncs as soon as its repository's list is in, while the look-ahead still waits for others", async () => {
    zot()
      .intercept({ path: '/v2/hub/slow/tags/list' })
      .reply(200, { tags: ['1'] })
      .delay(300)
    tags('new', [])
    searchExtension({ 'hub/slow:1': single() })
    serveManifest('new', '1')
    serveConfig('new')
    const results = await run([planned('slow', '1'), planned('new', '1')])
    expect(results.map((r) => r.status)).toEqual(['cached', 'warmed'])
    // The look-ahead's search waits for the slow list; the missing image did not wait for the search.
    const order = paths()
    expect(order.indexOf('GET /v2/hub/new/manifests/1')).toBeLessThan(
      order.indexOf('POST /v2/_zot/ext/search'),
    )
  })

  test("the next image's sync does not wait for the previous image's referrers", async () => {
    for (const repo of ['a', 'b']) {
      tags(repo, [])
      serveManifest(repo, '1')
      serveConfig(repo)
      tags(repo, ['1'])
    }
    const empty = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }
    zot()
      .intercept({ path: `/v2/hub/a/referrers/${DIGEST}` })
      .reply(200, empty)
      .delay(300)
    zot()
      .intercept({ path: `/v2/hub/b/referrers/${DIGEST}` })
      .reply(200, empty)
    const unsigned = { ...single(), IsSigned: false, SignatureInfo: [], Referrers: [] }
    searchExtension({ 'hub/a:1': unsigned, 'hub/b:1': unsigned })
    const results = await run([planned('a', '1'), planned('b', '1')], { concurrency: 1, referrers: 'warm' })
    expect(results.map((r) => [r.status, r.referrers?.state])).toEqual([
      ['warmed', 'verified'],
      ['warmed', 'verified'],
    ])
    // One image at a time in its sync phase, yet b's GET by tag went out while a's referrers request was
    // still unanswered: before a's listing, which reads a's tags again once that request is answered.
    const order = paths()
    expect(order.indexOf('GET /v2/hub/b/manifests/1')).toBeLessThan(
      order.lastIndexOf('GET /v2/hub/a/tags/list'),
    )
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
    searchExtension({ 'hub/app:1': single() })
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
    searchExtension({ 'hub/app:1': single() })
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
    searchExtension(404)
    const results = await run([planned('a', '1'), planned('b', '1')], { concurrency: 1 })
    expect(results.map((r) => [r.status, r.digest, r.platforms])).toEqual([
      ['cached', undefined, undefined],
      ['cached', undefined, undefined],
    ])
    expect(results[1]?.warnings[0]).toMatch(/^platforms not verified/)
    expect(searches()).toHaveLength(1)
  })
})

describe('check mode', () => {
  test('only local requests: tags/list, search, blob HEAD, GET by a present digest', async () => {
    tags('app', ['1'])
    tags('idx', ['1'])
    tags('gone', 404)
    tags('pin', ['1'])
    searchExtension({
      'hub/app:1': single(),
      // MetaDB lists only the arm child, and its config lacks the variant: the index itself must be read.
      'hub/idx:1': indexSummary([[ARM7, 'arm']]),
      'hub/pin:1': single(`sha256:${'c'.repeat(64)}`),
    })
    serveIndex('idx')
    zot()
      .intercept({ path: `/v2/hub/idx/blobs/${DIGEST}`, method: 'HEAD' })
      .reply(200, '')
    zot()
      .intercept({ path: `/v2/hub/pin/blobs/${DIGEST}`, method: 'HEAD' })
      .reply(404, '')
    zot()
      .intercept({ path: `/v2/hub/bydigest/blobs/${DIGEST}`, method: 'HEAD' })
      .reply(404, '')
    const results = await run(
      [
        planned('app', '1'),
        planned('idx', '1'),
        planned('gone', '1'),
        planned('pin', '1', DIGEST),
        planned('bydigest', undefined, DIGEST),
      ],
      { mode: 'check', concurrency: 1 },
    )
    expect(results.map((r) => [r.status, r.error, r.platforms])).toEqual([
      ['cached', undefined, ['linux/arm64']],
      ['cached', undefined, ['linux/arm/v7', 'linux/arm64']],
      ['failed', 'not in Zot: hub/gone:1', undefined],
      ['failed', `not in Zot: pinned digest ${DIGEST} of hub/pin:1`, undefined],
      ['failed', `not in Zot: hub/bydigest@${DIGEST}`, undefined],
    ])
    // Nothing that could make Zot sync: no manifest by tag, no manifest by a digest it lacks. The index's
    // child search did not list is tested on the blob store, not by a manifest HEAD.
    expect(paths()).toEqual([
      'GET /v2/hub/app/tags/list',
      'GET /v2/hub/idx/tags/list',
      'GET /v2/hub/gone/tags/list',
      'GET /v2/hub/pin/tags/list',
      'POST /v2/_zot/ext/search',
      `GET /v2/hub/idx/manifests/${INDEX_DIGEST}`,
      `HEAD /v2/hub/idx/blobs/${DIGEST}`,
      `HEAD /v2/hub/pin/blobs/${DIGEST}`,
      `HEAD /v2/hub/bydigest/blobs/${DIGEST}`,
    ])
  })
})

/** Names each batched search asked for, in order (per-image queries are not batches). */
function batches(): string[][] {
  return (agent.getCallHistory()?.calls() ?? [])
    .filter((c) => c.path === '/v2/_zot/ext/search')
    .map((c) => JSON.parse(String(c.body)) as { variables?: Record<string, string> })
    .filter((b) => b.variables)
    .map((b) => Object.values(b.variables ?? {}))
}

describe('batched search look-ahead', () => {
  test('a fully cached run: one tags/list per repository, one search per 50 tags, nothing per image', async () => {
    const held: Record<string, Summary> = {}
    const images: PlannedImage[] = []
    for (let r = 0; r < 60; r++) {
      tags(`app${r}`, ['1', '2'])
      for (const tag of ['1', '2']) {
        held[`hub/app${r}:${tag}`] = single()
        images.push(planned(`app${r}`, tag))
      }
    }
    searchExtension(held)
    const results = await run(images)
    expect(results.map((r) => [r.status, r.digest, r.platforms, r.attempts])).toEqual(
      images.map(() => ['cached', DIGEST, ['linux/arm64'], 1]),
    )
    expect(paths().filter((p) => p.endsWith('/tags/list'))).toHaveLength(60)
    expect(batches().map((b) => b.length)).toEqual([50, 50, 20])
    expect(batches().flat().sort()).toEqual(Object.keys(held).sort())
    expect(paths()).toHaveLength(60 + 3)
  })

  const searchPost = () => zot().intercept({ path: '/v2/_zot/ext/search', method: 'POST' })
  test.each([
    ['a 500', 1, () => searchPost().reply(500, 'boom')],
    [
      'a schema that refuses the query (422)',
      1,
      () =>
        searchPost().reply(422, { errors: [{ message: 'Cannot query field "ArtifactType"' }], data: null }),
    ],
    ['an answer that is not JSON', 1, () => searchPost().reply(200, '<html>')],
    [
      // Read-only, so the client retries it like any local request, up to its budget.
      'a connection dropped on every try',
      5,
      () =>
        searchPost()
          .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
          .times(5),
    ],
  ])(
    'a failed first batch (%s): no more batches, every image takes the per-image path',
    async (_, tries, fail) => {
      fail()
      searchExtension({ 'hub/a:1': single(), 'hub/b:1': single(), 'hub/c:1': single() })
      for (const repo of ['a', 'b', 'c']) {
        tags(repo, ['1'])
        serveManifest(repo, DIGEST)
        serveConfig(repo)
      }
      const results = await run([planned('a', '1'), planned('b', '1'), planned('c', '1')], { searchBatch: 2 })
      expect(results.map((r) => [r.status, r.digest, r.platforms, r.error])).toEqual(
        ['a', 'b', 'c'].map(() => ['cached', DIGEST, ['linux/arm64'], undefined]),
      )
      // The probe batch (and its retries), then one per-image query each; the second batch was never sent.
      expect(batches()).toEqual(Array(tries).fill(['hub/a:1', 'hub/b:1']))
      expect(searches()).toHaveLength(tries + 3)
      expect(paths().filter((p) => p.includes(`/manifests/${DIGEST}`))).toHaveLength(3)
    },
  )

  test('a later batch that fails: only its images ask on their own', async () => {
    const repos = ['a', 'b', 'c', 'd']
    const held: Record<string, Summary> = {}
    for (const repo of repos) {
      tags(repo, ['1'])
      held[`hub/${repo}:1`] = single()
    }
    searchExtension(held, { failCalls: [2] })
    for (const repo of ['c', 'd']) {
      serveManifest(repo, DIGEST)
      serveConfig(repo)
    }
    const results = await run(
      repos.map((r) => planned(r, '1')),
      { searchBatch: 2, concurrency: 1 },
    )
    expect(results.map((r) => [r.status, r.digest, r.platforms])).toEqual(
      repos.map(() => ['cached', DIGEST, ['linux/arm64']]),
    )
    expect(batches()).toEqual([
      ['hub/a:1', 'hub/b:1'],
      ['hub/c:1', 'hub/d:1'],
    ])
    // Two batches, then c and d one by one (search, manifest, config); a and b need nothing more.
    expect(searches()).toHaveLength(2 + 2)
    expect(paths().filter((p) => /manifests|blobs/.test(p))).toEqual([
      `GET /v2/hub/c/manifests/${DIGEST}`,
      `GET /v2/hub/c/blobs/${CONFIG_DIGEST}`,
      `GET /v2/hub/d/manifests/${DIGEST}`,
      `GET /v2/hub/d/blobs/${CONFIG_DIGEST}`,
    ])
  })

  test('a tag Zot lists but search does not know: the batch is asked again without it; only it goes per image', async () => {
    for (const repo of ['a', 'b', 'c']) tags(repo, ['1'])
    // MetaDB lags behind storage for b (Zot then answers data: null and names b's alias).
    searchExtension({ 'hub/a:1': single(), 'hub/c:1': single() })
    const results = await run([planned('a', '1'), planned('b', '1'), planned('c', '1')])
    expect(results.map((r) => [r.status, r.digest])).toEqual([
      ['cached', DIGEST],
      ['cached', undefined],
      ['cached', DIGEST],
    ])
    // What the per-image path reports for a tag search does not know.
    expect(results[1]?.warnings[0]).toMatch(/^platforms not verified/)
    expect(batches()).toEqual([
      ['hub/a:1', 'hub/b:1', 'hub/c:1'],
      ['hub/a:1', 'hub/c:1'],
    ])
    expect(searches()).toHaveLength(3)
    expect(paths().filter((p) => /manifests|blobs/.test(p))).toEqual([])
  })

  test('names travel as variables: quotes and backslashes never reach the query text', async () => {
    const repo = 'we"ird\\x'
    zot()
      .intercept({ path: `/v2/hub/${encodeURIComponent(repo)}/tags/list` })
      .reply(200, { tags: ['1'] })
    searchExtension({ [`hub/${repo}:1`]: single() })
    const [r] = await run([planned(repo, '1')])
    expect(r).toMatchObject({ status: 'cached', digest: DIGEST, platforms: ['linux/arm64'] })
    const [call] = (agent.getCallHistory()?.calls() ?? []).filter((c) => c.method === 'POST')
    const body = JSON.parse(String(call?.body)) as { query: string; variables: Record<string, string> }
    expect(body.variables).toEqual({ r0: `hub/${repo}:1` })
    expect(body.query).not.toContain('ird')
    expect(body.query).toMatch(/^query ZotWarmPresence\(\$r0: String!\) \{ i0: Image\(image: \$r0\)/)
  })

  test('an index: search settles a filter without variants; a filter with one reads the index entries', async () => {
    tags('idx', ['1'])
    searchExtension({ 'hub/idx:1': indexSummary() })
    serveIndex('idx')
    const [plain] = await run([planned('idx', '1')], { platforms: ['linux/arm64', 'linux/arm'] })
    expect(plain).toMatchObject({
      status: 'cached',
      digest: INDEX_DIGEST,
      platforms: ['linux/arm/v7', 'linux/arm64'],
    })
    expect(paths().filter((p) => /manifests|blobs/.test(p))).toEqual([])

    tags('idx', ['1'])
    const [variant] = await run([planned('idx', '1')], { platforms: ['linux/arm/v7'] })
    expect(variant).toMatchObject({ status: 'cached', digest: INDEX_DIGEST, platforms: ['linux/arm/v7'] })
    // The entries come from the index; its children need no HEAD, search listed both.
    expect(paths().filter((p) => /manifests|blobs/.test(p))).toEqual([
      `GET /v2/hub/idx/manifests/${INDEX_DIGEST}`,
    ])
  })

  test('a required platform the index lacks fails from the search answer, naming what it has', async () => {
    tags('idx', ['1'])
    searchExtension({ 'hub/idx:1': indexSummary() })
    const [r] = await run([planned('idx', '1')], { platforms: ['linux/s390x', 'linux/arm64'] })
    expect(r).toMatchObject({
      status: 'failed',
      digest: INDEX_DIGEST,
      error: 'image does not offer linux/s390x',
    })
    expect(r?.diagnosis).toMatch(/does not offer linux\/s390x \(it has linux\/arm64, linux\/arm\/v7\)/)
    expect(paths().filter((p) => /manifests|blobs/.test(p))).toEqual([])
  })

  test('refresh: the look-ahead digest is the "before" that tells a moved tag', async () => {
    const old = `sha256:${'0'.repeat(64)}`
    tags('app', ['1'])
    searchExtension({ 'hub/app:1': single(old) })
    serveManifest('app', '1')
    serveConfig('app')
    const [r] = await run([planned('app', '1')], { refresh: true })
    expect(r).toMatchObject({ status: 'warmed', digest: DIGEST, platforms: ['linux/arm64'] })
    expect(r?.warnings).toEqual([`tag 1 moved upstream: Zot now serves ${DIGEST} (was ${old})`])
    expect(searches()).toHaveLength(1)
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

describe('referrers: what real Zot cannot be made to do', () => {
  const signedSummary = (): Summary => ({
    ...single(),
    IsSigned: true,
    SignatureInfo: [{ Tool: 'cosign' }],
    Referrers: [{ Digest: INDEX_DIGEST, ArtifactType: 'application/spdx+json', Annotations: [] }],
  })
  const referrersPath = `/v2/hub/app/referrers/${DIGEST}`

  test('Zot fails the referrers request: the image stays warmed, a warning says so, search lists what is there', async () => {
    tags('app', [])
    serveManifest('app', '1')
    serveConfig('app')
    zot()
      .intercept({ path: referrersPath })
      .reply(500, { errors: [{ code: 'UNKNOWN', message: 'boom' }] })
    tags('app', ['1'])
    searchExtension({ 'hub/app:1': signedSummary() })
    const [r] = await run([planned('app', '1')], { referrers: 'warm' })
    expect(r).toMatchObject({ status: 'warmed', digest: DIGEST })
    expect(r?.warnings).toEqual([
      `referrers of hub/app@${DIGEST} not copied: Zot answered 500 UNKNOWN to the referrers request`,
    ])
    expect(r?.referrers).toEqual({
      state: 'verified',
      items: [
        { kind: 'signature', subject: DIGEST, form: 'referrer', tool: 'cosign' },
        {
          kind: 'sbom',
          artifactType: 'application/spdx+json',
          digest: INDEX_DIGEST,
          subject: DIGEST,
          form: 'referrer',
        },
      ],
    })
    // Not retried (500 is an answer), and nothing but the one referrers request could have synced.
    expect(paths().filter((p) => p.includes('/referrers/'))).toEqual([`GET ${referrersPath}`])
  })

  test('Zot closes the connection while copying referrers: warned as possibly incomplete, not retried', async () => {
    tags('app', [])
    serveManifest('app', '1')
    serveConfig('app')
    zot()
      .intercept({ path: referrersPath })
      .replyWithError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))
    tags('app', ['1'])
    searchExtension({ 'hub/app:1': { ...single(), IsSigned: false, SignatureInfo: [], Referrers: [] } })
    const [r] = await run([planned('app', '1')], { referrers: 'require-signed' })
    expect(r?.warnings).toEqual([
      `referrers of hub/app@${DIGEST} may be incomplete: Zot at ${ZOT} closed the connection before answering`,
    ])
    // require-signed: no signature in the listing, so the image fails, after the one request.
    expect(r).toMatchObject({ status: 'failed', digest: DIGEST, referrers: { state: 'verified', items: [] } })
    expect(r?.error).toBe(`no signature of hub/app@${DIGEST} in Zot (referrers: require-signed)`)
    expect(paths().filter((p) => p.includes('/referrers/'))).toHaveLength(1)
  })

  test('search fails to answer for the image: "not verified" with the reason, no sync', async () => {
    tags('app', ['1'])
    // Call 1 (the look-ahead) answers, but without what refers to the image; call 2 (the image's own) fails.
    searchExtension({ 'hub/app:1': single() }, { failCalls: [2] })
    serveManifest('app', DIGEST)
    serveConfig('app')
    const [r] = await run([planned('app', '1')], { referrers: 'warm' })
    expect(r?.status).toBe('cached')
    expect(r?.referrers).toEqual({
      state: 'not-verified',
      items: [],
      note: "referrers not verified: Zot's search extension failed to answer (HTTP 500)",
    })
    expect(searches()).toHaveLength(2)
    expect(paths().filter((p) => p.includes('/referrers/'))).toEqual([])
  })
})

describe('tag lists Zot paginates', () => {
  test('pages are followed; only the tags the run asks about are kept', async () => {
    zot()
      .intercept({ path: '/v2/hub/app/tags/list' })
      .reply(
        200,
        { tags: ['a', 'b'] },
        { headers: { link: '</v2/hub/app/tags/list?n=2&last=b>; rel="next"' } },
      )
    zot()
      .intercept({ path: '/v2/hub/app/tags/list?n=2&last=b' })
      .reply(200, { tags: ['1', 'c'] })
    searchExtension({ 'hub/app:1': single() })
    const [r] = await run([planned('app', '1')])
    expect(r).toMatchObject({ status: 'cached', digest: DIGEST })
  })

  test('pages in a loop: the image fails saying so, after one round', async () => {
    zot()
      .intercept({ path: (p) => p.startsWith('/v2/hub/app/tags/list') })
      .reply(200, { tags: ['x'] }, { headers: { link: '</v2/hub/app/tags/list?n=1&last=x>; rel="next"' } })
      .persist()
    const [r] = await run([planned('app', '1')])
    expect(r?.status).toBe('failed')
    expect(r?.error).toBe('Zot at http://zot.test sent the tag list of hub/app in a loop of pages')
  })
})

describe('a failure is paid for once', () => {
  test('a tag list the look-ahead could not get fails every image of the repository without asking again', async () => {
    zot().intercept({ path: '/v2/hub/app/tags/list' }).reply(503, '').persist()
    tags('other', [])
    serveManifest('other', '1')
    serveConfig('other')
    const results = await run([planned('app', '1'), planned('app', '2'), planned('other', '1')])
    expect(results.map((r) => [r.status, r.attempts])).toEqual([
      ['failed', 5],
      ['failed', 5],
      ['warmed', 1],
    ])
    expect(results[0]?.error).toBe('Zot answered 503 for the tag list of hub/app')
    expect(results[0]?.diagnosis).toMatch(/^Zot answered 503 after every retry \(5 tries\)/)
    // One request's tries (the look-ahead's), not one round per image.
    expect(paths().filter((p) => p === 'GET /v2/hub/app/tags/list')).toHaveLength(5)
  })
})
