// Faults during warming, against real Zot servers on loopback: rate limits and gateway errors (injected by a
// fault relay in front of the cache, since Zot itself never answers 429/502), dropped connections, a redirect
// to another host, an upstream that is down, a sync longer than Zot's writeTimeout, and Zot killed and
// restarted in the middle of a run. Where the JSON report shows what matters (status, attempts, diagnosis),
// the bundled CLI runs them; the kill/restart case drives the engine directly to shorten its polling.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { planImages } from '../src/plan/plan.js'
import { parseRegistryMap } from '../src/plan/registry-map.js'
import { ZotClient } from '../src/warm/client.js'
import { warmImages } from '../src/warm/engine.js'
import { DEFAULTS, type ProgressEvent } from '../src/warm/options.js'
import { type DelayProxy, startDelayProxy } from './support/delay-proxy.js'
import { type FaultRelay, gapsMs, type RelayRecord, startFaultRelay } from './support/fault-relay.js'
import { type PushedImage, pushImage, pushImages } from './support/images.js'
import { found } from './support/references.js'
import { listTags } from './support/registry.js'
import { checkDist } from './support/runner.js'
import { warmWithCli } from './support/warm-cli.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const MAP = 'docker.io: docker-images\nghcr.io: ghcr-images'
/** Timer granularity: a wait of N ms can be observed as N - 1 on another clock reading. */
const SLACK_MS = 2

let hub: ZotServer

beforeAll(async () => {
  checkDist()
  hub = await startZot({ name: 'hub' })
})

/** dist/cli.js with the given Zot URL and images; returns the exit code, output and the parsed report. */
const cli = (
  zotUrl: string,
  images: string[],
  extra: { args?: string[]; env?: Record<string, string> } = {},
) => warmWithCli(zotUrl, images, { map: MAP, ...extra })

const manifestByTag = (repo: string, tag = '1') =>
  new RegExp(`^GET /v2/docker-images/${repo}/manifests/${tag}$`)

