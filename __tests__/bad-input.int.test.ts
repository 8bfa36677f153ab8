// End to end over a directory of bad inputs (the per-file cases are unit-tested at the extract() level): the
// bundled CLI warms a real Zot cache from a workspace full of malformed YAML/JSON, binary, UTF-16, empty, huge,
// templated and deeply nested files, alias bombs, duplicate keys, bad symlinks and paths, and ~40 invalid or
// unresolved references — each file also holding valid references. Every bad case must come out with its
// status or notice at file:line (report and compiler-style lines), nothing may crash, and the valid
// references in the same files must really be in the cache afterwards. The action then checks the same tree.
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { pushImages } from './support/images.js'
import { listTags } from './support/registry.js'
import { checkDist, githubEnv, newRunDir, node24, type RunOutcome, runBundle } from './support/runner.js'
import { tempDir } from './support/temp.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const STACK = /^\s+at .+:\d+:\d+\)?$/m
const MAP = 'docker.io: docker-images'

/** A bad reference expected as an image result: status, where, and words from its reason. */
interface RefCase {
  kind: 'image'
  file: string
  line: number
  status: 'invalid' | 'unresolved'
  raw: string
  reason: RegExp
}
/** A bad file or path expected as a notice; `line` when the problem has a position (a range when it may vary). */
interface NoticeCase {
  kind: 'notice'
  file: string
  line?: number | [number, number]
  level: 'error' | 'warning' | 'notice'
  message: RegExp
}
type Case = RefCase | NoticeCase

const cases: Case[] = []
/** Valid references written next to the bad ones: each must end up in the cache. */
const valid: string[] = []
let workspace: string

function write(name: string, content: string | Buffer): void {
  const path = join(workspace, name)
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, content)
}

/** `team/ok-<name>:1`, registered as a valid reference that must be warmed. */
function ok(name: string): string {
  valid.push(`team/ok-${name}`)
  return `team/ok-${name}:1`
}

/** refs.yaml: one Pod, one container per bad image value (the YAML text of the value as written). */
const BAD_VALUES: [yaml: string, status: RefCase['status'], raw: string, reason: RegExp][] = [
  ['"Acme/UPPER:1"', 'invalid', 'Acme/UPPER:1', /must be lowercase/],
  ['"nginx:"', 'invalid', 'nginx:', /tag is empty/],
  ['"nginx@sha256:abc"', 'invalid', 'nginx@sha256:abc', /64 hex characters, got 3/],
  ['"nginx:tag with space"', 'invalid', 'nginx:tag with space', /whitespace/],
  ['"nginx:-bad"', 'invalid', 'nginx:-bad', /invalid tag "-bad"/],
  ['"http://registry.example/x:1"', 'invalid', 'http://registry.example/x:1', /registry port/],
  ['"registry.example:5000/"', 'invalid', 'registry.example:5000/', /repository path is empty/],
  ['"a//b:1"', 'invalid', 'a//b:1', /empty component/],
  [`"nginx:${'t'.repeat(129)}"`, 'invalid', `nginx:${'t'.repeat(129)}`, /longer than 128/],
  ['""', 'unresolved', '', /image is empty/],
  ['"{{ .Values.image }}"', 'unresolved', '{{ .Values.image }}', /unrendered template/],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text a user left unexpanded.
  ['"${IMAGE}"', 'unresolved', '${IMAGE}', /unexpanded variable/],
  ['"$(IMAGE_REF)"', 'unresolved', '$(IMAGE_REF)', /run-time parameter/],
  ['"nginx:{{ .Values.tag }}"', 'unresolved', 'nginx:{{ .Values.tag }}', /unrendered template/],
  ['[a, b]', 'invalid', '[a, b]', /must be a string, got a list/],
  ['{name: x}', 'invalid', '{name: x}', /must be a string, got a mapping/],
  ['42', 'invalid', '42', /must be a string, got a number/],
  ['true', 'invalid', 'true', /must be a string, got a boolean/],
  ['"-lead/dash:1"', 'invalid', '-lead/dash:1', /invalid repository path component "-lead"/],
  [
    `"ghcr.io/acme/app:1@sha256:${'g'.repeat(64)}"`,
    'invalid',
    `ghcr.io/acme/app:1@sha256:${'g'.repeat(64)}`,
    /hexadecimal/,
  ],
  ['"localhost:5000:tag:extra"', 'invalid', 'localhost:5000:tag:extra', /invalid repository path component/],
  ['"<%= image %>"', 'invalid', '<%= image %>', /whitespace/],
  ['"nginx:1.27 # not a comment"', 'invalid', 'nginx:1.27 # not a comment', /whitespace/],
  [`"@sha256:${'0'.repeat(64)}"`, 'invalid', `@sha256:${'0'.repeat(64)}`, /repository name is missing/],
  ['"nginx::1"', 'invalid', 'nginx::1', /invalid repository path component "nginx:"/],
  ['"ghcr.io/Acme/app:1"', 'invalid', 'ghcr.io/Acme/app:1', /must be lowercase/],
  [`"${'a/'.repeat(130)}x:1"`, 'invalid', `${'a/'.repeat(130)}x:1`, /not be more than 255 characters/],
  [
    `"nginx@sha256:ABCDEF${'0'.repeat(58)}"`,
    'invalid',
    `nginx@sha256:ABCDEF${'0'.repeat(58)}`,
    /lower-case hexadecimal/,
  ],
  ['"  "', 'unresolved', '  ', /image is empty/],
  ['"%{IMAGE}"', 'invalid', '%{IMAGE}', /must be lowercase/],
  ['"nginx:1.27\\u0000"', 'invalid', 'nginx:1.27\u0000', /control character U\+0000/],
  ['"nginx\\ttab:1"', 'invalid', 'nginx\ttab:1', /whitespace/],
  [
    '"docker.io/library/nginx:latest@sha256:short"',
    'invalid',
    'docker.io/library/nginx:latest@sha256:short',
    /hexadecimal/,
  ],
  ['"ubuntu@"', 'invalid', 'ubuntu@', /digest/i],
]

