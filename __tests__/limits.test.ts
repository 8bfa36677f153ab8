// The limits the README states, through the bundles: time limits past the maximum are configuration errors,
// input that was named or scanned and not read fails strict mode, a document past the parse bound is named
// and skipped while every other file is read, links leading out of the workspace are never followed, and the
// report is never written over a scanned manifest.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { extract } from '../src/extract/index.js'
import { checkDist, githubEnv, newRunDir, ROOT, runBundle } from './support/runner.js'

const root = mkdtempSync(join(tmpdir(), 'zot-warm-limits-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
beforeAll(() => checkDist())

const pod = (image: string, name = 'p') =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n    - name: c\n      image: ${image}\n`

function workspace(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(root, name)
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), content)
  }
  return dir
}

function cli(cwd: string, args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  })
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr }
}

describe('time limits', () => {
  it('--timeout 600h and --image-timeout 2000h are configuration errors, not a run cut after 1 ms', () => {
    const dir = workspace('durations', { 'app.yaml': pod('nginx:1.27') })
    const r = cli(dir, ['--mode', 'plan', '--timeout', '600h', '--image-timeout', '2000h'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('image-timeout: "2000h" is longer than the maximum of 120h (5 days).')
    expect(r.stderr).toContain('timeout: "600h" is longer than the maximum of 120h (5 days).')
    expect(r.stderr).not.toMatch(/TimeoutOverflowWarning|ERR_OUT_OF_RANGE|stopped early/)
    // The maximum itself runs normally.
    const ok = cli(dir, ['--mode', 'plan', '--timeout', '120h', '--image-timeout', '120h'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stderr).toContain('zot-warm: ok')
  })

  it('the action: the same configuration error fails the step with exit 1', async () => {
    const dir = workspace('durations-action', { 'app.yaml': pod('nginx:1.27') })
    const run = newRunDir()
    const r = await runBundle({
      node: process.execPath,
      script: 'dist/index.js',
      dir: run,
      env: githubEnv(run, dir),
      inputs: { mode: 'plan', timeout: '600h' },
    })
    expect(r.code).toBe(1)
    expect(r.commands).toContainEqual(
      expect.objectContaining({
        command: 'error',
        message: 'timeout: "600h" is longer than the maximum of 120h (5 days).',
      }),
    )
  })
})

describe('input that was not read fails strict mode', () => {
  const laughs = `image: ghcr.io/ok/laughs:1\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n`
  const utf32 = Buffer.alloc(40)
  utf32.writeUInt32LE(0xfeff, 0)
  for (const [i, c] of [...'kind: Pod'].entries()) utf32.writeUInt32LE(c.charCodeAt(0), 4 * (i + 1))
  const cases: [name: string, file: string, content: () => string | Buffer, message: RegExp][] = [
    [
      'a file over the size limit',
      'huge.yaml',
      () => '',
      /huge\.yaml: error: file is 51\.0 MiB, over the 50\.0 MiB limit: skipped/,
    ],
    [
      'a binary file',
      'blob.yaml',
      () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]),
      /blob\.yaml: error: binary file \(contains NUL bytes\): skipped/,
    ],
    [
      'a UTF-32 file',
      'wide.yaml',
      () => utf32,
      /wide\.yaml: error: file is UTF-32 encoded: convert it to UTF-8/,
    ],
    [
      'a document cut off by the alias-expansion limit',
      'laughs.yaml',
      () => laughs,
      /laughs\.yaml:\d+:\d+: error: more than 10000 alias expansions in one document: the rest was not searched/,
    ],
  ]
  it.each(cases)(
    '%s: exit 2 in strict mode, a warning (exit 0) in soft mode',
    (_name, file, content, message) => {
      const dir = workspace(`unread-${file}`, { [file]: content(), 'ok.yaml': pod('ghcr.io/ok/beside:1') })
      // The size limit is checked on the size alone: a sparse file is enough.
      if (file === 'huge.yaml') truncateSync(join(dir, file), 51 * 1024 * 1024)
      const strict = cli(dir, ['--mode', 'plan'])
      expect(strict.code, strict.stderr).toBe(2)
      expect(strict.stderr).toMatch(message)
      expect(strict.stderr).toContain('zot-warm: FAILED: 1 input problem')
      // The other file is still read.
      expect(strict.stdout).toContain('ghcr.io/ok/beside:1')
      const soft = cli(dir, ['--mode', 'plan', '--no-strict'])
      expect(soft.code, soft.stderr).toBe(0)
      expect(soft.stderr).toContain('zot-warm: warning: 1 input problem')
    },
  )

  it('UTF-16 with a byte order mark (both byte orders) is read, at the right line and column', () => {
    const text = (tag: string) => `# é\n${pod(`ghcr.io/ok/${tag}:1`)}`
    const dir = workspace('utf16', {
      'le.yaml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text('le'), 'utf16le')]),
      'be.yaml': Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text('be'), 'utf16le').swap16()]),
    })
    const r = cli(dir, ['--mode', 'plan', '--report', '-'])
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout) as {
      images: { reference: string; sources: { file: string; line: number; column: number }[] }[]
    }
    expect(report.images.map((i) => [i.reference, i.sources[0]])).toEqual([
      ['ghcr.io/ok/be:1', expect.objectContaining({ file: 'be.yaml', line: 9, column: 14 })],
      ['ghcr.io/ok/le:1', expect.objectContaining({ file: 'le.yaml', line: 9, column: 14 })],
    ])
  })

  it('a UTF-16 file is never rewritten in place: its places say why', async () => {
    const dir = workspace('utf16-rewrite', {
      'le.yaml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pod('ghcr.io/ok/le:1'), 'utf16le')]),
      'plain.yaml': pod('ghcr.io/ok/plain:1'),
    })
    const ex = await extract({ workspace: dir, paths: [] })
    const [le, plain] = ex.images.map((i) => i.sources[0])
    expect(le).toMatchObject({
      file: 'le.yaml',
      unwritable: 'the file is UTF-16LE encoded (rewrites are written in UTF-8 only)',
    })
    expect(le?.span).toBeUndefined()
    expect(plain?.span).toBeDefined()
  })

  it('the action fails the step on a binary file in paths, with the file named in an annotation', async () => {
    const dir = workspace('unread-action', {
      'blob.yaml': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]),
      'ok.yaml': pod('ghcr.io/ok/beside:1'),
    })
    const run = newRunDir()
    const r = await runBundle({
      node: process.execPath,
      script: 'dist/index.js',
      dir: run,
      env: githubEnv(run, dir),
      inputs: { mode: 'plan', paths: 'blob.yaml\nok.yaml' },
    })
    expect(r.code).toBe(2)
    expect(r.commands).toContainEqual(
      expect.objectContaining({
        command: 'error',
        props: expect.objectContaining({ file: 'blob.yaml' }),
        message: expect.stringContaining('binary file (contains NUL bytes): skipped'),
      }),
    )
  })
})

