// HTTP transport to one Zot: connection reuse, TLS, authentication, redirects and the single retry layer.
// Everything above it (presence checks, warming) speaks in registry terms and never sees headers or sockets.
import type { Dispatcher } from 'undici'
import { formatDuration } from '../inputs/duration.js'
import { parseChallenges, scopeForPath, TokenCache } from './auth.js'
import { connectionWarnings } from './diagnose.js'
import {
  cancelledError,
  hostPhrase,
  type Peer,
  protocolError,
  stalledError,
  toRequestError,
  ZotRequestError,
} from './errors.js'
import { parseJson } from './json.js'
import { DEFAULTS, type RetryEvent, type RetryOptions, type ZotClientOptions } from './options.js'
import { backoffDelay, RETRY_STATUSES, retryDelay, sleep } from './retry.js'
import { Agent, EnvHttpProxyAgent } from './undici-parts.js'

export interface RequestSpec {
  method: 'GET' | 'HEAD' | 'POST'
  /** Path below the Zot base URL, starting with `/v2/` (query string allowed). */
  path: string
  headers?: Record<string, string>
  body?: string
  /** The caller's signal (image deadline, overall timeout, SIGINT). */
  signal?: AbortSignal
  /** Limit per try; default the client's requestTimeoutMs; 0 = none (the caller's signal bounds it). */
  timeoutMs?: number
  /**
   * The request may make Zot sync from upstream. A closed connection or a timeout is then not retried here:
   * Zot keeps syncing in the background and the caller polls for the result instead of asking again.
   */
  sync?: boolean
  /** Bodies beyond this fail the request (manifests are small); default DEFAULTS.maxManifestBytes. */
  maxBodyBytes?: number
}

export interface ZotResponse {
  status: number
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>
  /** Empty for HEAD. */
  body: Buffer
  /** Tries made, this one included. */
  attempts: number
  /** Origin of the host that answered, when Zot redirected the request to another origin. */
  answeredBy?: string
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const PROXY_ENV = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']

export class ZotClient {
  /** Base URL without trailing slash, e.g. `https://zot.example.com`. Safe to print. */
  readonly url: string
  /** `host[:port]` as image references name it (for recognising images that already live in Zot). */
  readonly host: string
  readonly username?: string
  /** A static bearer token is configured. */
  readonly hasToken: boolean
  /** A client certificate is configured (mutual TLS). */
  readonly hasClientCert: boolean
  /** TLS verification is off (skip-tls-verify). */
  readonly insecure: boolean
  readonly #origin: string
  readonly #basePath: string
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean
  readonly #retry: RetryOptions
  readonly #requestTimeoutMs: number
  readonly #onRetry?: (e: RetryEvent) => void
  /** Causes (`429`, `timeout` …) whose retries a request of this run has used up: not retried again. */
  readonly #usedUp = new Set<string>()
  /** Set once Zot let a request time out on every try: later requests are not sent. */
  #stalled?: ZotRequestError
  readonly #basic?: string
  readonly #staticToken?: string
  readonly #userAgent: string
  readonly #tokens = new TokenCache()
  /** Realm/service from Zot's Bearer challenge, once seen; later requests fetch tokens up front. */
  #bearer?: { realm: string; service?: string }
  /** Whether Zot asked for credentials (a challenge on /v2/ or a 401), for the report. */
  authScheme?: string

  constructor(opts: ZotClientOptions) {
    const parsed = new URL(opts.url)
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new TypeError(`Zot URL must be http:// or https://, got ${parsed.protocol}`)
    if (parsed.username || parsed.password) throw new TypeError('Zot URL must not contain credentials')
    this.#origin = parsed.origin
    this.#basePath = parsed.pathname.replace(/\/+$/, '')
    this.url = `${this.#origin}${this.#basePath}`
    this.host = parsed.host
    this.#retry = { ...DEFAULTS.retry, ...opts.retry }
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULTS.localRequestTimeoutMs
    this.#onRetry = opts.onRetry
    this.#userAgent = opts.userAgent ?? 'zot-warm'
    if (opts.username && opts.password) {
      this.username = opts.username
      this.#basic = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`
    }
    if (opts.token) this.#staticToken = opts.token
    this.hasToken = Boolean(opts.token)
    this.hasClientCert = Boolean(opts.cert && opts.key)
    this.insecure = Boolean(opts.insecureSkipVerify)
    if (opts.dispatcher) {
      this.#dispatcher = opts.dispatcher
      this.#ownsDispatcher = false
    } else {
      const tls = {
        ...(opts.ca ? { ca: opts.ca } : {}),
        ...(opts.cert ? { cert: opts.cert } : {}),
        ...(opts.key ? { key: opts.key } : {}),
        rejectUnauthorized: !opts.insecureSkipVerify,
      }
      const common = {
        connect: tls,
        ...(opts.keepAliveTimeoutMs ? { keepAliveTimeout: opts.keepAliveTimeoutMs } : {}),
      }
      // Only when a proxy is configured: EnvHttpProxyAgent honours NO_PROXY (loopback is usually listed) and
      // tunnels HTTPS with our TLS settings (`requestTls`).
      this.#dispatcher = PROXY_ENV.some((name) => process.env[name])
        ? new EnvHttpProxyAgent({ ...common, requestTls: tls })
        : new Agent(common)
      this.#ownsDispatcher = true
    }
  }

