// ZotClient edge cases a real Zot cannot produce on demand: retries, Retry-After, bursts of 5xx, network
// errors, the bearer token flow, redirects to other hosts, and error wording without secrets.
import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { HardFailure, withHint } from '../src/errors.js'
import { ZotClient } from '../src/warm/client.js'
import { authFailure, retryLine } from '../src/warm/diagnose.js'
import { toRequestError, ZotRequestError } from '../src/warm/errors.js'
import type { RetryEvent, ZotClientOptions } from '../src/warm/options.js'
import { preflight } from '../src/warm/preflight.js'

const ZOT = 'http://zot.test'
const PASSWORD = 'pa55-w0rd-s3cret'
const BASIC = Buffer.from(`alice:${PASSWORD}`).toString('base64')

let agent: MockAgent
let delays: number[]

beforeEach(() => {
  agent = new MockAgent({ enableCallHistory: true })
  agent.disableNetConnect()
  delays = []
})

afterEach(async () => {
  await agent.close()
})

function client(extra: Partial<ZotClientOptions> = {}): ZotClient {
  return new ZotClient({
    url: ZOT,
    dispatcher: agent,
    retry: {
      attempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 1000,
      maxRetryAfterMs: 30_000,
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms)
      },
    },
    ...extra,
  })
}

const calls = () => agent.getCallHistory()?.calls() ?? []

function netError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code })
}

describe('retry layer', () => {
  test('429 with Retry-After in seconds waits that long, then succeeds', async () => {
    const zot = agent.get(ZOT)
    zot.intercept({ path: '/v2/a/tags/list' }).reply(429, '', { headers: { 'retry-after': '2' } })
    zot.intercept({ path: '/v2/a/tags/list' }).reply(200, { tags: ['1'] })
    const res = await client().request({ method: 'GET', path: '/v2/a/tags/list' })
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(2)
    expect(delays).toEqual([2000])
  })

  test('429 with Retry-After as an HTTP date waits until then', async () => {
    const zot = agent.get(ZOT)
    const at = new Date(Date.now() + 5000).toUTCString()
    zot.intercept({ path: '/v2/' }).reply(429, '', { headers: { 'retry-after': at } })
    zot.intercept({ path: '/v2/' }).reply(200, '')
    const res = await client().request({ method: 'GET', path: '/v2/' })
    expect(res.status).toBe(200)
    expect(delays).toHaveLength(1)
    // HTTP dates have one-second resolution.
    expect(delays[0]).toBeGreaterThan(3000)
    expect(delays[0]).toBeLessThanOrEqual(5000)
  })

  test('a huge Retry-After is capped', async () => {
    const zot = agent.get(ZOT)
    zot.intercept({ path: '/v2/' }).reply(429, '', { headers: { 'retry-after': '86400' } })
    zot.intercept({ path: '/v2/' }).reply(200, '')
    await client().request({ method: 'GET', path: '/v2/' })
    expect(delays).toEqual([30_000])
  })

  test('a burst of 502, 503, 504 is retried with exponential backoff', async () => {
    const zot = agent.get(ZOT)
    for (const status of [502, 503, 504]) zot.intercept({ path: '/v2/' }).reply(status, 'busy')
    zot.intercept({ path: '/v2/' }).reply(200, '')
    const res = await client().request({ method: 'GET', path: '/v2/' })
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(4)
    // random() = 0.5 → three quarters of each step: 100, 200, 400 ms steps.
    expect(delays).toEqual([75, 150, 300])
  })

  test('jitter spreads the wait within the step', async () => {
    const zot = agent.get(ZOT)
    zot.intercept({ path: '/v2/' }).reply(503, '').times(2)
    zot.intercept({ path: '/v2/' }).reply(200, '')
    await client({
      retry: { baseDelayMs: 100, random: () => 0, sleep: async (ms) => void delays.push(ms) },
    }).request({
      method: 'GET',
      path: '/v2/',
    })
    expect(delays).toEqual([50, 100])
  })

  test('attempts are bounded: the last answer is returned', async () => {
    agent.get(ZOT).intercept({ path: '/v2/' }).reply(503, 'down').persist()
    const res = await client().request({ method: 'GET', path: '/v2/' })
    expect(res.status).toBe(503)
    expect(res.attempts).toBe(4)
    expect(calls()).toHaveLength(4)
    expect(delays).toHaveLength(3)
  })

  test.each([400, 401, 403, 404, 405, 409, 500])('%i is an answer, not retried', async (status) => {
    agent.get(ZOT).intercept({ path: '/v2/a/manifests/1' }).reply(status, '').persist()
    const res = await client().request({ method: 'GET', path: '/v2/a/manifests/1' })
    expect(res.status).toBe(status)
    expect(res.attempts).toBe(1)
    expect(calls()).toHaveLength(1)
  })

  test('network errors are retried', async () => {
    const zot = agent.get(ZOT)
    zot.intercept({ path: '/v2/' }).replyWithError(netError('ECONNRESET', 'read ECONNRESET'))
    zot.intercept({ path: '/v2/' }).replyWithError(netError('ECONNREFUSED', 'connect ECONNREFUSED'))
    zot.intercept({ path: '/v2/' }).reply(200, '')
    const res = await client().request({ method: 'GET', path: '/v2/' })
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(3)
  })

  test('persistent refusal ends as one precise error after the bounded attempts', async () => {
    agent.get(ZOT).intercept({ path: '/v2/' }).replyWithError(netError('ECONNREFUSED')).persist()
    const err = await client()
      .request({ method: 'GET', path: '/v2/' })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ZotRequestError)
    expect((err as ZotRequestError).message).toBe('cannot reach Zot at http://zot.test: connection refused')
    expect((err as ZotRequestError).attempts).toBe(4)
  })

  test('an unknown host name is not retried', async () => {
    agent.get(ZOT).intercept({ path: '/v2/' }).replyWithError(netError('ENOTFOUND')).persist()
    const err = (await client()
      .request({ method: 'GET', path: '/v2/' })
      .catch((e: unknown) => e)) as ZotRequestError
    expect(err.kind).toBe('unreachable')
    expect(err.attempts).toBe(1)
  })

  test('a closed connection during a sync request is not retried: the caller polls', async () => {
    agent
      .get(ZOT)
      .intercept({ path: '/v2/a/manifests/1' })
      .replyWithError(netError('UND_ERR_SOCKET', 'other side closed'))
      .persist()
    const err = (await client()
      .request({ method: 'GET', path: '/v2/a/manifests/1', sync: true })
      .catch((e: unknown) => e)) as ZotRequestError
    expect(err.kind).toBe('closed')
    expect(err.attempts).toBe(1)
    expect(calls()).toHaveLength(1)
  })

  test('cancelling during a backoff stops at once', async () => {
    agent.get(ZOT).intercept({ path: '/v2/' }).reply(503, '').persist()
    const controller = new AbortController()
    const c = client({
      retry: {
        sleep: async () => {
          controller.abort()
          throw new Error('aborted')
        },
      },
    })
    const err = (await c
      .request({ method: 'GET', path: '/v2/', signal: controller.signal })
      .catch((e: unknown) => e)) as ZotRequestError
    expect(err.kind).toBe('cancelled')
    expect(calls()).toHaveLength(1)
  })
})