describe('parse cost is bounded in nodes, not only bytes', () => {
  it('a 50 MB one-line JSON with 1.5 million objects (3 GB and a crash before) is named and skipped; the rest is read', () => {
    const items: string[] = []
    let size = 0
    for (let i = 0; size < 50 * 1024 * 1024 - 4096; i++) {
      const item = `{"kind":"Pod","metadata":{"name":"pod-${i}","labels":{"app":"shop-${i % 97}","tier":"web"}},"spec":{"containers":[{"name":"c","image":"ghcr.io/acme/app-${i % 1000}:1"}]}}`
      items.push(item)
      size += item.length + 1
    }
    const dir = workspace('huge-json', {
      'list.json': `{"apiVersion":"v1","kind":"List","items":[${items.join(',')}]}`,
      'other.yaml': pod('ghcr.io/ok/other:1'),
    })
    // A 384 MB heap: the run fits in it (peak RSS measured at ≈ 430 MB with the 50 MB file held twice,
    // as bytes and as text); building the whole document needed several GB.
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), '--mode', 'plan'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      killSignal: 'SIGKILL',
      env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=384' },
    })
    expect(r.signal).toBeNull()
    expect(r.status, r.stderr.slice(-2000)).toBe(2)
    expect(r.stderr).toContain(
      'list.json:1:1: error: too large to search: more than 250000 JSON values (the bound keeps memory in check); file skipped',
    )
    expect(r.stderr).not.toMatch(/heap|FATAL|^\s+at /m)
    expect(r.stdout).toContain('ghcr.io/ok/other:1')
  }, 130_000)

  it('a YAML document over the bound is skipped; the other documents of the file are read', async () => {
    // What the pruning cannot drop counts: 100 000 containers, each with an image.
    const big = `apiVersion: v1\nkind: Pod\nspec:\n  containers: [${'{image: "ghcr.io/ok/big:1"},'.repeat(100_000)}]\n`
    const dir = workspace('huge-yaml', {
      'a.yaml': `${pod('ghcr.io/ok/first:1')}---\n${big}---\n${pod('ghcr.io/ok/last:1')}`,
    })
    const ex = await extract({ workspace: dir, paths: [] })
    expect(ex.images.map((i) => i.key)).toEqual(['ghcr.io/ok/first:1', 'ghcr.io/ok/last:1'])
    expect(ex.notices).toEqual([
      expect.objectContaining({
        level: 'error',
        file: 'a.yaml',
        line: 9,
        message: expect.stringContaining(
          'document 1 is too large to search: more than 250000 YAML nodes (the bound keeps memory in check); document skipped, the others were read',
        ),
      }),
    ])
  })
})