  /** Things the user should know about the connection settings (skipped TLS verification …). */
  get warnings(): string[] {
    return connectionWarnings(this)
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close()
  }

  /**
   * One logical request: retries 429/502/503/504 and transport failures; any other answer is returned.
   * Bounded: a request that cannot make Zot sync gets `retry.requestBudgetMs` in all, tries and waits
   * included (a sync request is bounded by its caller's signal). Each cause is retried within one request
   * only: once a request has used up its tries on a cause, later requests that meet it are not retried, and
   * once Zot has let a request time out on every try, no further request is sent (Zot stopped answering).
   */
  async request(spec: RequestSpec): Promise<ZotResponse> {
    if (this.#stalled) throw this.#stalled
    const what = `${spec.method} ${spec.path}`
    const started = Date.now()
    const deadline = spec.sync ? undefined : started + this.#retry.requestBudgetMs
    for (let attempt = 1; ; attempt++) {
      const tried = await this.#authenticated(spec, this.#tryLimit(spec, deadline)).then(
        (res) => ({ res }),
        (err: unknown) => ({ error: toRequestError(err, this.url).withAttempts(attempt) }),
      )
      const settle = (): ZotResponse => {
        if ('error' in tried) throw tried.error
        return { ...tried.res, attempts: attempt }
      }
      const cause =
        'error' in tried
          ? this.#retryCause(tried.error, spec)
          : RETRY_STATUSES.has(tried.res.status)
            ? String(tried.res.status)
            : undefined
      if (cause === undefined) return settle()
      const delayMs =
        'error' in tried
          ? backoffDelay(attempt - 1, this.#retry)
          : retryDelay(attempt - 1, tried.res.headers['retry-after'], this.#retry)
      const stop: RetryEvent['stop'] =
        attempt >= this.#retry.attempts
          ? 'attempts'
          : this.#usedUp.has(cause)
            ? 'repeated'
            : deadline !== undefined && Date.now() + delayMs >= deadline
              ? 'bound'
              : undefined
      this.#onRetry?.({
        request: what,
        attempt,
        attempts: this.#retry.attempts,
        delayMs,
        ...('error' in tried ? { error: tried.error } : { status: tried.res.status }),
        ...(stop ? { stop } : {}),
      })
      if (stop) {
        this.#usedUp.add(cause)
        if (cause === 'timeout') this.#stalled = stalledError(this.url, what, Date.now() - started, attempt)
        return settle()
      }
      await this.#wait(delayMs, spec.signal, attempt)
    }
  }

  /** The time limit of the next try: the request's own, cut to what is left of its budget; 0 = none. */
  #tryLimit(spec: RequestSpec, deadline: number | undefined): number {
    const own = spec.timeoutMs ?? this.#requestTimeoutMs
    if (deadline === undefined) return own
    const left = Math.max(1, deadline - Date.now())
    return own > 0 ? Math.min(own, left) : left
  }

