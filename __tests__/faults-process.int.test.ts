// Process-level faults, run as a user and a runner run them: the bundled CLI (dist/cli.js) and action
// (dist/index.js) in child processes against real Zot servers on loopback. Zot down at start, rejected
// credentials, self-signed TLS (without the CA, with it, skip-verify), SIGTERM mid-run and the overall timeout.
// A fault relay in front of the cache records what reached Zot (nothing per image on a hard failure; no new
// image after cancellation), and holds the "slow" upstream's blobs so a sync stays in flight as long as needed.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type FaultRelay, type Injection, startFaultRelay } from './support/fault-relay.js'
import { pushImages } from './support/images.js'
import { listTags } from './support/registry.js'
import { checkDist, checkRuntime, githubEnv, newRunDir, ROOT, runBundle, runtimes } from './support/runner.js'
import { tempDir } from './support/temp.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const USER = 'deployer'
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`
const MAP = 'docker.io: docker-images\nslow.example: slow-images'
const SLOW = ['slow.example/big/one:1', 'slow.example/big/two:1', 'slow.example/big/three:1']
const FAST = 'docker.io/team/fast:1'
/** Workspace-relative manifests: the fast image first, then the slow ones (extraction order = file order). */
const JOB_YAML = `apiVersion: batch/v1
kind: Job
spec:
  template:
    spec:
      containers:
        - name: fast
          image: team/fast:1