function buildCorpus(): void {
  // refs.yaml: a valid container first, then every bad value; the line of each is known by construction.
  const refs = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: refs', 'spec:', '  containers:']
  refs.push('    - name: ok', `      image: ${ok('refs')}`)
  BAD_VALUES.forEach(([yaml, status, raw, reason], i) => {
    refs.push(`    - {name: c${i}, image: ${yaml}}`)
    cases.push({ kind: 'image', file: 'refs.yaml', line: refs.length, status, raw, reason })
  })
  refs.push(`    - {name: null-image, image: }`)
  cases.push({
    kind: 'image',
    file: 'refs.yaml',
    line: refs.length,
    status: 'unresolved',
    raw: '',
    reason: /empty/,
  })
  refs.push(`    - {name: last, image: ${ok('refs-last')}}`)
  write('refs.yaml', `${refs.join('\n')}\n`)

  // Malformed YAML in the middle document of three: the others are still read.
  write(
    'broken.yaml',
    `kind: Pod\nspec:\n  containers:\n    - image: ${ok('broken-a')}\n---\nkind: Pod\nspec:\n  containers:\n    - image: "unclosed\n      name: x\n---\nkind: Pod\nspec:\n  containers:\n    - image: ${ok('broken-b')}\n`,
  )
  cases.push({
    kind: 'notice',
    file: 'broken.yaml',
    line: [9, 11],
    level: 'error',
    message: /invalid YAML: .*document 1 skipped, the others were read/,
  })

  write(
    'tabs.yaml',
    `kind: Pod\nspec:\n  containers:\n\t- image: nginx:1\n---\nkind: Pod\nspec:\n  containers:\n    - image: ${ok('tabs')}\n`,
  )
  cases.push({
    kind: 'notice',
    file: 'tabs.yaml',
    line: 4,
    level: 'error',
    message: /invalid YAML: Tabs are not allowed.*indent with spaces/,
  })

  write('broken.json', `{"kind": "Pod", "spec": {"containers": [{"image": "team/never:1"}]\n`)
  cases.push({
    kind: 'notice',
    file: 'broken.json',
    line: 2,
    level: 'error',
    message: /invalid JSON: .*file skipped/,
  })

  write(
    'trailing-comma.json',
    `{"kind": "Pod", "spec": {"containers": [{"image": "${ok('trailing')}",},]}}\n`,
  )
  cases.push({
    kind: 'notice',
    file: 'trailing-comma.json',
    level: 'warning',
    message: /not valid JSON .*read as YAML/,
  })

  write(
    'bad-ref.json',
    `{\n  "kind": "Pod",\n  "spec": {\n    "containers": [\n      {"image": "${ok('json')}"},\n      {"image": "JSON/Bad:1"}\n    ]\n  }\n}\n`,
  )
  cases.push({
    kind: 'image',
    file: 'bad-ref.json',
    line: 6,
    status: 'invalid',
    raw: 'JSON/Bad:1',
    reason: /lowercase/,
  })

  write(
    'blob.yaml',
    Buffer.concat([
      Buffer.from(`kind: Pod\nspec:\n  containers:\n    - image: team/never:1\n`),
      Buffer.from([0, 0, 1, 2, 0xff]),
    ]),
  )
  cases.push({ kind: 'notice', file: 'blob.yaml', level: 'error', message: /binary file/ })

  // UTF-16 with a byte order mark is read (kubectl reads it); UTF-32 is not, and says so.
  write(
    'utf16.yaml',
    Buffer.from(`\ufeffkind: Pod\nspec:\n  containers:\n    - image: ${ok('utf16')}\n`, 'utf16le'),
  )
  const utf32 = Buffer.alloc(4 * 10)
  utf32.writeUInt32LE(0xfeff, 0)
  for (const [i, c] of [...'kind: Pod'].entries()) utf32.writeUInt32LE(c.charCodeAt(0), 4 * (i + 1))
  write('utf32.yaml', utf32)
  cases.push({
    kind: 'notice',
    file: 'utf32.yaml',
    level: 'error',
    message: /UTF-32 encoded: convert it to UTF-8/,
  })

  write('empty.yaml', '')
  cases.push({ kind: 'notice', file: 'empty.yaml', level: 'notice', message: /file is empty/ })
  write('blank.yaml', '   \n\n \t\n')
  cases.push({ kind: 'notice', file: 'blank.yaml', level: 'notice', message: /file is empty/ })

  // Over the 50 MiB limit: a sparse file, skipped by its size without being read.
  write('huge.yaml', '')
  truncateSync(join(workspace, 'huge.yaml'), 51 * 1024 * 1024)
  cases.push({
    kind: 'notice',
    file: 'huge.yaml',
    level: 'error',
    message: /51\.0 MiB, over the 50\.0 MiB limit/,
  })

  // Big but under the limit: 2 MiB of ConfigMap data, the image at the very end.
  const data = Array.from({ length: 20_000 }, (_, i) => `  key${i}: "${'x'.repeat(90)}"`).join('\n')
  write(
    'big.yaml',
    `kind: ConfigMap\ndata:\n${data}\n---\nkind: Pod\nspec:\n  containers:\n    - image: ${ok('big')}\n`,
  )

  // An unrendered Helm template: the templated document cannot be parsed; the rendered one still is.
  write(
    'chart-template.yaml',
    `kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n{{- if .Values.sidecar.enabled }}\n        - image: {{ .Values.sidecar.image }}\n{{- end }}\n---\nkind: Pod\nspec:\n  containers:\n    - image: ${ok('chart')}\n`,
  )
  cases.push({
    kind: 'notice',
    file: 'chart-template.yaml',
    line: 7,
    level: 'warning',
    message: /invalid YAML: .*unrendered template: render it first/,
  })

  write(
    'dupkeys.yaml',
    `kind: Pod\nspec:\n  containers:\n    - name: a\n      image: ${ok('dup-a')}\n      image: ${ok('dup-b')}\n`,
  )
  cases.push({
    kind: 'notice',
    file: 'dupkeys.yaml',
    line: 6,
    level: 'warning',
    message: /duplicate key "image": Kubernetes rejects duplicate keys; both values were searched/,
  })

  // Nesting beyond what is searched: an error (not all of it was read), the shallow image is still found.
  let deep = `kind: Pod\nspec:\n  containers:\n    - image: ${ok('deep')}\n  nested:\n`
  let indent = '    '
  for (let i = 0; i < 300; i++) {
    deep += `${indent}k${i}:\n`
    indent += ' '
  }
  write('deep.yaml', `${deep}${indent}image: team/never:1\n`)
  cases.push({ kind: 'notice', file: 'deep.yaml', level: 'error', message: /nests deeper than \d+ levels/ })

  // Billion laughs.
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]']
  for (const [prev, name] of [
    ['a', 'b'],
    ['b', 'c'],
    ['c', 'd'],
    ['d', 'e'],
    ['e', 'f'],
    ['f', 'g'],
  ])
    bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`)
  write('aliases.yaml', `kind: Pod\nspec:\n  containers:\n    - image: ${ok('alias')}\n${bomb.join('\n')}\n`)
  cases.push({
    kind: 'notice',
    file: 'aliases.yaml',
    level: 'error',
    message: /more than \d+ alias expansions/,
  })

  write(
    'crlf.yaml',
    `kind: Pod\r\nspec:\r\n  containers:\r\n    - image: ${ok('crlf')}\r\n    - image: "BAD_CRLF:1"\r\n`,
  )
  cases.push({
    kind: 'image',
    file: 'crlf.yaml',
    line: 5,
    status: 'invalid',
    raw: 'BAD_CRLF:1',
    reason: /lowercase/,
  })
  write(
    'bom.yaml',
    `\ufeffkind: Pod\nspec:\n  containers:\n    - image: ${ok('bom')}\n    - image: "bad bom"\n`,
  )
  cases.push({
    kind: 'image',
    file: 'bom.yaml',
    line: 5,
    status: 'invalid',
    raw: 'bad bom',
    reason: /whitespace/,
  })

  write(
    'compose.yaml',
    `services:\n  web:\n    image: ${ok('compose')}\n  bad:\n    image: "Compose/BAD"\n  tmpl:\n    image: \${REGISTRY}/app:\${TAG}\n`,
  )
  cases.push({
    kind: 'image',
    file: 'compose.yaml',
    line: 5,
    status: 'invalid',
    raw: 'Compose/BAD',
    reason: /lowercase/,
  })
  cases.push({
    kind: 'image',
    file: 'compose.yaml',
    line: 7,
    status: 'unresolved',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text a user left unexpanded.
    raw: '${REGISTRY}/app:${TAG}',
    reason: /unexpanded variable/,
  })

  write(
    'nested/list-kind.yaml',
    `apiVersion: v1\nkind: List\nitems:\n  - kind: Pod\n    spec:\n      containers:\n        - image: ${ok('listkind')}\n        - image: "list:kind:bad"\n  - kind: CronJob\n    spec:\n      jobTemplate:\n        spec:\n          template:\n            spec:\n              initContainers:\n                - image: "  padded  "\n              containers:\n                - image: ${ok('cron')}\n`,
  )
  cases.push({
    kind: 'image',
    file: 'nested/list-kind.yaml',
    line: 8,
    status: 'invalid',
    raw: 'list:kind:bad',
    reason: /invalid repository path component/,
  })
  cases.push({
    kind: 'image',
    file: 'nested/list-kind.yaml',
    line: 16,
    status: 'invalid',
    raw: '  padded  ',
    reason: /leading or trailing whitespace/,
  })

  // A plain image list (named explicitly: lists are not part of the default YAML/JSON scan).
  write(
    'lists/images.txt',
    `${ok('list')}\nNot A Valid:Ref\nnginx@sha256:123\n# comment\n\nghcr.io/acme/x:{{tag}}\n`,
  )
  cases.push({
    kind: 'image',
    file: 'lists/images.txt',
    line: 2,
    status: 'invalid',
    raw: 'Not A Valid:Ref',
    reason: /whitespace/,
  })
  cases.push({
    kind: 'image',
    file: 'lists/images.txt',
    line: 3,
    status: 'invalid',
    raw: 'nginx@sha256:123',
    reason: /64 hex/,
  })
  cases.push({
    kind: 'image',
    file: 'lists/images.txt',
    line: 6,
    status: 'unresolved',
    raw: 'ghcr.io/acme/x:{{tag}}',
    reason: /unrendered template/,
  })

  // Paths that cannot be read.
  symlinkSync('does-not-exist.yaml', join(workspace, 'dangling.yaml'))
  symlinkSync('loop-b.yaml', join(workspace, 'loop-a.yaml'))
  symlinkSync('loop-a.yaml', join(workspace, 'loop-b.yaml'))
  cases.push({ kind: 'notice', file: 'dangling.yaml', level: 'error', message: /does not exist/ })
  cases.push({ kind: 'notice', file: 'loop-a.yaml', level: 'error', message: /ELOOP/ })
  // Not named, found by the scan: as unreadable as its partner.
  cases.push({ kind: 'notice', file: 'loop-b.yaml', level: 'error', message: /ELOOP/ })
}