  /** What makes a failure worth another try, as a key for the causes used up; undefined = not retried. */
  #retryCause(error: ZotRequestError, spec: RequestSpec): string | undefined {
    // Retries wait out Zot's own passing troubles; the token service and redirect targets are not Zot.
    if (error.peer) return undefined
    switch (error.kind) {
      case 'unreachable':
        // A name that does not resolve will not resolve in a second either.
        return error.code === 'ENOTFOUND' ? undefined : error.kind
      case 'closed':
      case 'timeout':
        return spec.sync ? undefined : error.kind
      default:
        return undefined
    }
  }

  async #wait(ms: number, signal: AbortSignal | undefined, attempts: number): Promise<void> {
    const wait = this.#retry.sleep ?? sleep
    try {
      await wait(ms, signal)
    } catch {
      throw cancelledError(this.url, attempts)
    }
    if (signal?.aborted) throw cancelledError(this.url, attempts)
  }

  /** Sends with the credentials Zot wants; answers one Bearer challenge with the token flow. */
  async #authenticated(spec: RequestSpec, limitMs: number): Promise<Omit<ZotResponse, 'attempts'>> {
    const scope = scopeForPath(spec.path.split('?')[0] ?? spec.path)
    let authorization = await this.#authorizationFor(scope, spec, limitMs)
    let res = await this.#send(spec, authorization, limitMs)
    // Credentials and the challenge flow belong to Zot's origin: a host Zot redirected to is answered as is.
    if (res.answeredBy) return res
    if (res.status !== 401) {
      if (!this.authScheme) this.authScheme = authSchemeOf(res.headers['www-authenticate'])
      return res
    }
    const challenges = parseChallenges(res.headers['www-authenticate'])
    this.authScheme = challenges[0]?.scheme ?? this.authScheme
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    if (!bearer?.params.realm || this.#staticToken) return res
    // Token flow: the challenge names the realm and the scope this request needs.
    this.#bearer = { realm: bearer.params.realm, service: bearer.params.service }
    const wanted = bearer.params.scope ?? scope
    const key = TokenCache.key(bearer.params.realm, bearer.params.service, wanted)
    this.#tokens.delete(key)
    const token = await this.#fetchToken(
      bearer.params.realm,
      bearer.params.service,
      wanted,
      spec.signal,
      limitMs,
    )
    if (!token) return res
    authorization = `Bearer ${token}`
    res = await this.#send(spec, authorization, limitMs)
    return res
  }

  async #authorizationFor(
    scope: string | undefined,
    spec: RequestSpec,
    limitMs: number,
  ): Promise<string | undefined> {
    if (this.#staticToken) return `Bearer ${this.#staticToken}`
    if (this.#bearer) {
      const key = TokenCache.key(this.#bearer.realm, this.#bearer.service, scope)
      const cached = this.#tokens.get(key)
      if (cached) return `Bearer ${cached}`
      const token = await this.#fetchToken(
        this.#bearer.realm,
        this.#bearer.service,
        scope,
        spec.signal,
        limitMs,
      )
      if (token) return `Bearer ${token}`
    }
    // Zot's basic modes (htpasswd, LDAP, API keys) expect credentials up front: no 401 round trip.
    return this.#basic
  }

  /**
   * Distribution token flow. Credentials go to the realm Zot named in its challenge, but only over HTTPS or
   * to Zot's own origin: never in clear text to another host.
   */
  async #fetchToken(
    realm: string,
    service: string | undefined,
    scope: string | undefined,
    signal: AbortSignal | undefined,
    limitMs: number,
  ): Promise<string | undefined> {
    const key = TokenCache.key(realm, service, scope)
    const cached = this.#tokens.get(key)
    if (cached) return cached
    const url = httpUrl(realm, this.#origin)
    if (!url)
      throw protocolError(
        'bad-challenge',
        `Zot at ${this.url} named a token realm that is not an http(s) URL`,
      )
    if (service) url.searchParams.set('service', service)
    if (scope) url.searchParams.set('scope', scope)
    const headers: Record<string, string> = { 'user-agent': this.#userAgent, accept: 'application/json' }
    if (this.#basic && (url.origin === this.#origin || url.protocol === 'https:'))
      headers.authorization = this.#basic
    const peer: Peer | undefined =
      url.origin === this.#origin ? undefined : { role: 'token service', origin: url.origin }
    const res = await this.#dispatch(url, 'GET', headers, undefined, signal, limitMs, 1 << 20, peer)
    // Refused credentials leave Zot's 401 for the caller, which words it; anything else is the service's fault.
    if (res.status === 401 || res.status === 403) return undefined
    const who = hostPhrase(this.url, { role: 'token service', origin: url.origin })
    if (res.status !== 200)
      throw protocolError('token-answer', `${who} answered ${res.status} instead of a token`, { peer })
    const parsed = parseJson(res.body) as { token?: unknown; access_token?: unknown; expires_in?: unknown }
    const token =
      typeof parsed?.token === 'string'
        ? parsed.token
        : typeof parsed?.access_token === 'string'
          ? parsed.access_token
          : ''
    if (!token) throw protocolError('token-answer', `${who} answered 200 without a token`, { peer })
    const expiresIn = typeof parsed.expires_in === 'number' ? parsed.expires_in : undefined
    this.#tokens.set(key, token, expiresIn)
    return token
  }

  /** Follows redirects by hand: the Authorization header stays with Zot's origin and is never forwarded. */
  async #send(
    spec: RequestSpec,
    authorization: string | undefined,
    limitMs: number,
  ): Promise<Omit<ZotResponse, 'attempts'>> {
    let url = new URL(`${this.#origin}${this.#basePath}${spec.path}`)
    let method = spec.method
    let body = spec.body
    const base: Record<string, string> = { 'user-agent': this.#userAgent, ...spec.headers }
    for (let hop = 0; ; hop++) {
      const headers = { ...base }
      const own = url.origin === this.#origin
      if (authorization && own) headers.authorization = authorization
      const peer: Peer | undefined = own ? undefined : { role: 'redirect target', origin: url.origin }
      const res = await this.#dispatch(
        url,
        method,
        headers,
        body,
        spec.signal,
        limitMs,
        spec.maxBodyBytes ?? DEFAULTS.maxManifestBytes,
        peer,
      )
      const location = res.headers.location
      if (!REDIRECTS.has(res.status) || !location) return own ? res : { ...res, answeredBy: url.origin }
      if (hop >= DEFAULTS.maxRedirects)
        throw protocolError(
          'bad-redirect',
          `Zot at ${this.url} redirected more than ${DEFAULTS.maxRedirects} times`,
        )
      const next = httpUrl(location, url)
      if (!next)
        throw protocolError(
          'bad-redirect',
          `${hostPhrase(this.url, peer)} answered ${res.status} with a Location that is not an http(s) URL`,
          { peer },
        )
      url = next
      if (res.status === 303 && method !== 'HEAD') {
        method = 'GET'
        body = undefined
      }
    }
  }

  async #dispatch(
    url: URL,
    method: RequestSpec['method'],
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
    timeoutMs: number,
    maxBodyBytes: number,
    /** The host, when it is not Zot: for the wording and data of errors. */
    peer?: Peer,
  ): Promise<Omit<ZotResponse, 'attempts'>> {
    const timeout = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined
    const combined = signal && timeout ? AbortSignal.any([signal, timeout]) : (signal ?? timeout)
    if (signal?.aborted) throw cancelledError(this.url)
    try {
      const res = await this.#dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        body,
        signal: combined,
        // Our own signals bound each try; undici's 300 s defaults would cut a long sync short.
        headersTimeout: 0,
        bodyTimeout: 0,
        // undici closes the connection after every HEAD (some servers send a body with it), so each of the
        // run's HEADs (children, blobs) would pay a new connection, and a TLS handshake, on both ends. Zot (Go
        // net/http) never sends a body with HEAD: its connections are kept. Other hosts get undici's default.
        ...(method === 'HEAD' && !peer ? { reset: false } : {}),
      })
      const out = { status: res.statusCode, headers: flatten(res.headers) }
      if (method === 'HEAD') {
        await res.body.dump()
        return { ...out, body: Buffer.alloc(0) }
      }
      // Error bodies only matter for their error code; success bodies are manifests, configs, JSON.
      const limit = res.statusCode >= 300 ? 64 * 1024 : maxBodyBytes
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length
        if (size > limit) {
          res.body.destroy()
          if (res.statusCode >= 300) break
          throw protocolError(
            'too-large',
            `${hostPhrase(this.url, peer)} sent more than ${limit} bytes for ${method} ${url.pathname}`,
            { peer },
          )
        }
        chunks.push(chunk as Buffer)
      }
      return { ...out, body: Buffer.concat(chunks) }
    } catch (err) {
      if (err instanceof ZotRequestError) throw err
      if (signal?.aborted) throw cancelledError(this.url)
      if (timeout?.aborted)
        throw new ZotRequestError(
          'timeout',
          `${hostPhrase(this.url, peer)} did not answer ${method} ${url.pathname} within ${formatDuration(timeoutMs)}`,
          { peer },
        )
      throw toRequestError(err, this.url, peer)
    }
  }
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

/** `text` resolved against `base` when it is an http(s) URL; undefined otherwise. */
function httpUrl(text: string, base: string | URL): URL | undefined {
  try {
    const url = new URL(text, base)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined
  } catch {
    return undefined
  }
}

function authSchemeOf(header: string | undefined): string | undefined {
  return parseChallenges(header)[0]?.scheme
}