describe('authentication', () => {
  test('basic credentials are sent up front', async () => {
    agent
      .get(ZOT)
      .intercept({ path: '/v2/', headers: { authorization: `Basic ${BASIC}` } })
      .reply(200, '')
    const res = await client({ username: 'alice', password: PASSWORD }).request({
      method: 'GET',
      path: '/v2/',
    })
    expect(res.status).toBe(200)
    expect(calls()).toHaveLength(1)
  })

  test('a static token is sent as Bearer', async () => {
    agent
      .get(ZOT)
      .intercept({ path: '/v2/', headers: { authorization: 'Bearer oidc-jwt' } })
      .reply(200, '')
    expect((await client({ token: 'oidc-jwt' }).request({ method: 'GET', path: '/v2/' })).status).toBe(200)
  })

  test('a Bearer challenge is answered with the token flow; tokens are cached per scope', async () => {
    const zot = agent.get(ZOT)
    const auth = agent.get('https://auth.test')
    const challenge = (scope: string) => ({
      'www-authenticate': `Bearer realm="https://auth.test/token",service="zot",scope="${scope}"`,
    })
    const tokenRequests: string[] = []
    auth
      .intercept({ path: (p) => p.startsWith('/token'), headers: { authorization: `Basic ${BASIC}` } })
      .reply((opts) => {
        const scope = new URL(opts.path, 'https://auth.test').searchParams.get('scope') ?? ''
        tokenRequests.push(scope)
        return { statusCode: 200, data: { token: `tok-${scope}`, expires_in: 300 } }
      })
      .persist()
    const seen: string[] = []
    zot
      .intercept({ path: (p) => p.startsWith('/v2/'), method: () => true })
      .reply((opts) => {
        const headers = opts.headers as Record<string, string>
        const authz = headers.authorization ?? ''
        seen.push(`${opts.path} ${authz}`)
        const repo = /^\/v2\/(.+)\/tags\/list$/.exec(opts.path)?.[1]
        const scope = `repository:${repo}:pull`
        if (authz === `Bearer tok-${scope}`) return { statusCode: 200, data: { tags: ['x'] } }
        return { statusCode: 401, data: '', responseOptions: { headers: challenge(scope) } }
      })
      .persist()
    const c = client({ username: 'alice', password: PASSWORD })
    for (const repo of ['a', 'b', 'a', 'b', 'a']) {
      const res = await c.request({ method: 'GET', path: `/v2/${repo}/tags/list` })
      expect(res.status).toBe(200)
    }
    // One token per scope, reused afterwards.
    expect(tokenRequests).toEqual(['repository:a:pull', 'repository:b:pull'])
    // Only the very first request goes with basic and meets the challenge; from then on the client knows the
    // realm and fetches (or reuses) the token for each scope before asking.
    expect(seen).toHaveLength(6)
    expect(seen[0]).toBe(`/v2/a/tags/list Basic ${BASIC}`)
    expect(seen.slice(1).every((s) => s.includes('Bearer tok-repository:'))).toBe(true)
    expect(c.authScheme).toBe('bearer')
  })

  test('a rejected token request leaves the 401 for the caller', async () => {
    agent
      .get(ZOT)
      .intercept({ path: '/v2/' })
      .reply(401, '', {
        headers: { 'www-authenticate': 'Bearer realm="http://zot.test/token",service="zot"' },
      })
      .persist()
    agent
      .get(ZOT)
      .intercept({ path: (p) => p.startsWith('/token') })
      .reply(401, '')
      .persist()
    const res = await client({ username: 'alice', password: PASSWORD }).request({
      method: 'GET',
      path: '/v2/',
    })
    expect(res.status).toBe(401)
  })

  test('credentials are not sent in clear text to a token realm on another host', async () => {
    agent
      .get(ZOT)
      .intercept({ path: '/v2/' })
      .reply(401, '', {
        headers: { 'www-authenticate': 'Bearer realm="http://evil.test/token",service="zot"' },
      })
    let authorization: string | undefined = 'unset'
    agent
      .get('http://evil.test')
      .intercept({ path: (p) => p.startsWith('/token') })
      .reply((opts) => {
        authorization = (opts.headers as Record<string, string>).authorization
        return { statusCode: 401, data: '' }
      })
    await client({ username: 'alice', password: PASSWORD }).request({ method: 'GET', path: '/v2/' })
    expect(authorization).toBeUndefined()
  })

  test('a challenge from a host Zot redirected to is not Zot’s: no token flow, no credentials to its realm', async () => {
    // Zot 307 → other.test; other.test answers 401 with a Bearer challenge naming a realm on a third host.
    const zotSeen: (string | undefined)[] = []
    agent
      .get(ZOT)
      .intercept({ path: '/v2/a/tags/list' })
      .reply((opts) => {
        zotSeen.push((opts.headers as Record<string, string>).authorization)
        return {
          statusCode: 307,
          data: '',
          responseOptions: { headers: { location: 'http://other.test/v2/a/tags/list' } },
        }
      })
      .persist()
    const otherSeen: (string | undefined)[] = []
    agent
      .get('http://other.test')
      .intercept({ path: '/v2/a/tags/list' })
      .reply((opts) => {
        otherSeen.push((opts.headers as Record<string, string>).authorization)
        return {
          statusCode: 401,
          data: '',
          responseOptions: {
            headers: { 'www-authenticate': 'Bearer realm="https://realm.test/token",service="x"' },
          },
        }
      })
      .persist()
    const realmSeen: (string | undefined)[] = []
    agent
      .get('https://realm.test')
      .intercept({ path: (p) => p.startsWith('/token') })
      .reply((opts) => {
        realmSeen.push((opts.headers as Record<string, string>).authorization)
        return { statusCode: 200, data: { token: 'stolen-token' } }
      })
      .persist()
    const c = client({ username: 'alice', password: PASSWORD })
    const res = await c.request({ method: 'GET', path: '/v2/a/tags/list' })
    expect(realmSeen).toEqual([])
    expect(zotSeen).toEqual([`Basic ${BASIC}`])
    expect(otherSeen).toEqual([undefined])
    expect(res.status).toBe(401)
    expect(res.answeredBy).toBe('http://other.test')
    expect(c.authScheme).toBeUndefined()
  })
})

