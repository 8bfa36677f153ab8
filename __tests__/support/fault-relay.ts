// A loopback HTTP relay in front of a real Zot (or in front of an upstream, between it and a cache) that
// injects the faults a real Zot cannot produce on demand: N× 429 with Retry-After, bursts of 502/503,
// redirects to another host, dropped connections, requests held until the test releases them, answers
// trickled a byte at a time, and an auth gateway that turns a static bearer token into the credentials Zot
// knows. Every request is recorded with what the relay did and when (performance.now() at arrival and at
// answer), so tests can check retry ordering and lower bounds on delays from the relay's own clock, and which
// headers reached which host.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { Agent, type Dispatcher, request } from 'undici'
import { forwardableHeaders, serveLoopback } from './loopback-proxy.js'

export type Fault =
  /**
   * Answer with this status instead of forwarding (JSON registry error body unless `body`). `headers` and
   * `body` may be functions of the request's path and query (e.g. paginated tag lists).
   */
  | {
      kind: 'status'
      status: number
      headers?: Record<string, string> | ((path: string) => Record<string, string>)
      body?: string | ((path: string) => string)
    }
  /**
   * Destroy the connection without an answer: at once, or (`afterForward`) once the target has answered, like
   * an ingress whose timeout is shorter than the request (the target did the work, the client never hears).
   */
  | { kind: 'drop'; afterForward?: boolean }
  /** `307` (or `status`) to `to` + the request's path and query. */
  | { kind: 'redirect'; to: string; status?: 301 | 302 | 303 | 307 | 308 }
  /** Keep the request waiting until the injection's release(), then forward it. */
  | { kind: 'hold' }
  /** Forward, then send the target's whole answer (status line, headers, body) a byte every 1000/rate ms. */
  | { kind: 'trickle'; bytesPerSecond: number }

export interface FaultRule {
  /** Tested against `METHOD /path?query`. */
  match: RegExp
  fault: Fault
  /** Matching requests this rule applies to (default: all). */
  times?: number
  /** Matching requests to let through before the rule starts applying (default 0). */
  after?: number
}

export interface RelayRecord {
  seq: number
  method: string
  /** Path and query as received. */
  path: string
  /** Request headers as received (lower-case names). */
  headers: IncomingMessage['headers']
  /** performance.now() when the request arrived / when the relay answered (or dropped) it. */
  arrivedAt: number
  answeredAt?: number
  /** What the relay did: forwarded to the target, answered with a fault, or could not reach the target. */
  outcome:
    | 'pending'
    | 'forwarded'
    | 'status'
    | 'drop'
    | 'redirect'
    | 'unauthorized'
    | 'backend-error'
    | 'trickle'
  /** Status sent to the client (forwarded or injected), or the target's status of a dropped answer. */
  status?: number
  /** The backend failure (ECONNREFUSED …) when outcome is backend-error. */
  error?: string
  /** This request was held before it was forwarded. */
  held?: boolean
}

export interface Injection {
  /** Requests this rule applied to so far. */
  readonly hits: number
  /** Resolves when the rule has applied to `n` requests (held requests count on arrival). */
  waitForHits(n?: number, timeoutMs?: number): Promise<void>
  /** Forward every request this (hold) rule is holding, and let later ones through. */
  release(): void
  /** Stop applying the rule to new requests (held ones stay held until release()). */
  remove(): void
}

export interface RelayOptions {
  /**
   * Replace the Authorization header sent to the target with this value (or drop it with ''): a host that
   * needs no credentials from its client, like object storage behind a pre-signed redirect.
   */
  targetAuthorization?: string
  /**
   * Accept only `Authorization: Bearer <token>` from clients (401 with a Bearer challenge otherwise): an auth
   * gateway in front of Zot. Combine with targetAuthorization for the credentials Zot itself checks.
   */
  bearerToken?: string
  /**
   * When the target cannot be reached: 'drop' destroys the client's connection (what a client sees when the
   * server dies under it), 'bad-gateway' answers 502 like an ingress. Default 'drop'.
   */
  onBackendError?: 'drop' | 'bad-gateway'
}

