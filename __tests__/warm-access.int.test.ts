// Pre-flight and access against real Zot: basic auth (good, bad, missing), TLS (with CA, without, skipped),
// unreachable Zot, and redirects that must not carry credentials to another host.
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { HardFailure } from '../src/errors.js'
import { planImages } from '../src/plan/plan.js'
import { parseRegistryMap } from '../src/plan/registry-map.js'
import { ZotClient } from '../src/warm/client.js'
import { warmImages } from '../src/warm/engine.js'
import type { ZotClientOptions } from '../src/warm/options.js'
import { preflight } from '../src/warm/preflight.js'
import { pushImage } from './support/images.js'
import { type RecordingServer, startRecordingServer } from './support/recording-server.js'
import { found } from './support/references.js'
import { type ClientPki, clientPki, otherCaPem } from './support/tls.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const PASSWORD = 'alice-Secret-pw-42'
const MAP = parseRegistryMap('docker.io=docker-images')

async function withClient<T>(opts: ZotClientOptions, fn: (c: ZotClient) => Promise<T>): Promise<T> {
  const client = new ZotClient(opts)
  try {
    return await fn(client)
  } finally {
    await client.close()
  }
}

async function hardFailure(opts: ZotClientOptions): Promise<HardFailure> {
  const err = await withClient(opts, (c) => preflight(c)).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(HardFailure)
  return err as HardFailure
}

const QUICK_RETRY = { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 }

describe('basic auth', () => {
  let hub: ZotServer
  let cache: ZotServer

  beforeAll(async () => {
    hub = await startZot({ name: 'hub' })
    cache = await startZot({
      name: 'cache-auth',
      auth: { users: { alice: PASSWORD } },
      upstreams: [{ url: hub.url, destination: 'docker-images' }],
    })
  })
  afterAll(async () => {
    await Promise.all([hub?.stop(), cache?.stop()])
  })

  test('good credentials: pre-flight reports basic auth and the version info; images warm', async () => {
    const image = await pushImage(hub.registry(), { repo: 'team/private', tag: '1', kind: 'oci' })
    await withClient({ url: cache.url, username: 'alice', password: PASSWORD }, async (client) => {
      const info = await preflight(client)
      expect(info.url).toBe(cache.url)
      expect(info.auth).toBe('basic')
      // This test binary is built with `go install` (no -ldflags): Zot reports an empty release tag.
      expect(info.version).toBeUndefined()
      expect(info.extensions).toEqual(['search', 'mgmt'])
      const plan = planImages([found('docker.io', 'team/private', { tag: '1' })], MAP)
      const [r] = await warmImages(plan.images, client, {
        mode: 'warm',
        refresh: false,
        concurrency: 2,
        imageTimeoutMs: 60_000,
      })
      expect(r).toMatchObject({ status: 'warmed', digest: image.digest })
    })
  })

  test('a wrong password is one hard failure before any image is touched, without the secret', async () => {
    const before = await cache.requestCount()
    const err = await hardFailure({
      url: cache.url,
      username: 'alice',
      password: 'wrong-pw',
      retry: QUICK_RETRY,
    })
    expect(err.message).toBe('Zot rejected the credentials for alice')
    expect(err.hint).toMatch(/Check username and password/)
    expect((await cache.requestCount()) - before).toBe(1)
    const text = `${err.message} ${err.hint} ${err.stack}`
    expect(text).not.toContain('wrong-pw')
    expect(text).not.toContain(Buffer.from('alice:wrong-pw').toString('base64'))
  })

  test('no credentials: asks for them', async () => {
    const err = await hardFailure({ url: cache.url })
    expect(err.message).toBe('Zot requires credentials: set username and password')
  })
})

describe('anonymous read allowed', () => {
  test('wrong credentials are still refused (Zot does not fall back to anonymous)', async () => {
    const zot = await startZot({ name: 'anon', auth: { users: { alice: PASSWORD }, anonymousRead: true } })
    try {
      await withClient({ url: zot.url }, async (c) => {
        // 200 to anonymous /v2/, with a Basic challenge header all the same.
        expect((await preflight(c)).auth).toBe('basic')
      })
      const err = await hardFailure({ url: zot.url, username: 'alice', password: 'nope' })
      expect(err.message).toBe('Zot rejected the credentials for alice')
    } finally {
      await zot.stop()
    }
  })
})

