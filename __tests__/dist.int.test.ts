// The committed bundles, run as a runner runs them (dist/index.js with INPUT_*, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY, a pull_request event; a Forgejo variant) and as a user runs the CLI (dist/cli.js),
// under Node 20 and Node 24, against a real upstream + cache Zot pair. Every run is checked for secrets.
import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXPLANATIONS } from '../src/warm/diagnose.js'
import { type DelayProxy, startDelayProxy } from './support/delay-proxy.js'
import { pushImages } from './support/images.js'
import {
  checkDist,
  checkRuntime,
  forgejoEnv,
  githubEnv,
  HEAD_SHA,
  MERGE_SHA,
  newRunDir,
  ROOT,
  type RunOutcome,
  runBundle,
  runtimes,
  secretLeaks,
} from './support/runner.js'
import { tempDir } from './support/temp.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const USER = 'deployer'
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64')
const SECRETS = [PASSWORD, BASIC]
const REGISTRY_MAP = 'docker.io: docker-images\nghcr.io: ghcr-images\nslow.example: slow-images'

// deploy/app.yaml: line numbers below are asserted against annotations and summary links.
const APP_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
        - name: api
          image: ghcr.io/acme/api:1.4.2
        - name: gone
          image: ghcr.io/acme/missing:9.9
        - name: bad
          image: "Acme/UPPER:1"
        - name: tmpl
          image: "{{ .Values.image }}"
        - name: other
          image: quay.io/other/thing:1
`
const COMPOSE_YAML = `services:
  cache:
    image: redis:7.4
  worker:
    image: ghcr.io/acme/worker:1.0
`
const LINE = { nginx: 10, api: 12, missing: 14, bad: 16, tmpl: 18, quay: 20 }

let dockerHub: ZotServer
let ghcr: ZotServer
let slowUpstream: ZotServer
let proxy: DelayProxy
let cache: ZotServer
let workspace: string

async function closedPort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise((r) => srv.close(r))
  return port
}

beforeAll(async () => {
  checkDist()
  for (const rt of runtimes()) checkRuntime(rt)
  ;[dockerHub, ghcr, slowUpstream] = await Promise.all([
    startZot({ name: 'upstream-docker' }),
    startZot({ name: 'upstream-ghcr' }),
    startZot({ name: 'upstream-slow' }),
  ])
  // Holds blob downloads for a long time: an image behind it stays "syncing" until the run is cancelled.
  proxy = await startDelayProxy(slowUpstream.url, { delayMs: 60_000 })
  cache = await startZot({
    name: 'cache',
    auth: { users: { [USER]: PASSWORD } },
    upstreams: [
      { url: dockerHub.url, destination: 'docker-images' },
      { url: ghcr.url, destination: 'ghcr-images' },
      { url: proxy.url, destination: 'slow-images', maxRetries: 1 },
    ],
  })
  await Promise.all([
    pushImages(dockerHub.registry(), [
      { repo: 'library/nginx', tag: '1.27', kind: 'oci-index', platforms: ['linux/amd64', 'linux/arm64'] },
      { repo: 'library/redis', tag: '7.4', kind: 'oci' },
    ]),
    pushImages(ghcr.registry(), [
      { repo: 'acme/api', tag: '1.4.2', kind: 'oci-index', platforms: ['linux/amd64', 'linux/arm64'] },
      { repo: 'acme/worker', tag: '1.0', kind: 'oci' },
    ]),
    pushImages(slowUpstream.registry(), [{ repo: 'big/image', tag: '1', kind: 'oci', layerSize: 4096 }]),
  ])
  workspace = tempDir('zot-warm-ws-')
  mkdirSync(join(workspace, 'deploy'))
  writeFileSync(join(workspace, 'deploy', 'app.yaml'), APP_YAML)
  writeFileSync(join(workspace, 'compose.yaml'), COMPOSE_YAML)
  mkdirSync(join(workspace, 'many'))
  const containers = Array.from({ length: 15 }, (_, i) => `    - name: c${i}\n      image: "Bad${i}/Name:1"`)
  writeFileSync(
    join(workspace, 'many', 'pod.yaml'),
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: many\nspec:\n  containers:\n${containers.join('\n')}\n`,
  )
  mkdirSync(join(workspace, 'slow'))
  writeFileSync(
    join(workspace, 'slow', 'job.yaml'),
    'apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: redis:7.4\n        - name: b\n          image: slow.example/big/image:1\n',
  )
})