export interface FaultRelay {
  url: string
  host: string
  /** Every request so far, in arrival order. */
  readonly records: RelayRecord[]
  /** Records whose `METHOD /path?query` matches. */
  requests(match?: RegExp): RelayRecord[]
  inject(rule: FaultRule): Injection
  /** Remove every rule and release every held request. */
  clear(): void
  /** Resolves when some record satisfies `predicate`. */
  waitFor(predicate: (r: RelayRecord) => boolean, timeoutMs?: number): Promise<RelayRecord>
  stop(): Promise<void>
}

const ERROR_CODES: Record<number, string> = { 429: 'TOOMANYREQUESTS', 401: 'UNAUTHORIZED' }

class Rule implements Injection {
  hits = 0
  seen = 0
  removed = false
  released = false
  readonly held: (() => void)[] = []
  readonly waiters: { n: number; resolve: () => void }[] = []

  constructor(readonly spec: FaultRule) {}

  /** Whether this rule applies to the request (counts it). */
  take(line: string): boolean {
    if (this.removed || !this.spec.match.test(line)) return false
    if (this.spec.fault.kind === 'hold' && this.released) return false
    this.seen++
    if (this.seen <= (this.spec.after ?? 0)) return false
    if (this.hits >= (this.spec.times ?? Number.POSITIVE_INFINITY)) return false
    this.hits++
    for (const w of this.waiters.filter((w) => this.hits >= w.n)) w.resolve()
    return true
  }

  waitForHits(n = 1, timeoutMs = 60_000): Promise<void> {
    if (this.hits >= n) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`fault ${this.spec.match}: ${this.hits} of ${n} hits after ${timeoutMs} ms`)),
        timeoutMs,
      )
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      })
    })
  }

  release(): void {
    this.released = true
    for (const go of this.held.splice(0)) go()
  }

  remove(): void {
    this.removed = true
  }
}

