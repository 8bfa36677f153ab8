// scripts/ensure-zot.mjs: the order (ZOT_WARM_ZOT_BIN, the cached binaries, the verified release download,
// go install) and the download itself against a loopback release server: a file with a known digest, a
// wrong digest, a pinned digest, a 404, a cut connection, a closed port. `go` is a stand-in script on PATH;
// the cache is a temporary XDG_CACHE_HOME. Nothing here reaches the network or the real cache.
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  ensureZot,
  releaseAsset,
  ZOT_RELEASE_SHA256,
  zotCacheDir,
  zotReleaseCacheDir,
} from '../scripts/ensure-zot.mjs'
import { checksumFor } from '../scripts/release-download.mjs'
import { tempDir } from './support/temp.js'

const ASSET = 'zot-linux-amd64'
const BINARY = Buffer.from('#!/bin/sh\necho "zot v2.1.20 (release stand-in)"\n')
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')

type Route = (res: ServerResponse) => void
let routes: Record<string, Route> = {}
let requests: string[] = []
let server: Server
let base: string

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '')
    const route = routes[req.url ?? '']
    if (route) route(res)
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found')
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/download/v2.1.20`
})
afterAll(() => new Promise<void>((done) => server.close(() => done())))

const serve =
  (body: Buffer | string): Route =>
  (res) =>
    res.writeHead(200).end(body)
const checksums = (hex: string) =>
  serve(`${sha('other')} *zot-darwin-arm64\n${hex} *${ASSET}\n${sha('min')} *${ASSET}-minimal\n`)

let env: NodeJS.ProcessEnv
let logs: string[]
let bin: string

/** A `go` on PATH that "builds" by writing a script into $GOBIN, or fails like a real build would. */
function fakeGo(behaviour: 'builds' | 'fails' | 'absent') {
  const dir = tempDir('zot-warm-fake-go-')
  if (behaviour !== 'absent') {
    const script =
      behaviour === 'builds'
        ? '#!/bin/sh\nprintf "#!/bin/sh\\necho built\\n" > "$GOBIN/zot"\nchmod 755 "$GOBIN/zot"\n'
        : '#!/bin/sh\necho "go: zotregistry.dev/zot/v2/cmd/zot@v2.1.20: module lookup disabled by GOPROXY=off" >&2\nexit 1\n'
    writeFileSync(join(dir, 'go'), script)
    chmodSync(join(dir, 'go'), 0o755)
  }
  // Only the stand-in's directory and the system's basic tools: never the real Go.
  env.PATH = `${dir}:/usr/bin:/bin`
}

const run = (extra: Parameters<typeof ensureZot>[0] = {}) =>
  ensureZot({
    env,
    log: (l) => logs.push(l),
    releaseUrl: base,
    platform: 'linux',
    arch: 'x64',
    timeoutMs: 10_000,
    ...extra,
  })

beforeEach(() => {
  routes = {}
  requests = []
  logs = []
  env = { XDG_CACHE_HOME: tempDir('zot-warm-cache-'), HOME: '/nonexistent' }
  bin = join(zotReleaseCacheDir(env, ASSET), 'zot')
  fakeGo('fails')
})

/** Whatever failed, nothing half-written is left in the release cache directory. */
function expectNothingCached() {
  const dir = zotReleaseCacheDir(env, ASSET)
  expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([])
}

describe('the release binary', () => {
  it('with the digest its checksums file lists: installed executable, then used from the cache', async () => {
    routes['/download/v2.1.20/checksums.sha256.txt'] = checksums(sha(BINARY))
    routes[`/download/v2.1.20/${ASSET}`] = serve(BINARY)
    expect(await run()).toBe(bin)
    expect(readFileSync(bin)).toEqual(BINARY)
    expect(statSync(bin).mode & 0o777).toBe(0o755)
    expect(logs.join('\n')).toContain(
      `verified sha256 ${sha(BINARY)} of ${ASSET} against checksums.sha256.txt (no digest pinned in the repository yet)`,
    )
    expect(readdirSync(zotReleaseCacheDir(env, ASSET))).toEqual(['zot'])
    requests = []
    expect(await run()).toBe(bin)
    expect(requests).toEqual([])
  })

  it('a digest pinned in the repository must match as well', async () => {
    routes['/download/v2.1.20/checksums.sha256.txt'] = checksums(sha(BINARY))
    routes[`/download/v2.1.20/${ASSET}`] = serve(BINARY)
    expect(await run({ pinned: { [ASSET]: sha(BINARY).toUpperCase() } })).toBe(bin)
    expect(logs.join('\n')).toContain('and the digest pinned in the repository')
  })

  it('a checksums file that disagrees with the pinned digest is not trusted (nothing downloaded)', async () => {
    routes['/download/v2.1.20/checksums.sha256.txt'] = checksums(sha(BINARY))
    routes[`/download/v2.1.20/${ASSET}`] = serve(BINARY)
    await expect(run({ pinned: { [ASSET]: sha('the real one') } })).rejects.toThrow(
      `but the repository pins ${sha('the real one')}: not trusted`,
    )
    expect(requests).toEqual(['/download/v2.1.20/checksums.sha256.txt'])
    expectNothingCached()
  })

  it('a wrong digest: not installed; go install is tried next; the message names both ways and ZOT_WARM_ZOT_BIN', async () => {
    routes['/download/v2.1.20/checksums.sha256.txt'] = checksums(sha('something else'))
    routes[`/download/v2.1.20/${ASSET}`] = serve(BINARY)
    const err = await run().then(
      () => undefined,
      (e: Error) => e,
    )
    expect(err?.message).toBe(
      [
        'ensure-zot: no Zot v2.1.20 binary could be had.',
        `  1. release binary ${ASSET} from ${base}: ${ASSET} has sha256 ${sha(BINARY)}, but checksums.sha256.txt lists ${sha('something else')}: not installed`,
        '  2. go install: `CGO_ENABLED=0 GOEXPERIMENT=jsonv2 go install -trimpath -tags sync,search,mgmt,metrics zotregistry.dev/zot/v2/cmd/zot@v2.1.20` failed (exit 1). Last go output:',
        '     go: zotregistry.dev/zot/v2/cmd/zot@v2.1.20: module lookup disabled by GOPROXY=off',
        `Either make ${base} reachable (or set ZOT_WARM_ZOT_RELEASE_URL to a mirror holding ${ASSET} and checksums.sha256.txt),`,
        'or install Go 1.26.3 or newer for go install, or set ZOT_WARM_ZOT_BIN to a Zot v2.1.20 binary',
        '(the release binary, or one built with -tags sync,search,mgmt,metrics).',
      ].join('\n'),
    )
    expectNothingCached()
  })

  it('a 404 (no such release asset): go install builds it into its own cache', async () => {
    routes['/download/v2.1.20/checksums.sha256.txt'] = checksums(sha(BINARY))
    fakeGo('builds')
    expect(await run()).toBe(join(zotCacheDir(env), 'zot'))
    expect(logs.join('\n')).toContain(`${base}/${ASSET} answered HTTP 404 Not Found; trying go install next`)
    expectNothingCached()
  })

  it('a cut connection: nothing installed, go install next', async () => {
    routes['/download/v2.1.20/checksums.sha256.txt'] = checksums(sha(BINARY))
    routes[`/download/v2.1.20/${ASSET}`] = (res) => {
      res.writeHead(200, { 'content-length': String(1 << 20) })
      res.write(Buffer.alloc(4096, 1))
      setTimeout(() => res.socket?.destroy(), 50)
    }
    fakeGo('absent')
    const err = await run().then(
      () => undefined,
      (e: Error) => e,
    )
    expect(err?.message).toMatch(
      new RegExp(
        `1\\. release binary ${ASSET} from .*: the download of ${base}/${ASSET} broke off after 4096 bytes`,
      ),
    )
    expect(err?.message).toMatch(
      /2\. go install: cannot build zot: the Go toolchain is not available \(spawn go ENOENT\); install Go/,
    )
    expect(err?.message).toContain('set ZOT_WARM_ZOT_BIN')
    expectNothingCached()
  })

  it('a release host that cannot be reached (as on this machine): go install next', async () => {
    const closed = createServer()
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((done) => closed.close(() => done()))
    fakeGo('builds')
    expect(await run({ releaseUrl: `http://127.0.0.1:${port}/x` })).toBe(join(zotCacheDir(env), 'zot'))
    expect(logs.join('\n')).toMatch(
      /could not be reached \(connect ECONNREFUSED 127\.0\.0\.1:\d+\); trying go install next/,
    )
  })

  it('an OS/architecture without a release binary goes straight to go install', async () => {
    fakeGo('builds')
    expect(await run({ platform: 'win32', arch: 'ia32' })).toBe(join(zotCacheDir(env), 'zot'))
    expect(requests).toEqual([])
    expect(releaseAsset('linux', 'arm64')).toBe('zot-linux-arm64')
    expect(releaseAsset('darwin', 'x64')).toBe('zot-darwin-amd64')
    expect(releaseAsset('win32', 'x64')).toBeUndefined()
  })
})

