// Bad input, extraction side (bad-input.int.test.ts runs such cases end to end): every case gets its own
// clear notice or status with file:line, nothing crashes, and a valid reference next to it is still found.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../src/errors.js'
import { type ExtractIo, type ExtractOptions, extract } from '../src/extract/index.js'
import { nodeIo } from '../src/extract/io.js'
import type { ExtractStatus, NoticeLevel } from '../src/model.js'
import { tempDir } from './support/temp.js'

const root = tempDir('zot-warm-bad-input-')
afterAll(() => rmSync(root, { recursive: true, force: true }))

const H64 = 'a'.repeat(64)
const SHELL_VAR = ['$', '{IMAGE}'].join('')
const pod = (image: string, name = 'p') =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n    - name: c\n      image: ${image}\n`
/** A valid document that must still be found next to the bad input: its image is on line `offset + 8`. */
const OK = (tag: string) => pod(`ghcr.io/ok/${tag}:1`, `ok-${tag}`)

type ImageRow = [
  status: ExtractStatus,
  key: string,
  file: string,
  line: number,
  column: number,
  reason?: string,
]
interface NoticeRow {
  level: NoticeLevel
  file: string
  line?: number
  column?: number
  /** Substring of the message. */
  message: string
}
interface Case {
  name: string
  files?: Record<string, string | Buffer>
  setup?: (dir: string) => void
  paths?: string[]
  opts?: Omit<Partial<ExtractOptions>, 'workspace'>
  io?: ExtractIo
  notices?: NoticeRow[]
  images?: ImageRow[]
  /** Configuration problems (substrings, in order): extract() rejects with a ConfigError, nothing is read. */
  problems?: string[]
}

const failingIo = (code: string, on: 'stat' | 'readFile', file: string): ExtractIo => ({
  ...nodeIo,
  async stat(p) {
    if (on === 'stat' && p.endsWith(file))
      throw Object.assign(new Error(`${code}: injected, stat '${p}'`), { code })
    return nodeIo.stat(p)
  },
  async readFile(p) {
    if (on === 'readFile' && p.endsWith(file))
      throw Object.assign(new Error(`${code}: injected, open '${p}'`), { code })
    return nodeIo.readFile(p)
  },
})

/** Text as UTF-32 code units (no byte order mark). */
function utf32(text: string, order: 'le' | 'be'): Buffer {
  const points = [...text].map((c) => c.codePointAt(0) as number)
  const buf = Buffer.alloc(points.length * 4)
  for (const [i, p] of points.entries()) {
    if (order === 'le') buf.writeUInt32LE(p, i * 4)
    else buf.writeUInt32BE(p, i * 4)
  }
  return buf
}

const deepFlow = `image: ${'['.repeat(3000)}${']'.repeat(3000)}\n`
let deepBlock = 'apiVersion: v1\nkind: Thing\nspec:\n  image: ghcr.io/ok/shallow:1\n  x:\n'
for (let i = 0; i < 300; i++) deepBlock += `${' '.repeat(4 + i * 2)}k:\n`
deepBlock += `${' '.repeat(4 + 300 * 2)}image: ghcr.io/deep/leaf:1\n`
const laughs = `image: ghcr.io/ok/laughs:1\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n`
const tenThousand = Array.from({ length: 10_000 }, (_, i) => `ghcr.io/many/app-${i}:1`).join('\n')
const tenThousandYaml = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n${Array.from({ length: 10_000 }, (_, i) => `    - name: c${i}\n      image: ghcr.io/many/yaml-${i}:1\n`).join('')}`