/** Explicit paths on top of the default scan of the workspace root ('.'). */
const PATHS = ['.', 'lists/images.txt', 'dangling.yaml', 'loop-a.yaml']
/** Paths that select nothing: a configuration error (exit 1 in every mode), not one bad input among others. */
const NOTHING = ['missing-dir/', 'nomatch/**/*.yaml']

interface Report {
  outcome: { exitCode: number; reason: string }
  summary: Record<string, number>
  images: {
    reference: string
    status: string
    error: string | null
    sources: { file: string; line: number; column: number }[]
  }[]
  notices: { level: string; file: string; line: number | null; column: number | null; message: string }[]
}

let hub: ZotServer
let cache: ZotServer

beforeAll(async () => {
  checkDist()
  workspace = tempDir('zot-warm-bad-input-')
  buildCorpus()
  hub = await startZot({ name: 'hub' })
  cache = await startZot({ name: 'cache', upstreams: [{ url: hub.url, destination: 'docker-images' }] })
  await pushImages(
    hub.registry(),
    valid.map((repo) => ({ repo, tag: '1', kind: 'oci' as const })),
  )
})

const inRange = (line: number | null | undefined, want: number | [number, number] | undefined) =>
  want === undefined ||
  (typeof want === 'number' ? line === want : line != null && line >= want[0] && line <= want[1])

