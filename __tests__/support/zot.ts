// Real Zot servers on 127.0.0.1 for integration tests, the demo and the benchmark: a plain upstream, or a cache
// that syncs on demand from one or more upstreams; optional htpasswd auth, TLS, short writeTimeout.
// Every server is tracked and killed when the process exits, even when the test process itself is killed
// (a detached reaper process notices that our end of its stdin pipe closed).
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import { ensureZot } from '../../scripts/ensure-zot.mjs'
import { htpasswdText } from './htpasswd.js'
import { testPki } from './tls.js'

/** One on-demand upstream of a cache: a `extensions.sync.registries[]` entry with one content mapping. */
export interface ZotUpstream {
  /** Upstream base URL, e.g. `upstream.url`. */
  url: string
  /** Local repository prefix (`docker-images` → local `docker-images/foo` syncs upstream `foo`); '' = same names. */
  destination: string
  /** Upstream repositories this entry serves (glob); default `**`. */
  prefix?: string
  /** Store upstream bytes unconverted (keeps digests). Needs compat docker2s2 on the cache, which is then on. */
  preserveDigest?: boolean
  /** Verify the upstream's TLS certificate (Zot's default is true; irrelevant for http:// upstreams). */
  tlsVerify?: boolean
  /** PEM CA to trust for this upstream (written to the entry's certDir as ca.crt). */
  ca?: string
  /** Credentials for this upstream, written to the cache's credentialsFile under the upstream's host:port. */
  credentials?: { username: string; password: string }
  /** Default: Zot's (regclient's). When set, `retryDelay` defaults to 1s (Zot refuses one without the other). */
  maxRetries?: number
  retryDelay?: string
  syncTimeout?: string
  /** Default true. */
  onDemand?: boolean
  /** Zot's `onlySigned`: refuse images without a signature upstream. */
  onlySigned?: boolean
  /** Zot's `syncLegacyCosignTags` (Zot's default: true). */
  syncLegacyCosignTags?: boolean
}

export interface ZotAuth {
  /** user → password. Every user may read and push (create/update/delete) unless listed in readOnlyUsers. */
  users: Record<string, string>
  /** Allow reads without credentials. */
  anonymousRead?: boolean
  readOnlyUsers?: string[]
}

export interface ZotOptions {
  /** Label used in log dumps and error messages (default `zot`). */
  name?: string
  /** Present and non-empty ⇒ an on-demand sync cache. */
  upstreams?: ZotUpstream[]
  auth?: ZotAuth
  /** Serve HTTPS with the process-wide test CA (server certificate SAN IP:127.0.0.1). */
  tls?: boolean
  /**
   * `http.compat: ["docker2s2"]` (accept Docker media types). Default: on for a plain upstream (so tests can push
   * Docker images) and for a cache with any preserveDigest upstream (Zot refuses preserveDigest without it);
   * off for other caches, like a stock cache config.
   */
  compat?: boolean
  /** `http.writeTimeout` (Zot's default is 60s), e.g. '1s' to make long syncs hang up. */
  writeTimeout?: string
  /** Default 'debug' (the log is kept in memory and printed when a test fails). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error'
  /** search + mgmt extensions (`/v2/_zot/ext/mgmt`, GraphQL search); default true. */
  search?: boolean
  /** Storage GC; default false so nothing disappears behind a test's back. */
  gc?: boolean
  /** Edit the generated config just before it is written (escape hatch for anything not covered above). */
  mutateConfig?: (config: ZotConfig) => void
  /** Bound for start-up (process spawned → GET /v2/ answers). Default 30s. */
  startTimeoutMs?: number
}

// biome-ignore lint/suspicious/noExplicitAny: Zot's config is free-form JSON; mutateConfig edits it freely.
export type ZotConfig = Record<string, any>