${SLOW.map((s, i) => `        - name: slow${i}\n          image: ${s}`).join('\n')}
`
const ALL = [FAST, ...SLOW]
const STACK = /^\s+at .+\(.*:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m

let hub: ZotServer
let slowHub: ZotServer
/** Between the cache and the slow upstream: holds its blob GETs, so syncs of slow.example images never end. */
let slowRelay: FaultRelay
let slowBlobs: Injection
let cache: ZotServer
/** In front of the cache: records what reached Zot. */
let front: FaultRelay
let workspace: string

interface Report {
  outcome: { exitCode: number; conclusion: string; reason: string }
  summary: Record<string, number>
  images: { reference: string; status: string; attempts: number; error: string | null }[]
}

interface ToolRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  report?: Report
}

/**
 * Runs dist/cli.js in a child process; `watch` sees stdout+stderr as they grow (to send a signal at the right
 * moment). Bounded: SIGKILL after `timeoutMs`, which fails the test.
 */
async function runCli(
  args: string[],
  opts: {
    env?: Record<string, string>
    node?: string
    reportPath?: string
    watch?: (output: string, child: ChildProcess) => void
    timeoutMs?: number
  } = {},
): Promise<ToolRun> {
  const child = spawn(opts.node ?? process.execPath, [join(ROOT, 'dist/cli.js'), ...args], {
    cwd: workspace,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stdout.on('data', (c: string) => {
    stdout += c
    opts.watch?.(stdout + stderr, child)
  })
  child.stderr.on('data', (c: string) => {
    stderr += c
    opts.watch?.(stdout + stderr, child)
  })
  const limit = opts.timeoutMs ?? 90_000
  const killer = setTimeout(() => child.kill('SIGKILL'), limit)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  )
  clearTimeout(killer)
  if (signal === 'SIGKILL')
    throw new Error(`dist/cli.js did not finish within ${limit} ms\n${stdout}\n${stderr}`)
  const run: ToolRun = { code, signal, stdout, stderr }
  if (opts.reportPath && existsSync(opts.reportPath))
    run.report = JSON.parse(readFileSync(opts.reportPath, 'utf8')) as Report
  return run
}

const reportFile = () => join(tempDir('zot-warm-faults-'), 'report.json')

const zotEnv = (url: string, password = PASSWORD) => ({
  ZOT_WARM_ZOT_URL: url,
  ZOT_WARM_USERNAME: USER,
  ZOT_WARM_PASSWORD: password,
  ZOT_WARM_REGISTRY_MAP: MAP,
})

async function closedPort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const { port } = srv.address() as { port: number }
  await new Promise((resolve) => srv.close(resolve))
  return port
}

/** Every image of the run, once, with a final status. */
function statuses(report: Report | undefined): Record<string, string> {
  return Object.fromEntries((report?.images ?? []).map((i) => [i.reference, i.status]))
}

/** Manifest requests for the given image that reached the cache (through the front relay). */
function manifestRequests(ref: string): number {
  const [, repo, tag] = /^[^/]+\/(.+):([^:]+)$/.exec(ref) ?? []
  const prefix = ref.startsWith('slow.example/') ? 'slow-images' : 'docker-images'
  return front.requests(new RegExp(`^(GET|HEAD) /v2/${prefix}/${repo}/manifests/${tag}$`)).length
}

beforeAll(async () => {
  checkDist()
  ;[hub, slowHub] = await Promise.all([startZot({ name: 'hub' }), startZot({ name: 'slow-hub' })])
  slowRelay = await startFaultRelay(slowHub.url)
  slowBlobs = slowRelay.inject({ match: /^GET \/v2\/.+\/blobs\//, fault: { kind: 'hold' } })
  cache = await startZot({
    name: 'cache',
    auth: { users: { [USER]: PASSWORD } },
    upstreams: [
      { url: hub.url, destination: 'docker-images' },
      { url: slowRelay.url, destination: 'slow-images', maxRetries: 1 },
    ],
  })
  front = await startFaultRelay(cache.url)
  await pushImages(hub.registry(), [{ repo: 'team/fast', tag: '1', kind: 'oci' }])
  await pushImages(
    slowHub.registry(),
    SLOW.map((s) => ({ repo: s.replace(/^slow\.example\/|:1$/g, ''), tag: '1', kind: 'oci' as const })),
  )
  workspace = tempDir('zot-warm-faults-ws-')
  writeFileSync(join(workspace, 'job.yaml'), JOB_YAML)
})

afterAll(async () => {
  await Promise.all([front?.stop(), slowRelay?.stop()])
})

describe('Zot unusable at start: exit 1 before any warming', () => {
  test('Zot down: "cannot reach Zot at URL: connection refused", every image not attempted', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const reportPath = reportFile()
    const run = await runCli(['--report', reportPath, 'job.yaml'], { env: zotEnv(url), reportPath })
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain(`cannot reach Zot at ${url}: connection refused`)
    expect(run.stderr).toContain('zot-warm: FAILED: cannot reach Zot at')
    // No warming phase: no progress line, no per-image problem lines.
    expect(run.stderr).not.toMatch(/==> Warm|\[\d+\/\d+\]|: error: /)
    expect(run.stderr).not.toMatch(STACK)
    expect(run.report?.outcome.exitCode).toBe(1)
    expect(run.report?.images.map((i) => [i.reference, i.status, i.attempts])).toEqual(
      ALL.map((r) => [r, 'not-attempted', 0]),
    )
  })

  test('wrong password: one GET /v2/ reaches Zot, "Zot rejected the credentials for USER", no per-image noise', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`
    const before = front.records.length
    const reportPath = reportFile()
    const run = await runCli(['--report', reportPath, 'job.yaml'], {
      env: zotEnv(front.url, wrong),
      reportPath,
    })
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain(`Zot rejected the credentials for ${USER}`)
    expect(run.stderr).not.toContain(wrong)
    expect(run.stderr).not.toMatch(/==> Warm|\[\d+\/\d+\]|: error: |^failed: /m)
    expect(run.stderr).not.toMatch(STACK)
    // 401 is an answer, not retried; nothing per image was asked.
    expect(front.records.slice(before).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /v2/ 401',
    ])
    expect(run.report?.images.every((i) => i.status === 'not-attempted' && i.attempts === 0)).toBe(true)
    expect(run.report?.outcome.reason).toContain(`Zot rejected the credentials for ${USER}`)
  })
})