describe('TLS', () => {
  let hub: ZotServer
  let cache: ZotServer

  beforeAll(async () => {
    hub = await startZot({ name: 'hub-tls-test' })
    cache = await startZot({
      name: 'cache-tls',
      tls: true,
      upstreams: [{ url: hub.url, destination: 'docker-images' }],
    })
  })
  afterAll(async () => {
    await Promise.all([hub?.stop(), cache?.stop()])
  })

  test('with the CA: pre-flight passes and an image warms', async () => {
    const image = await pushImage(hub.registry(), { repo: 'team/secure', tag: '1', kind: 'oci-index' })
    await withClient({ url: cache.url, ca: cache.caPem }, async (client) => {
      await preflight(client)
      expect(client.warnings).toEqual([])
      const plan = planImages([found('docker.io', 'team/secure', { tag: '1' })], MAP)
      const [r] = await warmImages(plan.images, client, {
        mode: 'warm',
        refresh: false,
        concurrency: 2,
        imageTimeoutMs: 60_000,
      })
      expect(r).toMatchObject({ status: 'warmed', digest: image.digest })
    })
  })

  test('without the CA: a clear error that names the fix', async () => {
    const err = await hardFailure({ url: cache.url })
    expect(err.message).toMatch(
      new RegExp(
        `^TLS verification failed for ${cache.url.replaceAll('.', '\\.')}: the certificate (is signed by an unknown authority|chain ends in an untrusted self-signed CA) \\([A-Z_]+\\)$`,
      ),
    )
    // The fix is said once, in the hint.
    expect(err.hint).toBe(
      'Pass the CA that signed Zot’s certificate in `ca-cert`, or (test setups only) set skip-tls-verify: true.',
    )
  })

  test('with the wrong CA: the same clear error', async () => {
    const err = await hardFailure({ url: cache.url, ca: await otherCaPem() })
    expect(err.message).toMatch(/^TLS verification failed for https:\/\/127\.0\.0\.1:\d+: /)
  })

  test('skip-tls-verify: works, with a warning', async () => {
    await withClient({ url: cache.url, insecureSkipVerify: true }, async (client) => {
      await preflight(client)
      expect(client.warnings).toEqual([
        `TLS verification is off for ${cache.url} (skip-tls-verify): anyone on the network path can impersonate Zot and read the credentials.`,
      ])
    })
  })

  test('http:// to the TLS port: says to use https', async () => {
    const err = await hardFailure({ url: cache.url.replace('https://', 'http://') })
    expect(err.message).toBe(`Zot at ${cache.url.replace('https://', 'http://')} expects HTTPS`)
  })

  test('https:// to a plain HTTP port: says the server does not speak TLS', async () => {
    const err = await hardFailure({ url: hub.url.replace('http://', 'https://'), retry: QUICK_RETRY })
    expect(err.message).toMatch(
      /^TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed: the server does not speak TLS/,
    )
  })
})

describe('mutual TLS', () => {
  let zot: ZotServer
  let pki: ClientPki

  beforeAll(async () => {
    pki = await clientPki()
    zot = await startZot({
      name: 'mtls',
      tls: true,
      mutateConfig: (c) => {
        c.http.tls.cacert = pki.caFile
      },
    })
  })
  afterAll(async () => {
    await zot?.stop()
    pki?.cleanup()
  })

  test('with the client certificate and key: pre-flight passes', async () => {
    await withClient({ url: zot.url, ca: zot.caPem, cert: pki.certPem, key: pki.keyPem }, (c) => preflight(c))
  })

  test('without them: Zot lets the handshake through and answers 401; the hint names client certificates', async () => {
    // Zot uses VerifyClientCertIfGiven: a client without a certificate is anonymous, not refused at TLS level.
    const err = await hardFailure({ url: zot.url, ca: zot.caPem })
    expect(err.message).toBe('Zot requires credentials: set username and password')
    expect(err.hint).toBe(
      'Set username and password (or token) for Zot, or client-cert and client-key if Zot authenticates clients by certificate (mutual TLS).',
    )
  })

  test('a certificate from another CA: the connection closes, the hint points at the certificate', async () => {
    const stranger = await clientPki()
    try {
      const err = await hardFailure({
        url: zot.url,
        ca: zot.caPem,
        cert: stranger.certPem,
        key: stranger.keyPem,
        retry: QUICK_RETRY,
      })
      // TLS 1.3: the refusal comes after the client's side of the handshake; Node only sees the close.
      expect(err.message).toBe(`Zot at ${zot.url} closed the connection before answering`)
      expect(err.hint).toMatch(
        /^Zot may have refused the client certificate: check that client-cert is signed by the CA/,
      )
    } finally {
      stranger.cleanup()
    }
  })
})

describe('unreachable', () => {
  test('connection refused is a hard failure naming the URL', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as { port: number }
    await new Promise((resolve) => probe.close(resolve))
    const err = await hardFailure({ url: `http://127.0.0.1:${port}`, retry: QUICK_RETRY })
    expect(err.message).toBe(`cannot reach Zot at http://127.0.0.1:${port}: connection refused`)
    expect(err.hint).toMatch(/zot-url/)
  })
})

describe('redirects', () => {
  let zot: ZotServer
  let relay: RecordingServer
  let elsewhere: RecordingServer

  beforeAll(async () => {
    zot = await startZot({ name: 'auth-behind-relay', auth: { users: { alice: PASSWORD } } })
    elsewhere = await startRecordingServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
    // A relay in front of Zot: /v2/ goes to Zot (same credentials expected there), /v2/x/tags/list to another host.
    relay = await startRecordingServer((req, res) => {
      const target = req.url?.startsWith('/v2/x/') ? `${elsewhere.url}${req.url}` : `${zot.url}${req.url}`
      res.writeHead(307, { location: target }).end()
    })
  })
  afterAll(async () => {
    await Promise.all([zot?.stop(), relay?.stop(), elsewhere?.stop()])
  })

  test('credentials never follow a redirect to another origin', async () => {
    await withClient({ url: relay.url, username: 'alice', password: PASSWORD }, async (client) => {
      // Zot is another origin than the configured URL: it gets no credentials, so it answers 401.
      const res = await client.request({ method: 'GET', path: '/v2/' })
      expect(res.status).toBe(401)
      const other = await client.request({ method: 'GET', path: '/v2/x/tags/list' })
      expect(other.status).toBe(200)
    })
    const basic = `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`
    expect(relay.requests.map((r) => r.headers.authorization)).toEqual([basic, basic])
    expect(elsewhere.requests).toHaveLength(1)
    expect(elsewhere.requests[0]?.headers.authorization).toBeUndefined()
  })
})