afterAll(async () => {
  await proxy?.stop()
})

const baseInputs = () => ({
  paths: 'deploy\ncompose.yaml',
  'zot-url': cache.url,
  username: USER,
  password: PASSWORD,
  'registry-map': REGISTRY_MAP,
})

type Report = {
  schemaVersion: number
  summary: Record<string, number>
  outcome: { exitCode: number; conclusion: string; reason: string }
  images: {
    reference: string
    status: string
    zotReference: string | null
    digest: string | null
    platforms: string[]
    sources: { file: string; line: number; column: number }[]
    error: string | null
    diagnosis: string | null
  }[]
}

function expectNoSecrets(run: RunOutcome): void {
  expect(secretLeaks(run, SECRETS)).toEqual([])
  // Registered with the runner before anything else is printed.
  const lines = run.stdout.split('\n').filter(Boolean)
  expect(lines[0]).toBe(`::add-mask::${PASSWORD}`)
  expect(lines.slice(0, 4)).toContain(`::add-mask::${BASIC}`)
}

function byRef(report: Report) {
  return new Map(report.images.map((i) => [i.reference, i]))
}

describe.each(runtimes())('$name', (rt) => {
  const action = (inputs: Record<string, string>, envOf = githubEnv, extra: Record<string, string> = {}) => {
    const dir = newRunDir()
    const env = { ...envOf(dir, workspace), ...extra }
    return runBundle({
      node: rt.node,
      script: 'dist/index.js',
      dir,
      inputs,
      env,
      reportPath: join(dir, 'runner_temp', 'zot-warm-report.json'),
    })
  }

  it('pull_request, strict: exit 2, outputs, summary with PR-head links, annotations worst first, no secrets', async () => {
    const run = await action(baseInputs())
    expect(run.code, run.stderr).toBe(2)
    expectNoSecrets(run)

    // Outputs.
    expect(run.outputs).toMatchObject({
      total: '8',
      failed: '1',
      skipped: '1',
      unresolved: '1',
      invalid: '1',
      // referrers: warm (the default) looked at the 4 images in Zot; none is signed.
      signed: '0',
      attested: '0',
      sbom: '0',
    })
    expect(Number(run.outputs.cached) + Number(run.outputs.warmed)).toBe(4)
    const reportPath = join(run.dir, 'runner_temp', 'zot-warm-report.json')
    expect(run.outputs.report).toBe(reportPath)
    const images = JSON.parse(run.outputs.images ?? '[]') as { reference: string; status: string }[]
    expect(images.map((i) => i.reference)).toContain('docker.io/library/nginx:1.27')

    // Report: normalised references, every image with status and sources.
    const report = run.report as Report
    expect(report.schemaVersion).toBe(2)
    expect(report.outcome.exitCode).toBe(2)
    const refs = byRef(report)
    const nginx = refs.get('docker.io/library/nginx:1.27')
    expect(['cached', 'warmed']).toContain(nginx?.status)
    expect(nginx?.zotReference).toMatch(/^docker-images\/library\/nginx:1\.27@sha256:[0-9a-f]{64}$/)
    expect(nginx?.platforms.sort()).toEqual(['linux/amd64', 'linux/arm64'])
    expect(nginx?.sources).toEqual([expect.objectContaining({ file: 'deploy/app.yaml', line: LINE.nginx })])
    const missing = refs.get('ghcr.io/acme/missing:9.9')
    expect(missing?.status).toBe('failed')
    expect(missing?.diagnosis).toBeTruthy()
    expect(refs.get('quay.io/other/thing:1')?.status).toBe('skipped-unmapped')
    const invalid = report.images.find((i) => i.status === 'invalid')
    expect(invalid?.sources[0]).toMatchObject({ file: 'deploy/app.yaml', line: LINE.bad })
    const unresolved = report.images.find((i) => i.status === 'unresolved')
    expect(unresolved?.sources[0]).toMatchObject({ file: 'deploy/app.yaml', line: LINE.tmpl })

    // Annotations: errors at file/line/col, failed before invalid before unresolved; the step's failure last.
    const errors = run.commands.filter((c) => c.command === 'error')
    expect(errors.map((e) => [e.props.file, e.props.line])).toEqual([
      ['deploy/app.yaml', String(LINE.missing)],
      ['deploy/app.yaml', String(LINE.bad)],
      ['deploy/app.yaml', String(LINE.tmpl)],
      [undefined, undefined],
    ])
    expect(errors[0]?.props.col).toBe(String(missing?.sources[0]?.column))
    expect(errors[0]?.message).toContain('ghcr.io/acme/missing:9.9')
    // The annotation says the image's part and points at the causes, which the summary says once.
    const why = EXPLANATIONS.missingAfterSync
    expect(errors[0]?.message).toMatch(
      /Zot answered 404 after syncing ghcr-images\/acme\/missing:9\.9 \(upstream ghcr\.io\/acme\/missing\); Zot's log says why \(look for "acme\/missing"\)\. See “Why Zot answers 404 after syncing” in the job summary\.$/,
    )
    expect(missing?.diagnosis?.endsWith(why.text)).toBe(true)
    expect(run.summary.split(`<h4>ℹ️ ${why.title}</h4>`)).toHaveLength(2)
    expect(errors[3]?.message).toBe(`zot-warm: ${report.outcome.reason}`)
    expect(report.outcome.reason).toBe(
      '1 image failed, 1 invalid reference, 1 unresolved reference; 1 image skipped (registry not in registry-map)',
    )
    expect(run.commands.filter((c) => c.command === 'warning')).toEqual([])

    // Log: one group per phase, the final table in a collapsed group.
    const groups = run.commands.filter((c) => c.command === 'group').map((c) => c.message)
    expect(groups.slice(0, 4)).toEqual([
      'Find image references',
      'Map images to Zot',
      'Connect to Zot',
      'Warm 5 images',
    ])
    expect(groups[4]).toMatch(/^Results: /)
    // No image here has a referrer: the table leaves the REFERRERS column out.
    expect(run.stdout).toMatch(/\nSTATUS +IMAGE +ZOT REFERENCE +DIGEST +PLATFORMS +TIME +USED IN\n/)
    expect(run.stdout).toMatch(/\[\d\/5\] (cached|warmed|failed) /)

    // Summary: header without credentials, rows, links to the PR head (not the merge commit), failure details.
    expect(run.summary).toMatch(
      new RegExp(`<b>Zot</b> <code>${cache.url}</code> · version <code>[^<]+</code>`),
    )
    expect(run.summary).toContain('mode <b>warm</b>')
    expect(run.summary).toContain(
      `<a href="https://github.com/acme/shop-deploy/blob/${HEAD_SHA}/deploy/app.yaml#L${LINE.missing}">deploy/<wbr>app.yaml:${LINE.missing}</a>`,
    )
    expect(run.summary).not.toContain(MERGE_SHA)
    expect(run.summary).toContain('<b>Diagnosis:</b>')
    expect(run.summary.match(/<tr><td>/g)).toHaveLength(9) // counts + 8 images
  })

  it('many problems: at most 10 error annotations per step, the rest in one aggregated line', async () => {
    const run = await action({ paths: 'many', mode: 'plan' })
    expect(run.code, run.stderr).toBe(2)
    const errors = run.commands.filter((c) => c.command === 'error')
    expect(errors).toHaveLength(10)
    // Worst first (in file order), then the aggregate, then the step's own failure.
    expect(errors.slice(0, 8).map((e) => e.props.line)).toEqual([
      '8',
      '10',
      '12',
      '14',
      '16',
      '18',
      '20',
      '22',
    ])
    expect(errors[8]?.message).toBe(
      '… and 7 more (7 × invalid image reference): see the job summary and the JSON report.',
    )
    expect(errors[9]?.message).toBe('zot-warm: 15 invalid references')
    expect((run.report as Report).images).toHaveLength(15)
  })

  it('a second run finds the warmed images cached', async () => {
    const run = await action({ ...baseInputs(), paths: 'compose.yaml' })
    expect(run.code, run.stderr).toBe(0)
    expect(run.outputs).toMatchObject({ total: '2', cached: '2', warmed: '0', failed: '0' })
    expectNoSecrets(run)
  })

  it('soft mode: warnings instead of errors, exit 0', async () => {
    const run = await action({ ...baseInputs(), strict: 'false' })
    expect(run.code, run.stderr).toBe(0)
    expect(run.commands.filter((c) => c.command === 'error')).toEqual([])
    const warnings = run.commands.filter((c) => c.command === 'warning')
    expect(warnings.map((w) => w.props.line)).toEqual([
      String(LINE.missing),
      String(LINE.bad),
      String(LINE.tmpl),
      undefined,
    ])
    expect(warnings.at(-1)?.message).toMatch(/^zot-warm: 1 image failed, .* \(strict: false\)$/)
    expect(run.outputs.failed).toBe('1')
    expectNoSecrets(run)
  })

  it('Forgejo: table in the log, Markdown summary with /src/commit/ links', async () => {
    const run = await action(baseInputs(), forgejoEnv)
    expect(run.code, run.stderr).toBe(2)
    const groups = run.commands.filter((c) => c.command === 'group').map((c) => c.message)
    expect(groups.some((g) => g.startsWith('Results'))).toBe(false)
    expect(run.stdout).toMatch(/\nSTATUS +IMAGE +ZOT REFERENCE/)
    expect(run.summary).toContain('## ❌ zot-warm: failed: 1 image failed')
    expect(run.summary).toContain(
      `(https://code.example.org/acme/shop-deploy/src/commit/${HEAD_SHA}/deploy/app.yaml#L${LINE.missing})`,
    )
    expect(run.summary).not.toContain('<table>')
    // No summary page on Forgejo: the annotation (a log line) points at the results in the log, where the
    // causes are said once after the problem list.
    const why = EXPLANATIONS.missingAfterSync
    const missing = run.commands.find((c) => c.command === 'error' && c.props.line === String(LINE.missing))
    expect(missing?.message).toMatch(/See “Why Zot answers 404 after syncing” in the results in the log\.$/)
    expect(run.stdout.split(`\n${why.title}:\n  ${why.text}\n`)).toHaveLength(2)
    expect(run.outputs.failed).toBe('1')
    expectNoSecrets(run)
  })

  it('rejected credentials: exit 1 in both modes, precise reason, the wrong password never shown', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`
    for (const strict of ['true', 'false']) {
      const run = await action({ ...baseInputs(), password: wrong, strict })
      expect(run.code, run.stderr).toBe(1)
      const error = run.commands.filter((c) => c.command === 'error').at(-1)
      expect(error?.message).toContain(`Zot rejected the credentials for ${USER}`)
      expect(secretLeaks(run, [wrong, Buffer.from(`${USER}:${wrong}`).toString('base64')])).toEqual([])
      expect(run.summary).toContain(`Zot rejected the credentials for ${USER}`)
      expect((run.report as Report).images).toHaveLength(8)
    }
  })

  it('unreachable Zot: exit 1', async () => {
    const run = await action({ ...baseInputs(), 'zot-url': `http://127.0.0.1:${await closedPort()}` })
    expect(run.code, run.stderr).toBe(1)
    expect(run.commands.filter((c) => c.command === 'error').at(-1)?.message).toMatch(
      /unreachable|refused|connect/i,
    )
  })

  it('bad configuration: exit 1, every problem named', async () => {
    const run = await action({ ...baseInputs(), mode: 'sync', concurrency: 'lots', 'image-timeout': 'soon' })
    expect(run.code).toBe(1)
    const errors = run.commands.filter((c) => c.command === 'error').map((c) => c.message)
    expect(errors).toEqual([
      'mode: "sync" is not one of warm, check, plan.',
      'concurrency: "lots" must be a whole number from 1 to 64.',
      'image-timeout: "soon" is not a duration; write e.g. 90s, 10m, 1h or a number of seconds.',
      'zot-warm: invalid configuration (3 problems, listed above)',
    ])
    expect(run.summary).toContain('invalid configuration')
    expectNoSecrets(run)
  })

  it('SIGTERM mid-sync: summary, report and outputs still account for every image; exit 2', async () => {
    const dir = newRunDir()
    let sent = false
    const run = await runBundle({
      node: rt.node,
      script: 'dist/index.js',
      dir,
      env: githubEnv(dir, workspace),
      inputs: { ...baseInputs(), paths: 'slow', concurrency: '2' },
      reportPath: join(dir, 'runner_temp', 'zot-warm-report.json'),
      onStdout: (text, child) => {
        // One image done, the slow one still syncing.
        if (!sent && /\[1\/2\] \w+ /.test(text)) {
          sent = true
          child.kill('SIGTERM')
        }
      },
    })
    expect(sent).toBe(true)
    expect(run.code, run.stderr).toBe(2)
    const report = run.report as Report
    expect(report.images.map((i) => i.reference).sort()).toEqual([
      'docker.io/library/redis:7.4',
      'slow.example/big/image:1',
    ])
    const slowImage = report.images.find((i) => i.reference === 'slow.example/big/image:1')
    expect(slowImage?.status).toMatch(/^(not-attempted|failed)$/)
    expect(slowImage?.error).toMatch(/cancel/i)
    expect(report.images.find((i) => i.reference === 'docker.io/library/redis:7.4')?.status).toMatch(
      /^(cached|warmed)$/,
    )
    expect(run.stdout).toContain('Received SIGTERM')
    expect(run.summary).toContain('zot-warm')
    expect(run.outputs.total).toBe('2')
    expectNoSecrets(run)
  })

  it('overall timeout: the rest is reported, strict exit 2', async () => {
    const run = await action({ ...baseInputs(), paths: 'slow', timeout: '2s', concurrency: '1' })
    expect(run.code, run.stderr).toBe(2)
    const report = run.report as Report
    expect(report.outcome.reason).toContain('overall timeout of 2s reached')
    expect(report.images).toHaveLength(2)
  })

  it('dist/ is self-contained: a copy of it alone warms, chunks and all; the compile cache goes to the runner tool cache, never the workspace', async () => {
    const copy = tempDir('zot-warm-dist-copy-')
    cpSync(join(ROOT, 'dist'), copy, { recursive: true })
    const files = () => readdirSync(workspace, { recursive: true }).map(String).sort()
    const before = files()
    const dir = newRunDir()
    const toolCache = join(dir, 'tool-cache')
    const run = await runBundle({
      node: rt.node,
      script: join(copy, 'index.js'),
      dir,
      inputs: { ...baseInputs(), paths: 'compose.yaml' },
      env: { ...githubEnv(dir, workspace), RUNNER_TOOL_CACHE: toolCache },
      reportPath: join(dir, 'runner_temp', 'zot-warm-report.json'),
    })
    expect(run.code, run.stdout).toBe(0)
    // Warmed by this test, or by an earlier one of the file: in the cache either way.
    const statuses = (run.report as Report).images.map((i) => i.status)
    expect(statuses).toHaveLength(2)
    for (const status of statuses) expect(['warmed', 'cached']).toContain(status)
    const cli = await runBundle({
      node: rt.node,
      script: join(copy, 'cli.js'),
      dir: newRunDir(),
      args: [
        '--zot-url',
        cache.url,
        '--registry-map',
        REGISTRY_MAP,
        '--rewrite',
        'zot',
        '--rewrite-output',
        '-',
        '-',
      ],
      env: { ZOT_USERNAME: USER, ZOT_PASSWORD: PASSWORD },
      stdin: COMPOSE_YAML,
      cwd: workspace,
    })
    expect(cli.code, cli.stderr).toBe(0)
    expect(cli.stdout).toContain(`image: ${cache.host}/ghcr-images/acme/worker:1.0@sha256:`)
    // Node 24 keeps the compiled bundle for the next start (Node 20 has no compile cache).
    expect(existsSync(join(toolCache, 'zot-warm', 'node-compile-cache'))).toBe(rt.major >= 24)
    expect(files()).toEqual(before)
  })

  describe('CLI (dist/cli.js)', () => {
    const cli = (args: string[], env: Record<string, string> = {}, stdin?: string) => {
      const dir = newRunDir()
      return runBundle({
        node: rt.node,
        script: 'dist/cli.js',
        dir,
        args,
        env,
        cwd: workspace,
        ...(stdin ? { stdin } : {}),
      })
    }
    const zotEnv = () => ({
      ZOT_REGISTRY_URL: cache.url,
      ZOT_USERNAME: USER,
      ZOT_PASSWORD: PASSWORD,
      ZOT_REGISTRY_MAP: REGISTRY_MAP,
    })

    it('--help: exit 0', async () => {
      const run = await cli(['--help'])
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('Usage: zot-warm')
    })

    it('plan mode needs no Zot; --report writes the JSON report', async () => {
      const reportPath = join(tempDir('zot-warm-cli-'), 'r.json')
      const dir = newRunDir()
      const run = await runBundle({
        node: rt.node,
        script: 'dist/cli.js',
        dir,
        args: [
          '--mode',
          'plan',
          '--registry-map',
          REGISTRY_MAP,
          '--report',
          reportPath,
          'compose.yaml',
          'alpine:3.20',
        ],
        cwd: workspace,
        reportPath,
      })
      expect(run.code, run.stderr).toBe(0)
      const report = run.report as Report
      const planned = report.images.map((i) => `${i.reference} → ${i.zotReference} ${i.status}`).sort()
      expect(planned).toEqual([
        'docker.io/library/alpine:3.20 → docker-images/library/alpine:3.20 not-attempted',
        'docker.io/library/redis:7.4 → docker-images/library/redis:7.4 not-attempted',
        'ghcr.io/acme/worker:1.0 → ghcr-images/acme/worker:1.0 not-attempted',
      ])
      expect(run.stdout).toMatch(/^STATUS +IMAGE/)
    })

    it('environment aliases of the seed CronJob Secret; exit 0 when all images are there', async () => {
      const run = await cli(['compose.yaml'], zotEnv())
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain('ghcr-images/acme/worker:1.0')
      expect(secretLeaks(run, SECRETS)).toEqual([])
    })

    it('exit 2 when images fail (strict), with compiler-style problem lines; stdin with -', async () => {
      const stdin =
        'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: ghcr.io/acme/missing:1.0\n'
      const run = await cli(['-', '--paths', 'deploy'], { ...zotEnv() }, stdin)
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toContain(`deploy/app.yaml:${LINE.missing}:`)
      expect(run.stderr).toMatch(/-:6:\d+: error: ghcr\.io\/acme\/missing:1\.0 failed/)
      // Two failed images, one explanation, said in the problem list the error lines point at.
      const why = EXPLANATIONS.missingAfterSync
      expect(run.stderr.split(why.text)).toHaveLength(2)
      expect(run.stderr.split(`See “${why.title}” in the problem list above.`)).toHaveLength(3)
      expect(secretLeaks(run, SECRETS)).toEqual([])
    })

    it('ZOT_WARM_* wins over the aliases; rejected credentials exit 1', async () => {
      const run = await cli(['compose.yaml'], { ...zotEnv(), ZOT_WARM_PASSWORD: 'not-the-password' })
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`Zot rejected the credentials for ${USER}`)
      expect(run.stderr).not.toContain('not-the-password')
    })

    it('bad flags and bad configuration exit 1', async () => {
      expect((await cli(['--frobnicate'])).code).toBe(1)
      const bad = await cli(['--mode', 'warm'])
      expect(bad.code).toBe(1)
      expect(bad.stderr).toContain('zot-url: required')
    })
  })
})