describe('rate limits, gateway errors and dropped connections (fault relay in front of the cache)', () => {
  let cache: ZotServer
  let relay: FaultRelay
  const pushed = new Map<string, PushedImage>()
  const REPOS = ['team/limited', 'team/bursty', 'team/down', 'team/droplist', 'team/dropsync', 'team/plain']

  beforeAll(async () => {
    cache = await startZot({ name: 'cache', upstreams: [{ url: hub.url, destination: 'docker-images' }] })
    relay = await startFaultRelay(cache.url)
    const images = await pushImages(
      hub.registry(),
      REPOS.map((repo) => ({ repo, tag: '1', kind: 'oci' as const })),
    )
    for (const [i, repo] of REPOS.entries()) pushed.set(repo, images[i] as PushedImage)
  })
  afterAll(async () => {
    await relay?.stop()
  })

  test('429 + Retry-After and 502/503 bursts are retried then succeed; endless 503 stops after the retry budget', async () => {
    relay.inject({
      match: manifestByTag('team/limited'),
      fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
      times: 2,
    })
    relay.inject({ match: manifestByTag('team/bursty'), fault: { kind: 'status', status: 502 }, times: 2 })
    relay.inject({ match: manifestByTag('team/bursty'), fault: { kind: 'status', status: 503 }, times: 1 })
    relay.inject({ match: manifestByTag('team/down'), fault: { kind: 'status', status: 503 } })
    relay.inject({
      match: /^GET \/v2\/docker-images\/team\/droplist\/tags\/list$/,
      fault: { kind: 'drop' },
      times: 1,
    })
    // An ingress that gives up before the sync ends: Zot finishes, the client only sees the connection close.
    relay.inject({
      match: manifestByTag('team/dropsync'),
      fault: { kind: 'drop', afterForward: true },
      times: 1,
    })

    const refs = REPOS.map((r) => `docker.io/${r}:1`)
    const run = await cli(relay.url, refs, { args: ['--concurrency', String(REPOS.length)] })
    expect(run.code, run.stderr).toBe(2)
    expect(run.report.outcome.reason).toBe('1 image failed')

    const digestOf = (repo: string) => pushed.get(repo)?.digest
    const statusesAt = (re: RegExp) => relay.requests(re).map((r) => r.status ?? r.outcome)
    const waits = (re: RegExp) => gapsMs(relay.requests(re))

    // 429 ×2 with Retry-After: 1 → each retry waits at least the second Zot asked for.
    const limited = run.image('docker.io/team/limited:1')
    expect(limited).toMatchObject({ status: 'warmed', attempts: 3, digest: digestOf('team/limited') })
    expect(statusesAt(manifestByTag('team/limited'))).toEqual([429, 429, 200])
    for (const gap of waits(manifestByTag('team/limited')))
      expect(gap).toBeGreaterThanOrEqual(1000 - SLACK_MS)

    // 502, 502, 503 without Retry-After → exponential backoff with equal jitter: ≥ base/2 · 2^n.
    const base = DEFAULTS.retry.baseDelayMs
    const bursty = run.image('docker.io/team/bursty:1')
    expect(bursty).toMatchObject({ status: 'warmed', attempts: 4, digest: digestOf('team/bursty') })
    expect(statusesAt(manifestByTag('team/bursty'))).toEqual([502, 502, 503, 200])
    waits(manifestByTag('team/bursty')).forEach((gap, n) => {
      expect(gap).toBeGreaterThanOrEqual((base / 2) * 2 ** n - SLACK_MS)
    })

    // Endless 503: bounded by the retry budget, reported as failed with the attempts and a diagnosis.
    const down = run.image('docker.io/team/down:1')
    expect(down).toMatchObject({ status: 'failed', attempts: DEFAULTS.retry.attempts })
    expect(down.error).toBe('Zot answered 503 UNAVAILABLE for docker-images/team/down:1')
    expect(down.diagnosis).toMatch(/Zot answered 503 after every retry/)
    expect(statusesAt(manifestByTag('team/down'))).toEqual(Array(DEFAULTS.retry.attempts).fill(503))
    waits(manifestByTag('team/down')).forEach((gap, n) => {
      expect(gap).toBeGreaterThanOrEqual((base / 2) * 2 ** n - SLACK_MS)
    })
    expect(run.stderr).toMatch(/: error: docker\.io\/team\/down:1 failed: Zot answered 503/)

    // A dropped tags/list is retried like any local request.
    const tagsList = /^GET \/v2\/docker-images\/team\/droplist\/tags\/list$/
    expect(run.image('docker.io/team/droplist:1')).toMatchObject({ status: 'warmed', attempts: 2 })
    // The third: read again after Zot copied the image's referrers (cosign's legacy tags appear only then).
    expect(statusesAt(tagsList)).toEqual(['drop', 404, 200])
    expect(waits(tagsList)[0]).toBeGreaterThanOrEqual(base / 2 - SLACK_MS)

    // A dropped sync is not asked again: the image appeared while polling, with the writeTimeout advice.
    const dropsync = run.image('docker.io/team/dropsync:1')
    expect(dropsync).toMatchObject({ status: 'warmed', digest: digestOf('team/dropsync') })
    expect(dropsync.warnings.join('\n')).toMatch(/closed the connection during the sync.*writeTimeout/)
    expect(relay.requests(manifestByTag('team/dropsync')).map((r) => [r.outcome, r.status])).toEqual([
      ['drop', 200],
    ])

    expect(run.image('docker.io/team/plain:1')).toMatchObject({ status: 'warmed', attempts: 1 })
    // The images that were retried into success are really in the cache.
    for (const repo of ['team/limited', 'team/bursty', 'team/droplist', 'team/dropsync'])
      expect((await listTags(cache.registry(), `docker-images/${repo}`)).tags).toEqual(['1'])
  })
})