/** Starts a relay on 127.0.0.1 forwarding to `target` (http only). */
export async function startFaultRelay(target: string, opts: RelayOptions = {}): Promise<FaultRelay> {
  const agent = new Agent({ headersTimeout: 0, bodyTimeout: 0, connect: { timeout: 5_000 } })
  const rules: Rule[] = []
  const records: RelayRecord[] = []
  const watchers: { predicate: (r: RelayRecord) => boolean; resolve: (r: RelayRecord) => void }[] = []
  const notify = (r: RelayRecord) => {
    for (const w of [...watchers])
      if (w.predicate(r)) {
        watchers.splice(watchers.indexOf(w), 1)
        w.resolve(r)
      }
  }
  const answered = (rec: RelayRecord, outcome: RelayRecord['outcome'], status?: number) => {
    rec.outcome = outcome
    if (status !== undefined) rec.status = status
    rec.answeredAt = performance.now()
    notify(rec)
  }

  const forward = async (
    req: IncomingMessage,
    res: ServerResponse,
    rec: RelayRecord,
    drop = false,
    bytesPerSecond?: number,
  ) => {
    if (req.socket.destroyed) {
      answered(rec, 'drop')
      return
    }
    const headers = forwardableHeaders(req.headers)
    if (opts.targetAuthorization !== undefined) {
      delete headers.authorization
      if (opts.targetAuthorization) headers.authorization = opts.targetAuthorization
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
    let upstream: Dispatcher.ResponseData
    try {
      upstream = await request(new URL(req.url ?? '/', target), {
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: hasBody ? req : undefined,
        dispatcher: agent,
      })
    } catch (err) {
      rec.error = (err as { code?: string }).code ?? (err as Error).message
      if (opts.onBackendError === 'bad-gateway') {
        res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway')
        answered(rec, 'backend-error', 502)
      } else {
        req.socket.destroy()
        answered(rec, 'backend-error')
      }
      return
    }
    if (drop) {
      await upstream.body.dump()
      req.socket.destroy()
      rec.status = upstream.statusCode
      answered(rec, 'drop')
      return
    }
    if (bytesPerSecond) {
      // The whole answer, status line and headers included, at the given rate: a stalled proxy or a slow link.
      const body = Buffer.from(await upstream.body.arrayBuffer())
      const headers = Object.entries(forwardableHeaders(upstream.headers as IncomingMessage['headers']))
        .filter(([name]) => name !== 'content-length')
        .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : value}\r\n`)
      const head = `HTTP/1.1 ${upstream.statusCode} Trickle\r\n${headers.join('')}content-length: ${body.length}\r\nconnection: close\r\n\r\n`
      answered(rec, 'trickle', upstream.statusCode)
      const socket = req.socket
      for (const byte of Buffer.concat([Buffer.from(head), body])) {
        await new Promise((resolve) => setTimeout(resolve, 1000 / bytesPerSecond))
        if (socket.destroyed) return
        socket.write(Buffer.of(byte))
      }
      socket.end()
      return
    }
    res.writeHead(upstream.statusCode, forwardableHeaders(upstream.headers as IncomingMessage['headers']))
    answered(rec, 'forwarded', upstream.statusCode)
    await pipeline(upstream.body, res)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET'
    const path = req.url ?? '/'
    const rec: RelayRecord = {
      seq: records.length,
      method,
      path,
      headers: req.headers,
      arrivedAt: performance.now(),
      outcome: 'pending',
    }
    records.push(rec)
    if (opts.bearerToken !== undefined && req.headers.authorization !== `Bearer ${opts.bearerToken}`) {
      res
        .writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': 'Bearer error="invalid_token"',
        })
        .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }))
      answered(rec, 'unauthorized', 401)
      return
    }
    const line = `${method} ${path}`
    const rule = rules.find((r) => r.take(line))
    const fault = rule?.spec.fault
    if (!rule || !fault) return forward(req, res, rec)
    switch (fault.kind) {
      case 'status': {
        const body =
          (typeof fault.body === 'function' ? fault.body(path) : fault.body) ??
          JSON.stringify({
            errors: [
              { code: ERROR_CODES[fault.status] ?? 'UNAVAILABLE', message: `injected ${fault.status}` },
            ],
          })
        const headers = typeof fault.headers === 'function' ? fault.headers(path) : fault.headers
        res.writeHead(fault.status, { 'content-type': 'application/json', ...headers }).end(body)
        answered(rec, 'status', fault.status)
        return
      }
      case 'drop':
        if (fault.afterForward) return forward(req, res, rec, true)
        req.socket.destroy()
        answered(rec, 'drop')
        return
      case 'redirect': {
        const status = fault.status ?? 307
        res.writeHead(status, { location: `${fault.to.replace(/\/+$/, '')}${path}` }).end()
        answered(rec, 'redirect', status)
        return
      }
      case 'trickle':
        return forward(req, res, rec, false, fault.bytesPerSecond)
      case 'hold':
        rec.held = true
        notify(rec)
        await new Promise<void>((resolve) => {
          if (rule.released) resolve()
          else rule.held.push(resolve)
        })
        return forward(req, res, rec)
    }
  }

  const { port, close } = await serveLoopback(handle)

  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    records,
    requests: (match) => records.filter((r) => !match || match.test(`${r.method} ${r.path}`)),
    inject(spec) {
      const rule = new Rule(spec)
      rules.push(rule)
      return rule
    },
    clear() {
      for (const r of rules.splice(0)) {
        r.remove()
        r.release()
      }
    },
    waitFor(predicate, timeoutMs = 60_000) {
      const hit = records.find(predicate)
      if (hit) return Promise.resolve(hit)
      return new Promise((resolve, reject) => {
        const watcher = {
          predicate,
          resolve: (r: RelayRecord) => {
            clearTimeout(timer)
            resolve(r)
          },
        }
        const timer = setTimeout(() => {
          watchers.splice(watchers.indexOf(watcher), 1)
          reject(new Error(`relay ${port}: no matching request within ${timeoutMs} ms`))
        }, timeoutMs)
        watchers.push(watcher)
      })
    },
    async stop() {
      for (const r of rules.splice(0)) r.release()
      await close()
      await agent.close()
    },
  }
}

/** Gaps between consecutive records: next arrival minus previous answer (the client's wait, at least). */
export function gapsMs(records: RelayRecord[]): number[] {
  const gaps: number[] = []
  for (let i = 1; i < records.length; i++) {
    const prev = records[i - 1] as RelayRecord
    const next = records[i] as RelayRecord
    gaps.push(next.arrivedAt - (prev.answeredAt ?? prev.arrivedAt))
  }
  return gaps
}