export interface ZotServer {
  name: string
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`. */
  url: string
  /** `127.0.0.1:PORT` */
  host: string
  port: number
  /** Temp dir with config.json, storage/, zot.log and generated secrets; removed by stop(). */
  rootDir: string
  storageDir: string
  configPath: string
  logPath: string
  config: ZotConfig
  /** PEM of the CA that signed the server certificate (tls only) and a file holding it. */
  caPem?: string
  caFile?: string
  /** Current process id, undefined while not running. */
  readonly pid: number | undefined
  readonly running: boolean
  /** Milliseconds from spawn to the first answer of GET /v2/ (last start or restart). */
  readonly startMs: number
  /** `{ url, ca }` plus the given user's password: what images.ts and a ZotClient need. */
  registry(username?: string): { url: string; username?: string; password?: string; ca?: string }
  /** Everything Zot logged (stdout + stderr) since the first start, restarts included; capped in memory. */
  logText(): string
  logLines(re?: RegExp): string[]
  /** A position in the log; `logSince(mark)` returns the lines logged after it. */
  logMark(): number
  logSince(mark: number): string[]
  /** Raw Prometheus text from /metrics. */
  metrics(): Promise<string>
  /**
   * HTTP requests this server process has answered: the sum of zot_http_requests_total, which Zot bumps for
   * every request (any method, status and path, the readiness probe and pushes included) except `/metrics`
   * itself (pkg/api/session.go). Counted after the handler returns, so this waits until the value is stable.
   * Resets on restart (it is the process's counter). Assert deltas: `after - before`.
   */
  requestCount(): Promise<number>
  /** SIGTERM, SIGKILL after 5 s; removes rootDir (unless ZOT_WARM_KEEP_ZOT_DIRS is set). Idempotent. */
  stop(): Promise<void>
  /** SIGKILL now; storage and config stay for restart(). */
  kill(): void
  /** Start again on the same port, storage and config (after kill(), or stops it gracefully first). */
  restart(): Promise<void>
}

const METRICS_USER = 'zot-warm-metrics'
const MAX_LOG_CHARS = 16 * 1024 * 1024
const STOP_GRACE_MS = 5_000

let binary: Promise<string> | undefined
/** The Zot binary (scripts/ensure-zot.mjs), resolved once per process. */
export function zotBinary(): Promise<string> {
  binary ??= ensureZot()
  binary.catch(() => {
    binary = undefined
  })
  return binary
}

const live = new Set<ZotServerImpl>()
const history: ZotServerImpl[] = []

/** Servers started in this process and not stopped yet. */
export function runningZots(): ZotServer[] {
  return [...live]
}

/** The last servers started in this process (stopped ones included), oldest first. */
export function recentZots(): ZotServer[] {
  return [...history]
}

/** Stops every server this process started. */
export async function stopAllZot(): Promise<void> {
  await Promise.allSettled([...live].map((s) => s.stop()))
}

/** Prints the log tail of the given servers (default: all recent ones) to stderr. */
export function dumpZotLogs(servers: ZotServer[] = recentZots(), lines = 150): void {
  for (const s of servers) printLines(s, s.logLines().slice(-lines), `last ${lines} log lines`)
}

/** Zot logs JSON; for people, `time level message key=value…` without caller/func/goroutine noise. */
export function compactLogLine(line: string): string {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(line)
  } catch {
    return line
  }
  if (typeof entry !== 'object' || entry === null) return line
  const { time, level, message, caller, func, goroutine, ...rest } = entry
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
  return [String(time ?? '').slice(11, 23), String(level ?? '').toUpperCase(), message, ...fields].join(' ')
}

export function printLines(server: ZotServer, lines: string[], what: string): void {
  const shown = lines.map(compactLogLine).map((l) => (l.length > 2000 ? `${l.slice(0, 2000)}…` : l))
  process.stderr.write(
    `\n----- ${server.name} (${server.url}, ${server.rootDir}) ${what} -----\n${shown.join('\n')}\n-----\n`,
  )
}

export async function startZot(opts: ZotOptions = {}): Promise<ZotServer> {
  const bin = await zotBinary()
  const server = new ZotServerImpl(bin, opts)
  try {
    await server.prepare()
    for (let attempt = 1; ; attempt++) {
      server.setPort(await freePort())
      try {
        await server.launch()
        break
      } catch (err) {
        // Another process may take the port between our probe and Zot's bind: pick another one.
        if (!(err instanceof PortInUseError) || attempt >= 5) throw err
      }
    }
  } catch (err) {
    await server.stop()
    throw err
  }
  return server
}

class PortInUseError extends Error {}

export async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', resolve)
  })
  const address = srv.address()
  await new Promise((resolve) => srv.close(resolve))
  if (!address || typeof address === 'string') throw new Error('could not get a free port')
  return address.port
}

class ZotServerImpl implements ZotServer {
  name: string
  url = ''
  host = ''
  port = 0
  rootDir: string
  storageDir: string
  configPath: string
  logPath: string
  config: ZotConfig = {}
  caPem?: string
  caFile?: string
  startMs = 0

  private proc: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  private logStream: WriteStream
  private lines: string[] = []
  private chars = 0
  private droppedLines = 0
  private passwords: Record<string, string> = {}
  private metricsAuth: string | undefined
  private dispatcher: Agent | undefined
  private stopped = false
  private readonly bin: string
  private readonly opts: ZotOptions

  constructor(bin: string, opts: ZotOptions) {
    this.bin = bin
    this.opts = opts
    this.name = opts.name ?? 'zot'
    this.rootDir = mkdtempSync(join(tmpdir(), 'zot-warm-zot-'))
    this.storageDir = join(this.rootDir, 'storage')
    this.configPath = join(this.rootDir, 'config.json')
    this.logPath = join(this.rootDir, 'zot.log')
    this.logStream = createWriteStream(this.logPath, { flags: 'a' })
    this.logStream.on('error', () => {}) // the file is a convenience; the in-memory copy is what tests use
    live.add(this)
    history.push(this)
    if (history.length > 30) history.shift()
  }

  get pid(): number | undefined {
    return this.proc?.exitCode === null && this.proc.signalCode === null ? this.proc.pid : undefined
  }

  get running(): boolean {
    return this.pid !== undefined
  }

  /** Writes the files that do not depend on the port: TLS material, htpasswd, credentials, certDirs. */
  async prepare(): Promise<void> {
    const o = this.opts
    if (o.tls) {
      const pki = await testPki()
      const dir = join(this.rootDir, 'tls')
      mkdirSync(dir)
      writeFileSync(join(dir, 'server.crt'), pki.certPem)
      writeFileSync(join(dir, 'server.key'), pki.keyPem, { mode: 0o600 })
      writeFileSync(join(dir, 'ca.crt'), pki.caPem)
      this.caPem = pki.caPem
      this.caFile = join(dir, 'ca.crt')
    }
    this.dispatcher = new Agent({
      connect: { ca: this.caPem, timeout: 5_000 },
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    })
    if (o.auth) {
      const metricsPassword = randomBytes(16).toString('hex')
      this.passwords = { ...o.auth.users }
      this.metricsAuth = `Basic ${Buffer.from(`${METRICS_USER}:${metricsPassword}`).toString('base64')}`
      const text = await htpasswdText({ ...o.auth.users, [METRICS_USER]: metricsPassword })
      writeFileSync(join(this.rootDir, 'htpasswd'), text, { mode: 0o600 })
    }
    const creds: Record<string, { username: string; password: string }> = {}
    for (const [i, up] of (o.upstreams ?? []).entries()) {
      if (up.credentials) creds[new URL(up.url).host] = up.credentials
      if (up.ca) {
        const dir = join(this.rootDir, 'certs', String(i))
        mkdirSync(dir, { recursive: true })
        writeFileSync(join(dir, 'ca.crt'), up.ca)
      }
    }
    if (Object.keys(creds).length > 0) {
      writeFileSync(join(this.rootDir, 'credentials.json'), JSON.stringify(creds, null, 2), { mode: 0o600 })
    }
  }

  setPort(port: number): void {
    this.port = port
    this.host = `127.0.0.1:${port}`
    this.url = `${this.opts.tls ? 'https' : 'http'}://${this.host}`
    this.config = buildConfig(this.opts, this.rootDir, port)
    this.opts.mutateConfig?.(this.config)
    writeFileSync(this.configPath, `${JSON.stringify(this.config, null, 2)}\n`)
  }

  registry(username?: string): { url: string; username?: string; password?: string; ca?: string } {
    const r: { url: string; username?: string; password?: string; ca?: string } = { url: this.url }
    if (this.caPem) r.ca = this.caPem
    if (username !== undefined) {
      const password = this.passwords[username]
      if (password === undefined) throw new Error(`${this.name}: no user ${username}`)
      r.username = username
      r.password = password
    }
    return r
  }

  async launch(): Promise<void> {
    const logStart = this.logMark()
    const started = performance.now()
    const proc = spawn(this.bin, ['serve', this.configPath], {
      cwd: this.rootDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.proc = proc
    const pid = proc.pid
    if (pid !== undefined) reaper().add(pid, this.rootDir)
    this.exited = new Promise<void>((resolve) => {
      proc.once('exit', () => {
        if (pid !== undefined) reaper().remove(pid)
        resolve()
      })
      proc.once('error', (err) => {
        this.appendLog(`[zot-warm test bed] cannot start ${this.bin}: ${err.message}`)
        resolve()
      })
    })
    this.pipe(proc.stdout)
    this.pipe(proc.stderr)

    const bound = this.opts.startTimeoutMs ?? 30_000
    const deadline = performance.now() + bound
    let exited = false
    void this.exited.then(() => {
      exited = true
    })
    for (;;) {
      if (exited) {
        const log = this.logSince(logStart)
        if (log.some((l) => l.includes('address already in use'))) throw new PortInUseError(this.host)
        throw new Error(
          `${this.name}: Zot exited during start-up (exit ${proc.exitCode ?? proc.signalCode}). Config ${this.configPath}. Log:\n${log.slice(-40).join('\n')}`,
        )
      }
      if (performance.now() > deadline) {
        proc.kill('SIGKILL')
        throw new Error(
          `${this.name}: Zot did not answer GET ${this.url}/v2/ within ${bound} ms. Log:\n${this.logSince(logStart).slice(-40).join('\n')}`,
        )
      }
      try {
        const res = await request(`${this.url}/v2/`, { dispatcher: this.dispatcher, headersTimeout: 2_000 })
        await res.body.dump()
        break
      } catch {
        await sleep(10)
      }
    }
    this.startMs = Math.round(performance.now() - started)
  }

  private pipe(stream: NodeJS.ReadableStream | null): void {
    if (!stream) return
    let partial = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) this.appendLog(line)
    })
    stream.on('end', () => {
      if (partial) this.appendLog(partial)
      partial = ''
    })
  }

  private appendLog(line: string): void {
    this.logStream.write(`${line}\n`)
    this.lines.push(line)
    this.chars += line.length + 1
    while (this.chars > MAX_LOG_CHARS && this.lines.length > 1) {
      this.chars -= (this.lines.shift() ?? '').length + 1
      this.droppedLines++
    }
  }

  logText(): string {
    return this.lines.length ? `${this.lines.join('\n')}\n` : ''
  }

  logLines(re?: RegExp): string[] {
    return re ? this.lines.filter((l) => re.test(l)) : [...this.lines]
  }

  logMark(): number {
    return this.droppedLines + this.lines.length
  }

  logSince(mark: number): string[] {
    return this.lines.slice(Math.max(0, mark - this.droppedLines))
  }

  async metrics(): Promise<string> {
    if (!this.running) throw new Error(`${this.name} is not running`)
    const headers: Record<string, string> = {}
    if (this.metricsAuth) headers.authorization = this.metricsAuth
    // Exactly `/metrics`, no query string: Zot leaves only that exact path out of its request counter.
    const res = await request(`${this.url}/metrics`, { dispatcher: this.dispatcher, headers })
    const text = await res.body.text()
    if (res.statusCode !== 200) throw new Error(`${this.name}: GET /metrics answered ${res.statusCode}`)
    return text
  }

  async requestCount(): Promise<number> {
    let previous = sumRequests(await this.metrics())
    for (let i = 0; i < 40; i++) {
      await sleep(25)
      const now = sumRequests(await this.metrics())
      if (now === previous) return now
      previous = now
    }
    return previous
  }

  kill(): void {
    this.proc?.kill('SIGKILL')
  }

  private async stopProcess(): Promise<void> {
    const proc = this.proc
    if (!proc || !this.running) {
      await this.exited
      return
    }
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS)
    await this.exited
    clearTimeout(timer)
  }

  async restart(): Promise<void> {
    if (this.stopped) throw new Error(`${this.name} was stopped; start a new server instead`)
    await this.stopProcess()
    this.appendLog(`[zot-warm test bed] ---- restart on port ${this.port} ----`)
    for (let attempt = 1; ; attempt++) {
      try {
        await this.launch()
        return
      } catch (err) {
        // The old socket may linger for a moment after a SIGKILL.
        if (!(err instanceof PortInUseError) || attempt >= 20) throw err
        await sleep(100)
      }
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await this.stopProcess()
    live.delete(this)
    await this.dispatcher?.close().catch(() => {})
    await new Promise((resolve) => this.logStream.end(resolve))
    if (process.env.ZOT_WARM_KEEP_ZOT_DIRS)
      process.stderr.write(`kept ${this.name} files in ${this.rootDir}\n`)
    else rmSync(this.rootDir, { recursive: true, force: true })
  }

  /** Synchronous last-resort cleanup for process exit. */
  killNowAndClean(): void {
    try {
      this.proc?.kill('SIGKILL')
    } catch {}
    if (!process.env.ZOT_WARM_KEEP_ZOT_DIRS) rmSync(this.rootDir, { recursive: true, force: true })
  }
}