describe('redirects', () => {
  test('same origin keeps the credentials, another origin never gets them', async () => {
    const seen: { url: string; authorization?: string }[] = []
    const record = (origin: string) => (opts: { path: string; headers?: unknown }) => {
      seen.push({
        url: `${origin}${opts.path}`,
        authorization: (opts.headers as Record<string, string>).authorization,
      })
    }
    const zot = agent.get(ZOT)
    zot.intercept({ path: '/v2/a/blobs/sha256:1' }).reply((opts) => {
      record(ZOT)(opts)
      return {
        statusCode: 307,
        data: '',
        responseOptions: { headers: { location: '/v2/a/blobs/sha256:1/here' } },
      }
    })
    zot.intercept({ path: '/v2/a/blobs/sha256:1/here' }).reply((opts) => {
      record(ZOT)(opts)
      return {
        statusCode: 302,
        data: '',
        responseOptions: { headers: { location: 'http://storage.test/bucket/blob?sig=1' } },
      }
    })
    agent
      .get('http://storage.test')
      .intercept({ path: '/bucket/blob?sig=1' })
      .reply((opts) => {
        record('http://storage.test')(opts)
        return { statusCode: 200, data: '{}' }
      })
    const res = await client({ username: 'alice', password: PASSWORD }).request({
      method: 'GET',
      path: '/v2/a/blobs/sha256:1',
    })
    expect(res.status).toBe(200)
    expect(seen).toEqual([
      { url: 'http://zot.test/v2/a/blobs/sha256:1', authorization: `Basic ${BASIC}` },
      { url: 'http://zot.test/v2/a/blobs/sha256:1/here', authorization: `Basic ${BASIC}` },
      { url: 'http://storage.test/bucket/blob?sig=1', authorization: undefined },
    ])
  })

  test('a redirect loop ends with an error', async () => {
    agent
      .get(ZOT)
      .intercept({ path: '/v2/' })
      .reply(302, '', { headers: { location: '/v2/' } })
      .persist()
    await expect(client().request({ method: 'GET', path: '/v2/' })).rejects.toThrow(
      /redirected more than 5 times/,
    )
  })
})