describe('the report is never written over a manifest', () => {
  it('--report naming a scanned manifest is a configuration error and the file is left as it was', () => {
    const manifest = pod('nginx:1.27')
    const dir = workspace('report-over', {
      'deploy/app.yaml': manifest,
      'deploy/list.json': '{"kind":"List","items":[]}',
    })
    for (const target of ['deploy/app.yaml', 'deploy/list.json', './deploy/../deploy/app.yaml']) {
      const r = cli(dir, ['--mode', 'plan', '--report', target])
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr).toMatch(
        /report: ".*deploy\/(app\.yaml|list\.json)" is deploy\/(app\.yaml|list\.json), one of the files this run reads; write the report elsewhere/,
      )
    }
    expect(readFileSync(join(dir, 'deploy/app.yaml'), 'utf8')).toBe(manifest)
    expect(readFileSync(join(dir, 'deploy/list.json'), 'utf8')).toBe('{"kind":"List","items":[]}')
  })

  it('a report written into the scanned workspace is not read as a manifest by the next run', () => {
    const dir = workspace('report-again', { 'app.yaml': pod('nginx:1.27') })
    const first = cli(dir, ['--mode', 'plan', '--report', 'zot-warm-report.json'])
    expect(first.code, first.stderr).toBe(0)
    const second = cli(dir, ['--mode', 'plan', '--report', 'zot-warm-report.json'])
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toContain(
      'zot-warm-report.json: the JSON report of an earlier run (the report input): not read as a manifest',
    )
    expect(JSON.parse(readFileSync(join(dir, 'zot-warm-report.json'), 'utf8')).summary.total).toBe(1)
  })

  it('the action: report pointing at a manifest fails the step with exit 1', async () => {
    const dir = workspace('report-action', {
      'app.json': '{"kind":"Pod","spec":{"containers":[{"image":"nginx:1.27"}]}}',
    })
    const run = newRunDir()
    const r = await runBundle({
      node: process.execPath,
      script: 'dist/index.js',
      dir: run,
      env: githubEnv(run, dir),
      inputs: { mode: 'plan', report: join(dir, 'app.json') },
    })
    expect(r.code).toBe(1)
    expect(r.commands).toContainEqual(
      expect.objectContaining({
        command: 'error',
        message: expect.stringContaining('is app.json, one of the files this run reads'),
      }),
    )
    expect(readFileSync(join(dir, 'app.json'), 'utf8')).toContain('"image":"nginx:1.27"')
  })
})