describe('a workspace full of bad inputs', () => {
  let run: RunOutcome
  let report: Report

  test('the corpus has at least 50 bad cases and valid references next to them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50)
    expect(valid.length).toBeGreaterThanOrEqual(15)
  })

  test('CLI warm run: exit 2 (strict), no stack trace, every case in the report at file:line', async () => {
    const dir = newRunDir()
    const reportPath = join(dir, 'report.json')
    run = await runBundle({
      node: process.execPath,
      script: 'dist/cli.js',
      dir,
      cwd: workspace,
      args: ['--zot-url', cache.url, '--registry-map', MAP, '--report', reportPath, ...PATHS],
      reportPath,
    })
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).not.toMatch(STACK)
    expect(run.stderr).not.toMatch(/internal error/)
    report = run.report as Report
    expect(report.outcome.exitCode).toBe(2)

    const missing: string[] = []
    for (const c of cases) {
      if (c.kind === 'image') {
        const img = report.images.find(
          (i) => i.reference === c.raw && i.sources.some((s) => s.file === c.file && s.line === c.line),
        )
        if (!img) missing.push(`${c.file}:${c.line} ${c.status} ${JSON.stringify(c.raw)}`)
        else {
          expect(img.status, `${c.file}:${c.line}`).toBe(c.status)
          expect(img.error, `${c.file}:${c.line}`).toMatch(c.reason)
        }
      } else {
        const n = report.notices.find(
          (n) =>
            n.file === c.file && n.level === c.level && c.message.test(n.message) && inRange(n.line, c.line),
        )
        if (!n) missing.push(`${c.file}${c.line ? `:${c.line}` : ''} ${c.level} ${c.message}`)
      }
    }
    expect(
      missing,
      `not reported:\n${missing.join('\n')}\nnotices: ${JSON.stringify(report.notices, null, 1)}`,
    ).toEqual([])
    // Nothing else went wrong: every invalid/unresolved image and every notice is one of the cases.
    const refCases = cases.filter((c): c is RefCase => c.kind === 'image')
    const unexpected = report.images.filter(
      (i) =>
        (i.status === 'invalid' || i.status === 'unresolved') && !refCases.some((c) => c.raw === i.reference),
    )
    expect(unexpected).toEqual([])
    expect(report.notices).toHaveLength(cases.filter((c) => c.kind === 'notice').length)
  })

  test('every case also has a compiler-style line (file:line:col: level: …) on stderr', () => {
    const lines = run.stderr.split('\n')
    const missing: string[] = []
    for (const c of cases) {
      if (c.kind === 'image') {
        const img = report.images.find((i) => i.reference === c.raw)
        const col = img?.sources.find((s) => s.file === c.file && s.line === c.line)?.column
        const prefix = `${c.file}:${c.line}:${col}: error: `
        if (!lines.some((l) => l.startsWith(prefix) && c.reason.test(l))) missing.push(prefix)
      } else {
        const n = report.notices.find((n) => n.file === c.file && c.message.test(n.message))
        const where = n?.line ? `${c.file}:${n.line}:${n.column}` : c.file
        // Unreadable inputs weigh like failures (error in strict mode); warnings and notices keep their level.
        const level = c.level === 'error' ? 'error' : c.level
        if (!lines.some((l) => l.startsWith(`${where}: ${level}: `) && c.message.test(l)))
          missing.push(`${where}: ${level}: ${c.message}`)
      }
    }
    expect(missing).toEqual([])
  })

  test('the valid references in the same files were warmed in the real cache', async () => {
    for (const repo of valid) {
      const img = report.images.find((i) => i.reference === `docker.io/${repo}:1`)
      expect(img?.status, repo).toBe('warmed')
      expect((await listTags(cache.registry(), `docker-images/${repo}`)).tags, repo).toEqual(['1'])
    }
    expect(report.summary.warmed).toBe(valid.length)
    expect(report.summary.failed).toBe(0)
  })

  test('paths that select nothing: exit 1 in strict and soft mode, CLI and action, each one named', async () => {
    for (const soft of [false, true]) {
      const dir = newRunDir()
      const cli = await runBundle({
        node: process.execPath,
        script: 'dist/cli.js',
        dir,
        cwd: workspace,
        args: ['--zot-url', cache.url, ...(soft ? ['--soft'] : []), ...PATHS, ...NOTHING],
      })
      expect(cli.code, cli.stderr).toBe(1)
      expect(cli.stderr).toContain('zot-warm: invalid configuration:\n')
      expect(cli.stderr).toContain(
        `  - paths: "missing-dir/" does not exist (relative to the workspace ${workspace})`,
      )
      expect(cli.stderr).toContain('  - paths: "nomatch/**/*.yaml" matches no file')
      expect(cli.stderr).not.toMatch(STACK)
      const action = await runBundle({
        node: node24(),
        script: 'dist/index.js',
        dir,
        env: githubEnv(dir, workspace),
        inputs: { paths: [...PATHS, ...NOTHING].join('\n'), 'zot-url': cache.url, strict: String(!soft) },
      })
      expect(action.code, action.stdout).toBe(1)
      const errors = action.commands.filter((c) => c.command === 'error').map((c) => c.message)
      expect(errors).toEqual([
        expect.stringContaining('paths: "missing-dir/" does not exist'),
        expect.stringContaining('paths: "nomatch/**/*.yaml" matches no file'),
        expect.stringContaining('invalid configuration (2 problems'),
      ])
    }
  })

  test('the action over the same tree (check mode): annotations within limits, outputs, no stack trace', async () => {
    const dir = newRunDir()
    const action = await runBundle({
      node: node24(),
      script: 'dist/index.js',
      dir,
      env: githubEnv(dir, workspace),
      inputs: { paths: PATHS.join('\n'), 'zot-url': cache.url, 'registry-map': MAP, mode: 'check' },
      reportPath: join(dir, 'runner_temp', 'zot-warm-report.json'),
    })
    expect(action.code, action.stderr).toBe(2)
    expect(`${action.stdout}\n${action.stderr}`).not.toMatch(STACK)
    const refCases = cases.filter((c) => c.kind === 'image')
    expect(Number(action.outputs.invalid) + Number(action.outputs.unresolved)).toBe(
      new Set(refCases.map((c) => (c as RefCase).raw)).size,
    )
    expect(action.outputs.cached).toBe(String(valid.length))
    // GitHub shows 10 per level: the first ones point at file and line, the overflow is one aggregated line.
    const errors = action.commands.filter((c) => c.command === 'error')
    expect(errors).toHaveLength(10)
    expect(errors.slice(0, 8).every((e) => e.props.file && Number(e.props.line) > 0)).toBe(true)
    expect(errors[8]?.message).toMatch(/^… and \d+ more \(.*\): see the job summary and the JSON report\.$/)
    const checked = (action.report as Report).images.filter((i) => i.status === 'cached')
    expect(checked).toHaveLength(valid.length)
  })
})