describe('a redirect to another host (a blob served from object storage)', () => {
  const USER = 'deployer'
  const PASSWORD = `pw-${randomBytes(10).toString('hex')}`
  const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`
  let cache: ZotServer
  let front: FaultRelay
  let storage: FaultRelay

  beforeAll(async () => {
    cache = await startZot({
      name: 'auth-cache',
      auth: { users: { [USER]: PASSWORD } },
      upstreams: [{ url: hub.url, destination: 'docker-images' }],
    })
    // "Object storage": needs nothing from the client (a pre-signed URL); it fetches from Zot by itself.
    storage = await startFaultRelay(cache.url, { targetAuthorization: BASIC })
    front = await startFaultRelay(cache.url)
    front.inject({
      match: /^GET \/v2\/.+\/(blobs|manifests)\//,
      fault: { kind: 'redirect', to: storage.url },
    })
    await pushImages(hub.registry(), [
      { repo: 'team/stored', tag: '1', kind: 'oci' },
      { repo: 'team/stored-multi', tag: '2', kind: 'oci-index', platforms: ['linux/amd64', 'linux/arm64'] },
    ])
  })
  afterAll(async () => {
    await Promise.all([front?.stop(), storage?.stop()])
  })

  test('the images warm through the redirect; the Authorization header is never sent to the other host', async () => {
    const run = await cli(front.url, ['docker.io/team/stored:1', 'docker.io/team/stored-multi:2'], {
      env: { ZOT_WARM_USERNAME: USER, ZOT_WARM_PASSWORD: PASSWORD },
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.image('docker.io/team/stored:1')).toMatchObject({
      status: 'warmed',
      platforms: ['linux/amd64'],
    })
    expect(run.image('docker.io/team/stored-multi:2')).toMatchObject({
      status: 'warmed',
      platforms: ['linux/amd64', 'linux/arm64'],
    })
    const redirected = front.records.filter((r) => r.outcome === 'redirect')
    // The manifest GETs by tag (the syncs) and the config blob of the single-platform image went to storage.
    expect(storage.requests().map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /v2/docker-images/team/stored/manifests/1',
        'GET /v2/docker-images/team/stored-multi/manifests/2',
        expect.stringMatching(/^GET \/v2\/docker-images\/team\/stored\/blobs\/sha256:/),
      ]),
    )
    expect(storage.records).toHaveLength(redirected.length)
    // Asserted where it matters: at the other host.
    expect(storage.records.map((r) => r.headers.authorization ?? null)).toEqual(
      storage.records.map(() => null),
    )
    // Zot's own origin got the credentials on every request.
    expect(front.records.map((r) => r.headers.authorization)).toEqual(front.records.map(() => BASIC))
  })
})

describe('an upstream that is down', () => {
  let ghcr: ZotServer
  let deadHub: ZotServer
  let cache: ZotServer

  beforeAll(async () => {
    ;[ghcr, deadHub] = await Promise.all([startZot({ name: 'ghcr' }), startZot({ name: 'dead-hub' })])
    cache = await startZot({
      name: 'two-upstream-cache',
      upstreams: [
        { url: deadHub.url, destination: 'docker-images' },
        { url: ghcr.url, destination: 'ghcr-images' },
      ],
    })
    await Promise.all([
      pushImage(deadHub.registry(), { repo: 'team/gone', tag: '1', kind: 'oci' }),
      pushImage(ghcr.registry(), { repo: 'acme/alive', tag: '1', kind: 'oci-index' }),
    ])
    await deadHub.stop()
  })

  test('its images fail with a diagnosis naming the upstream and Zot’s log; the other mapping still warms', async () => {
    const mark = cache.logMark()
    const run = await cli(cache.url, ['docker.io/team/gone:1', 'ghcr.io/acme/alive:1'])
    expect(run.code, run.stderr).toBe(2)
    const gone = run.image('docker.io/team/gone:1')
    expect(gone.status).toBe('failed')
    expect(gone.error).toBe('Zot answered 404 NAME_UNKNOWN for docker-images/team/gone:1')
    expect(gone.diagnosis).toContain(
      'after syncing docker-images/team/gone:1 (upstream docker.io/team/gone); Zot\'s log says why (look for "team/gone").',
    )
    expect(gone.diagnosis).toContain('the upstream is down or unreachable from Zot')
    expect(gone.diagnosis).toContain(
      'In Zot\'s log, "connection refused", "no such host" or "timeout" means Zot cannot reach the upstream',
    )
    expect(run.image('ghcr.io/acme/alive:1')).toMatchObject({ status: 'warmed' })
    expect(run.image('ghcr.io/acme/alive:1').platforms).toHaveLength(3)
    // Following the hint finds the cause: Zot logs the refused upstream under the upstream path.
    const hinted = cache.logSince(mark).filter((l) => l.includes('team/gone'))
    expect(hinted.some((l) => l.includes('connection refused') && l.includes(deadHub.host))).toBe(true)
  })
})

describe('a sync longer than Zot’s writeTimeout', () => {
  let proxy: DelayProxy
  let cache: ZotServer

  beforeAll(async () => {
    proxy = await startDelayProxy(hub.url, { delayMs: 2500, match: /^GET \/v2\/.+\/blobs\// })
    cache = await startZot({
      name: 'cache-write-timeout-1s',
      writeTimeout: '1s',
      upstreams: [{ url: proxy.url, destination: 'docker-images' }],
    })
  })
  afterAll(async () => {
    await proxy?.stop()
  })

  test('Zot hangs up after 1s; the CLI polls and reports the image warmed with the writeTimeout advice', async () => {
    const image = await pushImage(hub.registry(), { repo: 'team/large', tag: '1', kind: 'oci', layers: 2 })
    const mark = cache.logMark()
    const run = await cli(cache.url, ['docker.io/team/large:1'])
    expect(run.code, run.stderr).toBe(0)
    const large = run.image('docker.io/team/large:1')
    expect(large).toMatchObject({ status: 'warmed', digest: image.digest, platforms: ['linux/amd64'] })
    expect(large.warnings.join('\n')).toMatch(/writeTimeout.*"0s"/)
    expect(proxy.delayed).toBeGreaterThan(0)
    // Zot did answer the manifest GET, but only after its writeTimeout had closed the connection.
    expect(
      cache
        .logSince(mark)
        .some((l) => /manifests\/1/.test(l) && /"statusCode":200/.test(l) && /latency":"[2-9]/.test(l)),
    ).toBe(true)
  })
})

describe('Zot killed and restarted in the middle of a run', () => {
  let upstreamRelay: FaultRelay
  let cache: ZotServer

  beforeAll(async () => {
    upstreamRelay = await startFaultRelay(hub.url)
    cache = await startZot({
      name: 'cache-killed',
      upstreams: [{ url: upstreamRelay.url, destination: 'docker-images' }],
    })
  })
  afterAll(async () => {
    await upstreamRelay?.stop()
  })

  test('the in-flight sync is retried after the restart; every image ends warmed with the right digest', async () => {
    const repos = ['kill/one', 'kill/two', 'kill/three', 'kill/four']
    const images = await pushImages(
      hub.registry(),
      repos.map((repo) => ({ repo, tag: '1', kind: 'oci' as const })),
    )
    // Zot's sync of kill/two stops at its first blob until released: the run is then mid-flight, for sure.
    const held = upstreamRelay.inject({
      match: /^GET \/v2\/kill\/two\/blobs\//,
      fault: { kind: 'hold' },
      times: 1,
    })
    const client = new ZotClient({
      url: cache.url,
      // Enough budget to outlast a restart on a busy machine; the default budget is about 4-8 s.
      retry: { attempts: 30, baseDelayMs: 100, maxDelayMs: 1000 },
    })
    const events: ProgressEvent[] = []
    const plan = planImages(
      repos.map((r) => found('docker.io', r, { tag: '1' })),
      parseRegistryMap(MAP),
    )
    try {
      const running = warmImages(plan.images, client, {
        mode: 'warm',
        refresh: false,
        concurrency: 1,
        imageTimeoutMs: 90_000,
        poll: { initialDelayMs: 200, maxDelayMs: 400 },
        onProgress: (e) => events.push(e),
      })
      await held.waitForHits(1)
      const oldPid = cache.pid
      cache.kill()
      await cache.restart()
      expect(cache.pid).not.toBe(oldPid)
      held.release()
      const results = await running

      expect(results.map((r) => [r.reference, r.status, r.digest])).toEqual(
        repos.map((r, i) => [`docker.io/${r}:1`, 'warmed', images[i]?.digest]),
      )
      // kill/one was done before the kill, kill/three and kill/four started after the restart.
      expect(events.filter((e) => e.type === 'finish').map((e) => e.reference)).toEqual(
        repos.map((r) => `docker.io/${r}:1`),
      )
      const two = results[1]
      expect(two?.attempts).toBeGreaterThan(1)
      // The first sync died with Zot (its held blob request is never answered); the restarted Zot synced again.
      const twoBlobs = upstreamRelay.requests(/^GET \/v2\/kill\/two\/blobs\//)
      expect(twoBlobs[0]?.held).toBe(true)
      expect(twoBlobs.slice(1).every((r: RelayRecord) => r.outcome === 'forwarded' && r.status === 200)).toBe(
        true,
      )
      expect(twoBlobs.length).toBeGreaterThan(1)
      for (const repo of repos)
        expect((await listTags(cache.registry(), `docker-images/${repo}`)).tags).toEqual(['1'])
    } finally {
      await client.close()
    }
  })
})