describe('error wording', () => {
  test.each([
    ['ECONNREFUSED', 'cannot reach Zot at https://zot.test: connection refused'],
    ['ENOTFOUND', 'cannot reach Zot at https://zot.test: host name not found (DNS)'],
    ['UND_ERR_CONNECT_TIMEOUT', 'cannot reach Zot at https://zot.test: connection timed out'],
  ])('%s', (code, message) => {
    expect(toRequestError(netError(code), 'https://zot.test').message).toBe(message)
  })

  test.each([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'ERR_TLS_CERT_ALTNAME_INVALID',
  ])('certificate error %s: the message says what failed, the hint says the fix, once', async (code) => {
    const err = toRequestError(netError(code), 'https://zot.test')
    expect(err.kind).toBe('tls')
    expect(err.reason).toBe('certificate')
    expect(err.message).toMatch(/^TLS verification failed for https:\/\/zot\.test: .+ \([A-Z_]+\)$/)
    agent.get('https://zot.test').intercept({ path: '/v2/' }).replyWithError(netError(code))
    const failure = (await preflight(client({ url: 'https://zot.test' })).catch(
      (e: unknown) => e,
    )) as HardFailure
    expect(failure.message).toBe(err.message)
    const shown = withHint(failure.message, failure.hint)
    expect(shown.match(/ca-cert/g)).toHaveLength(1)
    expect(shown).toContain('skip-tls-verify: true')
  })

  test('a TLS code wrapped in a cause is found', () => {
    const err = toRequestError(
      Object.assign(new Error('fetch failed'), { cause: netError('SELF_SIGNED_CERT_IN_CHAIN') }),
      'https://zot.test',
    )
    expect(err.kind).toBe('tls')
  })

  test('preflight: 401 with credentials names the user', async () => {
    agent
      .get(ZOT)
      .intercept({ path: '/v2/' })
      .reply(401, '', { headers: { 'www-authenticate': 'Basic realm="zot"' } })
    const err = await preflight(client({ username: 'alice', password: PASSWORD })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HardFailure)
    expect((err as HardFailure).message).toBe('Zot rejected the credentials for alice')
  })

  test('preflight: 401 without credentials asks for them', async () => {
    agent
      .get(ZOT)
      .intercept({ path: '/v2/' })
      .reply(401, '', { headers: { 'www-authenticate': 'Basic realm="zot"' } })
    const err = (await preflight(client()).catch((e: unknown) => e)) as HardFailure
    expect(err.message).toBe('Zot requires credentials: set username and password')
  })

  test('preflight: unreachable is a hard failure with a hint', async () => {
    agent.get(ZOT).intercept({ path: '/v2/' }).replyWithError(netError('ECONNREFUSED')).persist()
    const err = (await preflight(client()).catch((e: unknown) => e)) as HardFailure
    expect(err).toBeInstanceOf(HardFailure)
    expect(err.message).toBe('cannot reach Zot at http://zot.test: connection refused')
    expect(err.hint).toMatch(/zot-url/)
  })

  test('preflight: not a registry', async () => {
    agent.get(ZOT).intercept({ path: '/v2/' }).reply(404, 'not found')
    const err = (await preflight(client()).catch((e: unknown) => e)) as HardFailure
    expect(err.message).toBe('http://zot.test does not serve the registry API (GET /v2/ answered 404)')
  })

  test('preflight reads version and extensions when mgmt is there', async () => {
    const zot = agent.get(ZOT)
    zot.intercept({ path: '/v2/' }).reply(200, '', { headers: { 'www-authenticate': 'Basic realm="zot"' } })
    zot
      .intercept({ path: '/v2/_zot/ext/mgmt' })
      .reply(200, { releaseTag: 'v2.1.20', binaryType: '-sync-search', http: { auth: { htpasswd: {} } } })
    zot
      .intercept({ path: '/v2/_oci/ext/discover' })
      .reply(200, { extensions: [{ endpoints: ['/v2/_zot/ext/search', '/v2/_zot/ext/mgmt'] }] })
    const info = await preflight(client({ username: 'alice', password: PASSWORD }))
    expect(info).toEqual({
      url: ZOT,
      version: 'v2.1.20',
      auth: 'basic',
      extensions: ['sync', 'search', 'mgmt'],
    })
  })

  test('no message or warning ever contains a secret', async () => {
    const messages: string[] = []
    const zot = agent.get(ZOT)
    zot.intercept({ path: '/v2/' }).reply(401, '', { headers: { 'www-authenticate': 'Basic realm="zot"' } })
    zot.intercept({ path: '/v2/' }).replyWithError(netError('ECONNREFUSED')).persist()
    const c = client({ username: 'alice', password: PASSWORD })
    for (let i = 0; i < 2; i++) {
      const err = (await preflight(c).catch((e: unknown) => e)) as HardFailure
      messages.push(err.message, err.hint ?? '', String(err.stack))
    }
    const t = client({ token: 'tok-SECRET-123', insecureSkipVerify: true, url: 'https://zot.test' })
    messages.push(authFailure(t), ...t.warnings)
    expect(messages.join('\n')).toContain('Zot rejected the credentials for alice')
    for (const secret of [PASSWORD, BASIC, 'tok-SECRET-123'])
      expect(messages.join('\n')).not.toContain(secret)
  })
})