function sumRequests(metrics: string): number {
  let total = 0
  for (const line of metrics.split('\n')) {
    if (!/^zot_http_requests_total[{ ]/.test(line)) continue
    const value = Number(line.slice(line.lastIndexOf(' ') + 1))
    if (Number.isFinite(value)) total += value
  }
  return total
}

/** The Zot config for these options (pure; `setPort` applies mutateConfig and writes it). */
export function buildConfig(o: ZotOptions, rootDir: string, port: number): ZotConfig {
  const upstreams = o.upstreams ?? []
  const http: ZotConfig = { address: '127.0.0.1', port: String(port) }
  const compat = o.compat ?? (upstreams.length === 0 || upstreams.some((u) => u.preserveDigest))
  if (compat) http.compat = ['docker2s2']
  if (o.writeTimeout !== undefined) http.writeTimeout = o.writeTimeout
  if (o.tls) {
    http.tls = { cert: join(rootDir, 'tls', 'server.crt'), key: join(rootDir, 'tls', 'server.key') }
  }
  if (o.auth) {
    const readOnly = new Set(o.auth.readOnlyUsers ?? [])
    const writers = Object.keys(o.auth.users).filter((u) => !readOnly.has(u))
    const repoPolicy: ZotConfig = {
      policies: writers.length ? [{ users: writers, actions: ['read', 'create', 'update', 'delete'] }] : [],
      defaultPolicy: ['read'],
    }
    if (o.auth.anonymousRead) repoPolicy.anonymousPolicy = ['read']
    http.realm = 'zot'
    http.auth = { htpasswd: { path: join(rootDir, 'htpasswd') }, failDelay: 0 }
    http.accessControl = {
      repositories: { '**': repoPolicy },
      // A hidden user so requestCount() can read /metrics without widening anyone's rights.
      metrics: { users: [METRICS_USER] },
    }
  }

  const extensions: ZotConfig = {
    metrics: { enable: true, prometheus: { path: '/metrics' } },
  }
  if (o.search ?? true) {
    extensions.search = { enable: true }
    extensions.mgmt = { enable: true }
  }
  if (upstreams.length) {
    const registries = upstreams.map((u, i) => {
      const content: ZotConfig = { prefix: u.prefix ?? '**' }
      if (u.destination) content.destination = `/${u.destination.replace(/^\/+|\/+$/g, '')}`
      const reg: ZotConfig = { urls: [u.url], onDemand: u.onDemand ?? true, content: [content] }
      if (u.tlsVerify !== undefined) reg.tlsVerify = u.tlsVerify
      if (u.ca) reg.certDir = join(rootDir, 'certs', String(i))
      if (u.preserveDigest) reg.preserveDigest = true
      if (u.maxRetries !== undefined) {
        reg.maxRetries = u.maxRetries
        reg.retryDelay = u.retryDelay ?? '1s'
      } else if (u.retryDelay !== undefined) reg.retryDelay = u.retryDelay
      if (u.syncTimeout !== undefined) reg.syncTimeout = u.syncTimeout
      if (u.onlySigned !== undefined) reg.onlySigned = u.onlySigned
      if (u.syncLegacyCosignTags !== undefined) reg.syncLegacyCosignTags = u.syncLegacyCosignTags
      return reg
    })
    extensions.sync = { enable: true, registries }
    if (upstreams.some((u) => u.credentials))
      extensions.sync.credentialsFile = join(rootDir, 'credentials.json')
  }

  return {
    distSpecVersion: '1.1.1',
    storage: { rootDirectory: join(rootDir, 'storage'), gc: o.gc ?? false },
    http,
    log: { level: o.logLevel ?? 'debug' },
    extensions,
  }
}

// ---- cleanup when the test process ends -------------------------------------------------------------

process.once('exit', () => {
  for (const s of live) s.killNowAndClean()
})

interface Reaper {
  add(pid: number, dir: string): void
  remove(pid: number): void
}

// Runs detached and reads "add/del pid dir" lines; when its stdin reaches EOF (this process ended, however it
// ended: even SIGKILL closes the pipe) it SIGKILLs the Zot processes still listed and removes their dirs.
const REAPER_SCRIPT = `
const fs = require('node:fs'); const pids = new Map(); let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { buf += d; let i;
  while ((i = buf.indexOf('\\n')) >= 0) { const [op, pid, dir] = buf.slice(0, i).split('\\t'); buf = buf.slice(i + 1);
    if (op === 'add') pids.set(Number(pid), dir); else pids.delete(Number(pid)); } });
process.stdin.on('end', () => { for (const [pid, dir] of pids) {
  try { process.kill(pid, 'SIGKILL') } catch {}
  if (!process.env.ZOT_WARM_KEEP_ZOT_DIRS) try { fs.rmSync(dir, { recursive: true, force: true }) } catch {} }
  process.exit(0) });
`

let reaperInstance: Reaper | undefined
function reaper(): Reaper {
  if (reaperInstance) return reaperInstance
  const child = spawn(process.execPath, ['-e', REAPER_SCRIPT], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  })
  child.unref()
  const stdin = child.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null
  stdin?.on('error', () => {})
  stdin?.unref?.()
  const send = (line: string) => {
    stdin?.write(`${line}\n`)
  }
  reaperInstance = {
    add: (pid, dir) => send(`add\t${pid}\t${dir}`),
    remove: (pid) => send(`del\t${pid}`),
  }
  return reaperInstance
}