describe('what is used without downloading', () => {
  it('ZOT_WARM_ZOT_BIN first; a wrong one is an error saying so', async () => {
    const own = join(env.XDG_CACHE_HOME as string, 'my-zot')
    writeFileSync(own, '#!/bin/sh\n')
    chmodSync(own, 0o755)
    expect(await run({ env: { ...env, ZOT_WARM_ZOT_BIN: own } })).toBe(own)
    await expect(run({ env: { ...env, ZOT_WARM_ZOT_BIN: join(own, 'nope') } })).rejects.toThrow(
      /ZOT_WARM_ZOT_BIN=.*nope is not an executable file/,
    )
    expect(requests).toEqual([])
  })

  it('the go install build already in the cache (the path CI provides) is used as it is', async () => {
    const built = join(zotCacheDir(env), 'zot')
    expect(built).toBe(
      join(env.XDG_CACHE_HOME as string, 'zot-warm', 'zot-v2.1.20-sync-search-mgmt-metrics', 'zot'),
    )
    mkdirSync(zotCacheDir(env), { recursive: true })
    writeFileSync(built, '#!/bin/sh\n')
    chmodSync(built, 0o755)
    expect(await run()).toBe(built)
    expect(requests).toEqual([])
  })
})

describe('checksums.sha256.txt', () => {
  it('reads `<hex> *<asset>` and `<hex>  <asset>` lines, exact names only', () => {
    const h = 'A'.repeat(64)
    const text = `${'b'.repeat(64)} *zot-linux-amd64-minimal\n${h} *zot-linux-amd64\r\n${'c'.repeat(64)}  zot-darwin-arm64\n`
    expect(checksumFor(text, 'zot-linux-amd64')).toBe('a'.repeat(64))
    expect(checksumFor(text, 'zot-darwin-arm64')).toBe('c'.repeat(64))
    expect(checksumFor(text, 'zot-linux-arm64')).toBeUndefined()
  })

  it('no digest is pinned in the repository yet (nobody here could read the release)', () => {
    expect(ZOT_RELEASE_SHA256).toEqual({})
  })
})