const CASES: Case[] = [
  // ---- malformed YAML: the broken document is named and skipped, the others are read
  {
    name: 'unclosed double quote',
    files: { 'a.yaml': `${pod('"nginx:1')}---\n${OK('quote')}` },
    // The parser places a missing quote where it gave up: the start of the next line.
    notices: [
      { level: 'error', file: 'a.yaml', line: 9, column: 1, message: 'invalid YAML: Missing closing "quote' },
    ],
    images: [['ok', 'ghcr.io/ok/quote:1', 'a.yaml', 17, 14]],
  },
  {
    name: 'unclosed flow sequence',
    files: {
      'a.yaml': `${OK('flow')}---\napiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a, image: nginx}\n`,
    },
    notices: [
      { level: 'error', file: 'a.yaml', line: 14, message: 'document 1 skipped, the others were read' },
    ],
    images: [['ok', 'ghcr.io/ok/flow:1', 'a.yaml', 8, 14]],
  },
  {
    name: 'bad indentation',
    files: {
      'a.yaml': `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n     image: nginx\n---\n${OK('indent')}`,
    },
    notices: [
      { level: 'error', file: 'a.yaml', line: 5, column: 11, message: 'Nested mappings are not allowed' },
    ],
    images: [['ok', 'ghcr.io/ok/indent:1', 'a.yaml', 15, 14]],
  },
  {
    name: 'tab used for indentation',
    files: {
      'a.yaml': `apiVersion: v1\nkind: Pod\nspec:\n\tcontainers:\n\t- image: nginx\n---\n${OK('tab')}`,
    },
    notices: [{ level: 'error', file: 'a.yaml', line: 4, column: 1, message: 'indent with spaces' }],
    images: [['ok', 'ghcr.io/ok/tab:1', 'a.yaml', 14, 14]],
  },
  {
    name: 'alias to an anchor that does not exist',
    files: { 'a.yaml': `${pod('*missing')}---\n${OK('alias')}` },
    notices: [
      {
        level: 'warning',
        file: 'a.yaml',
        line: 8,
        column: 14,
        message: 'alias *missing refers to no anchor',
      },
    ],
    images: [['ok', 'ghcr.io/ok/alias:1', 'a.yaml', 17, 14]],
  },
  {
    name: 'invalid escape in a double-quoted string',
    files: { 'a.yaml': `${pod('"nginx\\q"')}---\n${OK('escape')}` },
    notices: [
      {
        level: 'error',
        file: 'a.yaml',
        line: 8,
        column: 20,
        message: 'invalid YAML: Invalid escape sequence \\q',
      },
    ],
    images: [['ok', 'ghcr.io/ok/escape:1', 'a.yaml', 17, 14]],
  },
  {
    name: 'unrendered Helm template (not YAML)',
    files: {
      'templates/deploy.yaml': `{{- if .Values.enabled }}\napiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: {{ .Values.image }}\n{{- end }}\n`,
    },
    notices: [
      {
        level: 'warning',
        file: 'templates/deploy.yaml',
        line: 1,
        column: 3,
        message: 'looks like an unrendered template',
      },
    ],
  },
  {
    name: 'duplicate keys: warned, both values searched',
    files: {
      'a.yaml': `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: nginx:1\n      image: nginx:2\n`,
    },
    notices: [{ level: 'warning', file: 'a.yaml', line: 7, column: 7, message: 'duplicate key "image"' }],
    images: [
      ['ok', 'docker.io/library/nginx:1', 'a.yaml', 6, 14],
      ['ok', 'docker.io/library/nginx:2', 'a.yaml', 7, 14],
    ],
  },
  {
    name: 'duplicate kind key at the root',
    files: {
      'a.yaml': `apiVersion: v1\nkind: ConfigMap\nkind: Pod\nspec:\n  containers:\n    - image: ghcr.io/ok/dupkind:1\n`,
    },
    notices: [{ level: 'warning', file: 'a.yaml', line: 3, column: 1, message: 'duplicate key "kind"' }],
    images: [],
  },
  // ---- malformed JSON
  {
    name: 'JSON with a missing comma',
    files: { 'a.json': '{\n  "kind": "Pod"\n  "spec": {}\n}\n', 'ok.json': '{"image": "ghcr.io/ok/json:1"}' },
    notices: [{ level: 'error', file: 'a.json', line: 3, message: 'invalid JSON' }],
    images: [['ok', 'ghcr.io/ok/json:1', 'ok.json', 1, 11]],
  },
  {
    name: 'JSON cut short',
    files: { 'a.json': '{"kind": "Pod", "spec": {"containers": [' },
    notices: [{ level: 'error', file: 'a.json', message: 'invalid JSON' }],
  },
  {
    name: 'JSON with trailing garbage',
    files: { 'a.json': '{"image": "nginx:1"} trailing' },
    notices: [
      {
        level: 'error',
        file: 'a.json',
        line: 1,
        column: 22,
        message: 'invalid JSON: Unexpected non-whitespace character after JSON; file skipped',
      },
    ],
  },
  {
    name: 'JSON with a trailing comma: read as YAML with a warning',
    files: {
      'a.json':
        '{"apiVersion": "v1", "kind": "Pod",\n "spec": {"containers": [{"name": "a", "image": "ghcr.io/ok/trailing:1"},]}}\n',
    },
    notices: [{ level: 'warning', file: 'a.json', message: 'not valid JSON' }],
    images: [['ok', 'ghcr.io/ok/trailing:1', 'a.json', 2, 49]],
  },
  {
    name: 'JSON with duplicate keys',
    files: { 'a.json': '{"spec": {"containers": [{"image": "nginx:1", "image": "nginx:2"}]}}' },
    notices: [{ level: 'warning', file: 'a.json', line: 1, column: 47, message: 'duplicate key "image"' }],
    images: [
      ['ok', 'docker.io/library/nginx:1', 'a.json', 1, 36],
      ['ok', 'docker.io/library/nginx:2', 'a.json', 1, 56],
    ],
  },
  {
    name: 'JSON with a BOM',
    files: { 'a.json': '\ufeff{"image": "ghcr.io/ok/bom-json:1"}' },
    images: [['ok', 'ghcr.io/ok/bom-json:1', 'a.json', 1, 11]],
  },
  // ---- encodings, line ends, empty and odd files
  {
    name: 'BOM before YAML',
    files: { 'a.yaml': `\ufeff${OK('bom')}` },
    images: [['ok', 'ghcr.io/ok/bom:1', 'a.yaml', 8, 14]],
  },
  {
    name: 'CRLF line ends with an error after them',
    files: { 'a.yaml': `${OK('crlf')}---\nimage: "unclosed\n`.replace(/\n/g, '\r\n') },
    notices: [{ level: 'error', file: 'a.yaml', line: 11, column: 1, message: 'Missing closing' }],
    images: [['ok', 'ghcr.io/ok/crlf:1', 'a.yaml', 8, 14]],
  },
  {
    name: 'empty file',
    files: { 'a.yaml': '', 'b.yaml': OK('empty') },
    notices: [{ level: 'notice', file: 'a.yaml', message: 'file is empty' }],
    images: [['ok', 'ghcr.io/ok/empty:1', 'b.yaml', 8, 14]],
  },
  {
    name: 'whitespace-only file',
    files: { 'a.yaml': '  \n\n\t\n' },
    notices: [{ level: 'notice', file: 'a.yaml', message: 'file is empty' }],
  },
  {
    name: 'comments-only file',
    files: { 'a.yaml': '# nothing here\n# image: nginx\n' },
    notices: [{ level: 'notice', file: 'a.yaml', message: 'no YAML document' }],
  },
  {
    name: 'only empty documents',
    files: { 'a.yaml': '---\n---\n...\n' },
  },
  {
    name: 'scalar document',
    files: { 'a.yaml': `just text\n---\n${OK('scalar')}` },
    notices: [{ level: 'notice', file: 'a.yaml', line: 1, column: 1, message: 'document is a plain value' }],
    images: [['ok', 'ghcr.io/ok/scalar:1', 'a.yaml', 10, 14]],
  },
  {
    name: 'YAML list of references is a list document, not an image list',
    files: { 'images.yaml': '- nginx:1.27\n- redis:7\n' },
    notices: [
      {
        level: 'notice',
        file: 'images.yaml',
        line: 1,
        column: 1,
        message: 'give extra images as a plain image list',
      },
    ],
  },
  {
    name: 'list of objects at the root',
    files: { 'a.yaml': `- ${OK('rootlist').replace(/\n/g, '\n  ')}` },
    images: [['ok', 'ghcr.io/ok/rootlist:1', 'a.yaml', 8, 16]],
  },
  {
    name: 'document nested too deeply for the parser',
    files: { 'a.yaml': `${deepFlow}---\n${OK('deepflow')}` },
    notices: [{ level: 'error', file: 'a.yaml', line: 1, message: 'nests too deeply to parse' }],
    images: [['ok', 'ghcr.io/ok/deepflow:1', 'a.yaml', 10, 14]],
  },
  {
    name: 'document nested deeper than the walker goes',
    files: { 'a.yaml': deepBlock },
    notices: [{ level: 'error', file: 'a.yaml', message: 'nests deeper than 256 levels' }],
    images: [['ok', 'ghcr.io/ok/shallow:1', 'a.yaml', 4, 10]],
  },
  {
    name: 'alias expansion bomb',
    files: { 'a.yaml': laughs },
    notices: [{ level: 'error', file: 'a.yaml', message: 'alias expansions' }],
    images: [['ok', 'ghcr.io/ok/laughs:1', 'a.yaml', 1, 8]],
  },
  {
    name: 'anchors, aliases and merge keys: reported at the use site',
    files: {
      'a.yaml': `x: &c {name: base, image: "ghcr.io/ok/anchor:1"}\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - *c\n    - <<: *c\n      name: merged\n`,
    },
    images: [
      ['ok', 'ghcr.io/ok/anchor:1', 'a.yaml', 1, 27],
      ['ok', 'ghcr.io/ok/anchor:1', 'a.yaml', 6, 7],
      ['ok', 'ghcr.io/ok/anchor:1', 'a.yaml', 7, 11],
    ],
  },
  // ---- templated and empty values
  {
    name: 'Helm template left in a value',
    files: { 'a.yaml': pod('"{{ .Values.image }}"') },
    images: [['unresolved', '{{ .Values.image }}', 'a.yaml', 8, 14, 'helm template']],
  },
  {
    name: 'shell variable',
    files: { 'a.yaml': pod(SHELL_VAR) },
    images: [['unresolved', SHELL_VAR, 'a.yaml', 8, 14, 'envsubst']],
  },
  {
    name: 'run-time parameter',
    files: { 'a.yaml': pod('$(IMAGE)') },
    images: [['unresolved', '$(IMAGE)', 'a.yaml', 8, 14, 'Tekton']],
  },
  {
    name: 'empty string image',
    files: { 'a.yaml': pod('""') },
    images: [['unresolved', '', 'a.yaml', 8, 14, 'image is empty']],
  },
  {
    name: 'null image',
    files: { 'a.yaml': pod('') },
    images: [['unresolved', '', 'a.yaml', 8, 7, 'image is empty']],
  },
  // ---- invalid references of every kind
  ...(
    [
      ['upper case', 'ghcr.io/Org/App:1', 'repository name must be lowercase'],
      ['short digest', 'nginx@sha256:0123456789ab', 'sha256 digest needs 64 hex characters, got 12'],
      [
        'sha512 digest of the wrong length',
        `nginx@sha512:${H64}`,
        'sha512 digest needs 128 hex characters, got 64',
      ],
      ['unknown digest algorithm', `nginx@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm "md5"'],
      ['upper-case digest', `nginx@sha256:${'A'.repeat(64)}`, 'lower-case hexadecimal'],
      ['digest without algorithm', `nginx@${H64}`, 'invalid digest'],
      ['over-long name', `ghcr.io/${'a'.repeat(250)}:1`, 'must not be more than 255 characters (got 258)'],
      ['over-long tag', `nginx:${'t'.repeat(129)}`, 'tag longer than 128 characters (got 129)'],
      ['whitespace inside', '"nginx :1"', 'whitespace at position 6'],
      ['leading whitespace', '" nginx:1"', 'leading or trailing whitespace'],
      ['control character', '"nginx\\x07:1"', 'control character U+0007'],
      ['non-ASCII letter', 'nginx-ü:1', 'invalid repository path component'],
      ['image ID instead of a name', H64, 'image ID'],
      ['empty tag', '"nginx:"', 'tag is empty'],
      ['empty digest', 'nginx@', 'digest is empty'],
      ['IPv6 registry without a path', "'[::1]:5000'", 'needs a repository path'],
      ['bad registry port', 'registry.local:http/app', 'invalid registry port "http"'],
      ['double slash', 'ghcr.io//app', 'empty component'],
      ['separator at the end', 'nginx-:1', 'invalid repository path component "nginx-"'],
      ['number instead of a string', '1.27', 'image must be a string, got a number'],
    ] as const
  ).map(
    ([name, value, reason]): Case => ({
      name: `invalid reference: ${name}`,
      files: { 'a.yaml': `${pod(value)}---\n${OK('ref')}` },
      images: [
        ['invalid', 'RAW', 'a.yaml', 8, 14, reason],
        ['ok', 'ghcr.io/ok/ref:1', 'a.yaml', 17, 14],
      ],
    }),
  ),
  // ---- files that cannot be read or are not text
  {
    name: 'binary file',
    files: { 'a.yaml': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]), 'b.yaml': OK('binary') },
    notices: [{ level: 'error', file: 'a.yaml', message: 'binary file (contains NUL bytes): skipped' }],
    images: [['ok', 'ghcr.io/ok/binary:1', 'b.yaml', 8, 14]],
  },
  {
    name: 'UTF-16 little-endian file with a byte order mark: read, at the right line and column',
    files: {
      'a.yaml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`# é ✓\n${OK('utf16le')}`, 'utf16le')]),
    },
    images: [['ok', 'ghcr.io/ok/utf16le:1', 'a.yaml', 9, 14]],
  },
  {
    name: 'UTF-16 big-endian file with a byte order mark: read, at the right line and column',
    files: {
      'a.yaml': Buffer.concat([
        Buffer.from([0xfe, 0xff]),
        Buffer.from(`# 𝄞\r\n${OK('utf16be').replace(/\n/g, '\r\n')}`, 'utf16le').swap16(),
      ]),
    },
    images: [['ok', 'ghcr.io/ok/utf16be:1', 'a.yaml', 9, 14]],
  },
  {
    name: 'UTF-16 without a byte order mark',
    files: { 'a.yaml': Buffer.from(OK('nobom'), 'utf16le'), 'b.yaml': OK('beside-nobom') },
    notices: [
      {
        level: 'error',
        file: 'a.yaml',
        message: 'file looks UTF-16 encoded but has no byte order mark: convert it to UTF-8; skipped',
      },
    ],
    images: [['ok', 'ghcr.io/ok/beside-nobom:1', 'b.yaml', 8, 14]],
  },
  {
    name: 'UTF-32 file (little- and big-endian): named as UTF-32, not read',
    files: {
      'le.yaml': Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32(OK('le'), 'le')]),
      'be.yaml': Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), utf32(OK('be'), 'be')]),
    },
    notices: [
      { level: 'error', file: 'be.yaml', message: 'file is UTF-32 encoded: convert it to UTF-8' },
      { level: 'error', file: 'le.yaml', message: 'file is UTF-32 encoded: convert it to UTF-8' },
    ],
  },
  {
    name: 'file over the size limit',
    files: { 'big.yaml': `${OK('big')}# ${'x'.repeat(5000)}\n`, 'small.yaml': OK('small') },
    opts: { maxFileBytes: 4096 },
    notices: [
      {
        level: 'error',
        file: 'big.yaml',
        message:
          'over the 0.004 MiB limit: skipped; split it, or exclude it with `!path` if it holds no images',
      },
    ],
    images: [['ok', 'ghcr.io/ok/small:1', 'small.yaml', 8, 14]],
  },
  {
    name: 'stdin over the size limit',
    paths: ['-'],
    opts: { stdin: 'x'.repeat(5000), maxFileBytes: 4096 },
    notices: [
      { level: 'error', file: '-', message: 'stdin is 0.005 MiB, over the 0.004 MiB limit: skipped' },
    ],
  },
  {
    name: 'unreadable file (EACCES injected: root reads anything)',
    files: { 'secret.yaml': OK('eacces'), 'b.yaml': OK('readable') },
    io: failingIo('EACCES', 'readFile', 'secret.yaml'),
    notices: [{ level: 'error', file: 'secret.yaml', message: 'permission denied (EACCES)' }],
    images: [['ok', 'ghcr.io/ok/readable:1', 'b.yaml', 8, 14]],
  },
  {
    name: 'I/O error while reading',
    files: { 'a.yaml': OK('eio') },
    io: failingIo('EIO', 'readFile', 'a.yaml'),
    notices: [{ level: 'error', file: 'a.yaml', message: '(EIO)' }],
  },
  {
    name: 'named path that cannot be stat-ed (EACCES)',
    files: { 'a.yaml': OK('statfail') },
    paths: ['a.yaml'],
    io: failingIo('EACCES', 'stat', 'a.yaml'),
    notices: [{ level: 'error', file: 'a.yaml', message: 'cannot read "a.yaml"' }],
  },
  {
    name: 'symlink loop among directories: followed once, files read once',
    files: { 'dir/a.yaml': OK('loop') },
    setup: (dir) => symlinkSync('..', join(dir, 'dir', 'up')),
    paths: ['dir'],
    images: [['ok', 'ghcr.io/ok/loop:1', 'dir/a.yaml', 8, 14]],
  },
  {
    name: 'symlinked file named explicitly that loops',
    files: { 'b.yaml': OK('b') },
    setup: (dir) => {
      symlinkSync('loop2.yaml', join(dir, 'loop1.yaml'))
      symlinkSync('loop1.yaml', join(dir, 'loop2.yaml'))
    },
    paths: ['loop1.yaml', 'b.yaml'],
    notices: [{ level: 'error', file: 'loop1.yaml', message: 'cannot read "loop1.yaml"' }],
    images: [['ok', 'ghcr.io/ok/b:1', 'b.yaml', 8, 14]],
  },
  {
    name: 'dangling symlink named explicitly',
    setup: (dir) => symlinkSync('gone.yaml', join(dir, 'dangling.yaml')),
    paths: ['dangling.yaml'],
    notices: [{ level: 'error', file: 'dangling.yaml', message: 'does not exist' }],
  },
  {
    name: 'the same file through a symlink is read once',
    files: { 'real/a.yaml': OK('once') },
    setup: (dir) => symlinkSync('real', join(dir, 'alias')),
    paths: ['real', 'alias'],
    images: [['ok', 'ghcr.io/ok/once:1', 'real/a.yaml', 8, 14]],
  },
  // ---- paths and globs that select nothing: configuration errors, every one named, nothing read
  {
    name: 'path that does not exist',
    paths: ['manifests/missing.yaml'],
    problems: ['paths: "manifests/missing.yaml" does not exist (relative to the workspace /'],
  },
  {
    name: 'glob matching nothing, next to a path that matches',
    files: { 'a.yaml': OK('glob') },
    paths: ['deploy/**/*.yaml', 'a.yaml', 'nope/*.yml'],
    problems: [
      'paths: "deploy/**/*.yaml" matches no file (relative to the workspace /',
      'paths: "nope/*.yml" matches no file (relative to the workspace /',
    ],
  },
  {
    name: 'excludes that leave nothing',
    files: { 'k8s/a.yaml': OK('excluded') },
    paths: ['k8s', '!k8s/**'],
    problems: ['paths: directory "k8s" holds no .yaml, .yml or .json file (after excludes)'],
  },
  {
    name: 'directory without manifests',
    files: { 'docs/readme.md': '# hello\n' },
    paths: ['docs'],
    problems: ['paths: directory "docs" holds no .yaml, .yml or .json file; check the path'],
  },
  {
    name: 'directory holding only an image list',
    files: { 'lists/images.txt': 'ghcr.io/ok/list:1\n' },
    paths: ['lists'],
    problems: [
      'paths: directory "lists" holds no .yaml, .yml or .json file; to read the image list in it, name it in paths: lists/images.txt',
    ],
  },
  {
    name: 'stdin named but not given (the action)',
    paths: ['-'],
    problems: ['paths: "-" means stdin, which only the CLI reads'],
  },
  {
    name: 'named file that is neither YAML nor an image list',
    files: { 'README.md': 'This chart installs\nthe application: see values.yaml\n\n- it is prose\n' },
    paths: ['README.md'],
    notices: [
      {
        level: 'warning',
        file: 'README.md',
        message: 'not a YAML or JSON manifest, Compose file or image list',
      },
    ],
  },
  // ---- image lists, the images input and stdin
  {
    name: 'image list with bad lines',
    files: {
      'images.txt': 'nginx:1.27\n  redis 7  # not a reference\n- alpine:3\nghcr.io/ok/list:1 # fine\n',
    },
    paths: ['images.txt'],
    images: [
      ['ok', 'docker.io/library/nginx:1.27', 'images.txt', 1, 1],
      ['invalid', 'redis 7', 'images.txt', 2, 3, 'whitespace at position 6'],
      ['invalid', '- alpine:3', 'images.txt', 3, 1, 'looks like a YAML list item'],
      ['ok', 'ghcr.io/ok/list:1', 'images.txt', 4, 1],
    ],
  },
  {
    name: 'images input with blanks, comments and a bad entry',
    paths: ['!**'],
    opts: { images: ['nginx:1.27', '', '# comment', 'Bad:Ref', '  ghcr.io/ok/input:1  # why'] },
    images: [
      ['ok', 'docker.io/library/nginx:1.27', '<images input>', 1, 1],
      ['invalid', 'Bad:Ref', '<images input>', 4, 1, 'lowercase'],
      ['ok', 'ghcr.io/ok/input:1', '<images input>', 5, 3],
    ],
  },
  {
    name: 'stdin holding a YAML stream with a broken document',
    paths: ['-'],
    opts: { stdin: `${OK('stdin')}---\nimage: "broken\n` },
    notices: [{ level: 'error', file: '-', line: 11, column: 1, message: 'invalid YAML' }],
    images: [['ok', 'ghcr.io/ok/stdin:1', '-', 8, 14]],
  },
  {
    name: 'stdin holding an image list',
    opts: { stdin: 'alpine:3.20\nghcr.io/ok/stdin-list:1\n' },
    images: [
      ['ok', 'docker.io/library/alpine:3.20', '-', 1, 1],
      ['ok', 'ghcr.io/ok/stdin-list:1', '-', 2, 1],
    ],
  },
  // ---- volume
  {
    name: '10 000 references in one list file',
    files: { 'many.txt': tenThousand },
    paths: ['many.txt'],
    images: Array.from(
      { length: 10_000 },
      (_, i): ImageRow => ['ok', `ghcr.io/many/app-${i}:1`, 'many.txt', i + 1, 1],
    ),
  },
  {
    name: '10 000 containers in one manifest',
    files: { 'many.yaml': tenThousandYaml },
    images: Array.from(
      { length: 10_000 },
      (_, i): ImageRow => ['ok', `ghcr.io/many/yaml-${i}:1`, 'many.yaml', 8 + i * 2, 14],
    ),
  },
]