describe('options', () => {
  test('skip-tls-verify is warned about', () => {
    const c = new ZotClient({ url: 'https://zot.test', insecureSkipVerify: true, dispatcher: agent })
    expect(c.warnings).toHaveLength(1)
    expect(c.warnings[0]).toMatch(/TLS verification is off for https:\/\/zot\.test/)
  })

  test('a base path is kept and a trailing slash dropped', async () => {
    agent.get(ZOT).intercept({ path: '/zot/v2/' }).reply(200, '')
    const c = new ZotClient({ url: `${ZOT}/zot/`, dispatcher: agent })
    expect(c.url).toBe('http://zot.test/zot')
    expect(c.host).toBe('zot.test')
    expect((await c.request({ method: 'GET', path: '/v2/' })).status).toBe(200)
  })

  test('credentials in the URL are refused', () => {
    expect(() => new ZotClient({ url: 'https://u:p@zot.test' })).toThrow(/must not contain credentials/)
  })
})

describe('time bounds and causes already used up', () => {
  const events: RetryEvent[] = []
  const bounded = (extra: Partial<ZotClientOptions> = {}) =>
    client({ onRetry: (e) => events.push(e), ...extra })
  beforeEach(() => {
    events.length = 0
  })

  test('every wait is reported before it starts, with the cause, the request and the try', async () => {
    const zot = agent.get(ZOT)
    zot.intercept({ path: '/v2/a/tags/list' }).reply(429, '', { headers: { 'retry-after': '2' } })
    zot.intercept({ path: '/v2/a/tags/list' }).replyWithError(netError('ECONNRESET', 'read ECONNRESET'))
    zot.intercept({ path: '/v2/a/tags/list' }).reply(200, { tags: [] })
    await bounded().request({ method: 'GET', path: '/v2/a/tags/list' })
    expect(events.map((e) => retryLine(e))).toEqual([
      'retrying in 2s: 429 from Zot (GET /v2/a/tags/list, try 1 of 4)',
      'retrying in 0.1s: Zot at http://zot.test closed the connection before answering (GET /v2/a/tags/list, try 2 of 4)',
    ])
    expect(delays).toEqual([2000, 150])
  })

  test('a Retry-After longer than what is left of the request’s budget is not waited for', async () => {
    agent
      .get(ZOT)
      .intercept({ path: '/v2/' })
      .reply(429, '', { headers: { 'retry-after': '999999' } })
      .persist()
    const res = await bounded({
      retry: { requestBudgetMs: 10_000, maxRetryAfterMs: 30_000, sleep: async (ms) => void delays.push(ms) },
    }).request({ method: 'GET', path: '/v2/' })
    expect(res).toMatchObject({ status: 429, attempts: 1 })
    expect(delays).toEqual([])
    expect(calls()).toHaveLength(1)
    expect(retryLine(events[0] as RetryEvent)).toBe(
      'not retrying: 429 from Zot, and the next try (in 30s) would pass the time bound of a request (GET /v2/, try 1 of 5)',
    )
  })

  test('a cause that used up one request’s retries is not retried by the next request', async () => {
    agent.get(ZOT).intercept({ path: '/v2/a/tags/list' }).reply(503, '').persist()
    agent.get(ZOT).intercept({ path: '/v2/b/tags/list' }).reply(503, '').persist()
    const c = bounded()
    expect(await c.request({ method: 'GET', path: '/v2/a/tags/list' })).toMatchObject({
      status: 503,
      attempts: 4,
    })
    expect(await c.request({ method: 'GET', path: '/v2/b/tags/list' })).toMatchObject({
      status: 503,
      attempts: 1,
    })
    expect(calls()).toHaveLength(5)
    expect(events.map((e) => e.stop)).toEqual([undefined, undefined, undefined, 'attempts', 'repeated'])
  })

  test('Zot that lets a request time out on every try: the request fails at its budget, later ones are not sent', async () => {
    agent.get(ZOT).intercept({ path: '/v2/a/tags/list' }).reply(200, { tags: [] }).delay(5_000).persist()
    const c = bounded({
      requestTimeoutMs: 100,
      retry: { baseDelayMs: 10, requestBudgetMs: 250, sleep: async (ms) => void delays.push(ms) },
    })
    const first = (await c
      .request({ method: 'GET', path: '/v2/a/tags/list' })
      .catch((e: unknown) => e)) as ZotRequestError
    expect(first.kind).toBe('timeout')
    expect(first.message).toMatch(
      /^Zot at http:\/\/zot\.test did not answer GET \/v2\/a\/tags\/list within 0\.\ds$/,
    )
    expect(first.attempts).toBeGreaterThanOrEqual(2)
    expect(events.at(-1)?.stop).toMatch(/bound|attempts/)
    const sent = calls().length
    const next = (await c
      .request({ method: 'GET', path: '/v2/b/tags/list' })
      .catch((e: unknown) => e)) as ZotRequestError
    expect(next).toMatchObject({ kind: 'timeout', reason: 'stalled' })
    expect(next.message).toMatch(
      /^not sent: Zot at http:\/\/zot\.test stopped answering \(GET \/v2\/a\/tags\/list got no answer in \d+ s, \d tries\)$/,
    )
    expect(calls()).toHaveLength(sent)
  })
})