describe('self-signed TLS', () => {
  let tlsCache: ZotServer
  beforeAll(async () => {
    tlsCache = await startZot({
      name: 'tls-cache',
      tls: true,
      upstreams: [{ url: hub.url, destination: 'docker-images' }],
    })
  })

  test('without the CA: exit 1, the error names the ca-cert input', async () => {
    const run = await runCli(['--zot-url', tlsCache.url, '--registry-map', MAP, FAST])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain(`TLS verification failed for ${tlsCache.url}`)
    expect(run.stderr).toMatch(/`ca-cert`/)
    expect(run.stderr).not.toMatch(/==> Warm|\[\d+\/\d+\]/)
    expect(run.stderr).not.toMatch(STACK)
  })

  test('with the CA (a file path in --ca-cert): the image warms', async () => {
    const reportPath = reportFile()
    const run = await runCli(
      [
        '--zot-url',
        tlsCache.url,
        '--registry-map',
        MAP,
        '--ca-cert',
        tlsCache.caFile as string,
        '--report',
        reportPath,
        FAST,
      ],
      { reportPath },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(statuses(run.report)).toEqual({ [FAST]: 'warmed' })
    expect((await listTags(tlsCache.registry(), 'docker-images/team/fast')).tags).toEqual(['1'])
  })

  test('skip-tls-verify: works, with a warning that verification is off', async () => {
    const reportPath = reportFile()
    const run = await runCli(
      ['--zot-url', tlsCache.url, '--registry-map', MAP, '--skip-tls-verify', '--report', reportPath, FAST],
      { reportPath },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(['cached', 'warmed']).toContain(statuses(run.report)[FAST])
    expect(run.stderr).toMatch(/warning:.*TLS verification is off for https:\/\/127\.0\.0\.1:\d+/)
  })

  test('the action: skip-tls-verify warns in the log', async () => {
    const [, node24] = runtimes()
    if (!node24) throw new Error('no node24 runtime')
    checkRuntime(node24)
    const dir = newRunDir()
    const run = await runBundle({
      node: node24.node,
      script: 'dist/index.js',
      dir,
      // An empty workspace: only the image given in `images` (the default scan would find job.yaml).
      env: githubEnv(dir, tempDir('zot-warm-empty-ws-')),
      inputs: { images: FAST, 'zot-url': tlsCache.url, 'registry-map': MAP, 'skip-tls-verify': 'true' },
      reportPath: join(dir, 'runner_temp', 'zot-warm-report.json'),
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/TLS verification is off for https:\/\/127\.0\.0\.1:\d+/)
  })
})

describe('cancellation: stop scheduling, account for every image', () => {
  // concurrency 1: the fast image finishes, the first slow one is in flight (its blobs are held), the other
  // slow ones must never be started.
  const expectAccounted = (run: ToolRun | { report?: unknown }, why: RegExp) => {
    const report = run.report as Report
    expect(report.images.map((i) => i.reference)).toEqual(ALL)
    expect(['cached', 'warmed']).toContain(statuses(report)[FAST])
    for (const ref of SLOW) expect(statuses(report)[ref], ref).toBe('not-attempted')
    const [inFlight, ...never] = SLOW
    expect(report.images.find((i) => i.reference === inFlight)?.error).toMatch(/cancelled/)
    for (const ref of never) {
      const img = report.images.find((i) => i.reference === ref)
      expect(img?.attempts).toBe(0)
      expect(img?.error).toMatch(/before this image started/)
      expect(manifestRequests(ref), `${ref} must not be requested`).toBe(0)
    }
    expect(report.outcome.reason).toMatch(why)
    expect(report.summary.notAttempted).toBe(SLOW.length)
  }

  test('CLI, SIGTERM after the first image: exit 2, report written, no stack trace', async () => {
    const reportPath = reportFile()
    let sent = false
    const run = await runCli(['--concurrency', '1', '--report', reportPath, 'job.yaml'], {
      env: zotEnv(front.url),
      reportPath,
      watch: (out, child) => {
        if (!sent && /\[1\/4\] (cached|warmed) docker\.io\/team\/fast:1/.test(out)) {
          sent = true
          child.kill('SIGTERM')
        }
      },
    })
    expect(sent).toBe(true)
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toContain('Received SIGTERM: stopping')
    expect(run.stderr).not.toMatch(STACK)
    expectAccounted(run, /3 images not attempted \(cancelled by SIGTERM\)/)
    // The table on stdout lists every image too.
    for (const ref of ALL) expect(run.stdout).toContain(ref)
  })

  test('action (node24), SIGTERM: summary, outputs and report account for every image; exit 2', async () => {
    const [, node24] = runtimes()
    if (!node24) throw new Error('no node24 runtime')
    checkRuntime(node24)
    const dir = newRunDir()
    let sent = false
    const run = await runBundle({
      node: node24.node,
      script: 'dist/index.js',
      dir,
      env: githubEnv(dir, workspace),
      inputs: {
        paths: 'job.yaml',
        'zot-url': front.url,
        username: USER,
        password: PASSWORD,
        'registry-map': MAP,
        concurrency: '1',
      },
      reportPath: join(dir, 'runner_temp', 'zot-warm-report.json'),
      onStdout: (text, child) => {
        if (!sent && /\[1\/4\] (cached|warmed) docker\.io\/team\/fast:1/.test(text)) {
          sent = true
          child.kill('SIGTERM')
        }
      },
    })
    expect(sent).toBe(true)
    expect(run.code, run.stderr).toBe(2)
    expect(run.stdout).toContain('Received SIGTERM: stopping')
    expect(`${run.stdout}\n${run.stderr}`).not.toMatch(STACK)
    expectAccounted(run, /3 images not attempted \(cancelled by SIGTERM\)/)
    expect(run.outputs).toMatchObject({ total: '4', failed: '0', skipped: '3' })
    expect(JSON.parse(run.outputs.images ?? '[]').map((i: { reference: string }) => i.reference)).toEqual(ALL)
    // As a reader sees it: references in the summary may wrap at <wbr>.
    for (const ref of ALL) expect(run.summary.replaceAll('<wbr>', '')).toContain(ref)
    expect(run.commands.filter((c) => c.command === 'error').at(-1)?.message).toMatch(/cancelled by SIGTERM/)
  })

  test('CLI, overall timeout: exit 2, same accounting, the reason names the timeout', async () => {
    const reportPath = reportFile()
    const run = await runCli(['--concurrency', '1', '--timeout', '4s', '--report', reportPath, 'job.yaml'], {
      env: zotEnv(front.url),
      reportPath,
    })
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).not.toMatch(STACK)
    expectAccounted(run, /3 images not attempted \(overall timeout of 4s reached\)/)
  })

  test('action, overall timeout: summary, outputs, report; soft mode (strict: false) exits 0 with a warning', async () => {
    const dir = newRunDir()
    const run = await runBundle({
      node: process.execPath,
      script: 'dist/index.js',
      dir,
      env: githubEnv(dir, workspace),
      inputs: {
        paths: 'job.yaml',
        'zot-url': front.url,
        username: USER,
        password: PASSWORD,
        'registry-map': MAP,
        concurrency: '1',
        timeout: '4s',
        strict: 'false',
      },
      reportPath: join(dir, 'runner_temp', 'zot-warm-report.json'),
    })
    expect(run.code, run.stderr).toBe(0)
    expectAccounted(run, /overall timeout of 4s reached/)
    expect(run.outputs).toMatchObject({ total: '4', skipped: '3' })
    // As a reader sees it: references in the summary may wrap at <wbr>.
    for (const ref of ALL) expect(run.summary.replaceAll('<wbr>', '')).toContain(ref)
    expect(run.commands.filter((c) => c.command === 'warning').at(-1)?.message).toMatch(
      /3 images not attempted \(overall timeout of 4s reached\).*\(strict: false\)/,
    )
  })

  test('the held syncs were really in flight at the slow upstream', () => {
    // Each cancelled run left Zot syncing the first slow image; the others were never asked for.
    expect(slowBlobs.hits).toBeGreaterThan(0)
    expect(slowRelay.requests(/\/big\/(two|three)\//)).toEqual([])
  })
})