function rawOf(value: string): string {
  // The raw text of a quoted YAML scalar as the parser reads it.
  if (value.startsWith('"')) return JSON.parse(value.replace(/\\x07/g, '\\u0007'))
  if (value.startsWith("'")) return value.slice(1, -1)
  return value
}

describe('bad input, extraction side', () => {
  it('has at least 50 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50)
  })

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', async (_name, i) => {
    const c = CASES[i] as Case
    const dir = join(root, `case-${i}`)
    mkdirSync(dir, { recursive: true })
    for (const [file, content] of Object.entries(c.files ?? {})) {
      mkdirSync(dirname(join(dir, file)), { recursive: true })
      writeFileSync(join(dir, file), content)
    }
    c.setup?.(dir)
    if (c.problems) {
      const err = await extract({ workspace: dir, paths: c.paths ?? [], ...c.opts }, c.io).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(ConfigError)
      expect((err as ConfigError).problems).toEqual(c.problems.map((p) => expect.stringContaining(p)))
      return
    }
    const result = await extract({ workspace: dir, paths: c.paths ?? [], ...c.opts }, c.io)

    const notices = result.notices.map((n) => ({ ...n }))
    expect(notices.length, JSON.stringify(notices)).toBe((c.notices ?? []).length)
    ;(c.notices ?? []).forEach((want, k) => {
      const got = notices[k]
      expect(got, JSON.stringify(notices)).toMatchObject({
        level: want.level,
        file: want.file,
        message: expect.stringContaining(want.message),
        ...(want.line !== undefined ? { line: want.line } : {}),
        ...(want.column !== undefined ? { column: want.column } : {}),
      })
      // Messages are one line and name no stack.
      expect(got?.message).not.toMatch(/\n|\bat .*\.(?:js|ts):\d+/)
    })

    const rows = result.images.flatMap((img) =>
      img.sources.map((s) => [img.status, img.key, s.file, s.line, s.column, img.reason] as const),
    )
    const wanted = (c.images ?? []).map(([status, key, file, line, column, reason]) => {
      // Invalid-reference cases write the value as YAML: the key is the text the parser reads.
      const value = /image: (.*)\n/.exec(c.files?.['a.yaml']?.toString() ?? '')?.[1] ?? ''
      return [status, key === 'RAW' ? rawOf(value) : key, file, line, column, reason] as const
    })
    expect(rows.map((r) => r.slice(0, 5))).toEqual(wanted.map((r) => r.slice(0, 5)))
    wanted.forEach((w, k) => {
      if (w[5] !== undefined) expect(rows[k]?.[5]).toContain(w[5])
      else expect(rows[k]?.[5]).toBeUndefined()
    })
  })
})
