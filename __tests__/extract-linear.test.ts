// Hostile input must cost time in proportion to its size. Every regular expression and scan loop that sees
// input text (references, templates, keys, lists, comments, the pre-scan and the pruning) is fed the shape
// that would make it super-linear, at n and at 16·n: linear work grows 16×, quadratic work 256×. Work is
// measured as this process's CPU time (other processes on a loaded machine do not inflate it), the best of
// three runs, and the bound leaves a factor of 3 for noise. Then random token soups in every context, and
// the reported repros through the bundled CLI with generous per-case bounds.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Extractor } from '../src/extract/index.js'
import { keyAt } from '../src/extract/keys.js'
import { closedValue } from '../src/extract/prune.js'
import { isTemplated, parseReference } from '../src/extract/reference.js'
import { checkDist, ROOT } from './support/runner.js'
import { tempDir } from './support/temp.js'

/** CPU milliseconds of this process for one run of `fn`, best of `runs`. */
function cpuMs(fn: () => void, runs = 3): number {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage()
    fn()
    const d = process.cpuUsage(before)
    best = Math.min(best, (d.user + d.system) / 1000)
  }
  return best
}

function extractText(text: string, file: string) {
  const ex = new Extractor()
  ex.addText(text, file)
  return ex.result()
}

const pod = (container: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n${container}`
const keys = (n: number, key: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => `${key(i)}: 1\n`).join('')

/** Each shape: a file name and the text at size parameter n (≈ 2–6 bytes per n). */
const SHAPES: Record<string, [file: string, build: (n: number) => string]> = {
  'run-time parameter opener `$(` repeated (reference.ts)': [
    'a.yaml',
    (n) => pod(`      image: "${'$('.repeat(n)}"\n`),
  ],
  'template opener `{{` and blank runs (reference.ts)': [
    'a.yaml',
    (n) => pod(`      image: "${'{{    '.repeat(n)}"\n`),
  ],
  'long invalid names, hosts, tags and digests (reference.ts)': [
    'a.txt',
    (n) =>
      [
        `${'a-'.repeat(n)}!`,
        `${'a.'.repeat(n)}-/x`,
        `x/${'a_'.repeat(n)}__`,
        `h:5000/x:${'t'.repeat(n)}`,
        `x@sha256:${'a'.repeat(n)}`,
        `${'a-a.'.repeat(n)}-:1/x`,
      ].join('\n'),
  ],
  'many distinct keys in one mapping (the yaml library’s duplicate check)': [
    'a.yaml',
    (n) => `image: x\n${keys(n, (i) => `k${i}`)}`,
  ],
  'one key repeated in one mapping (duplicate-key messages)': [
    'a.yaml',
    // At the root: root keys are never pruned, so the parser sees every one.
    (n) => `image: x\n${keys(n, () => 'a')}`,
  ],
  'a long flow mapping of duplicate keys on one line (keyAt)': [
    'a.yaml',
    (n) => `image: x\nm: {${'"a" : 1, '.repeat(n)}}\n`,
  ],
  'duplicate `image` keys in one container (container name lookup)': [
    'a.yaml',
    (n) => pod(keys(n, () => '      image')),
  ],
  'a Helm source comment with a long blank run (documents.ts)': [
    'a.yaml',
    (n) => `# Source: a${' '.repeat(n * 4)}b\n${pod('      image: nginx\n')}`,
  ],
  'kind and apiVersion lines with long blank runs (pre-scan)': [
    'a.yaml',
    (n) => `apiVersion: v1${' '.repeat(n * 2)}x\nkind: Service${' '.repeat(n * 2)}y\nspec:\n  image: x\n`,
  ],
  'many document markers and empty documents (documents.ts)': [
    'a.yaml',
    (n) => `${'---\n'.repeat(n)}${'\n---x'.repeat(n)}\n${pod('      image: nginx\n')}`,
  ],
  'a plain value with a long blank run before text (prune.ts comment strip)': [
    'a.yaml',
    (n) => pod(`      image: nginx\n      args: a${' '.repeat(n * 4)}b\n${keys(200, (i) => `      x${i}`)}`),
  ],
  'a line of nested `- ` entries (prune.ts)': [
    'a.yaml',
    (n) =>
      pod(
        `      image: nginx\n      env:\n        - ${'- '.repeat(n * 2)}x\n${keys(200, (i) => `      x${i}`)}`,
      ),
  ],
  'unclosed flow collections and quotes on one line (prune.ts)': [
    'a.yaml',
    (n) => pod(`      image: nginx\n      args: [${'[\'\'"\\\\", '.repeat(n)}\n`),
  ],
  'JSON nested through kept keys (prune.ts JSON)': [
    'a.json',
    (n) => `{"kind":"Pod","spec":${'{"name":'.repeat(n)}{"image":"x"}${'}'.repeat(n)}}`,
  ],
  'one-line JSON with a member to drop in every item (prune.ts JSON)': [
    'a.json',
    (n) =>
      `{"kind":"List","items":[${'{"kind":"Pod","x":1,"spec":{"containers":[{"image":"x"}]}},'.repeat(n)}{}]}`,
  ],
  'JSON strings full of backslashes and quotes (prune.ts JSON)': [
    'a.json',
    (n) => `{"kind":"Pod","x":"${'\\\\\\"'.repeat(n)}","spec":{"containers":[{"image":"x"}]}}`,
  ],
  'an anchor name redefined between its aliases (walk.ts)': [
    'a.yaml',
    (n) => pod(`      image: nginx\n      args: [${'&a x, *a, '.repeat(n)}]\n`),
  ],
  'aliases to one large collection, used many times (walk.ts)': [
    'a.yaml',
    (n) =>
      `big: &b [${'1, '.repeat(n)}]\n${pod('      image: nginx\n')}      volumes:\n${'        - *b\n'.repeat(n)}`,
  ],
  'a block scalar image value with a long run of blank lines (span.ts)': [
    'a.yaml',
    (n) => pod(`      image: |\n        a\n${'\n'.repeat(n * 4)}        b\n`),
  ],
  'image list lines with comments and blank runs (formats.ts)': [
    'a.txt',
    (n) => `nginx:1\n${`x${' '.repeat(n * 4)}#${' #'.repeat(n)}\n`}${' '.repeat(n * 4)}\n`,
  ],
  'one long run of flag characters full of image words (runtime.ts marks)': [
    'a.yaml',
    (n) =>
      pod(
        `      image: nginx\n      args: [${'x.imageIMAGE_'.repeat(n)}, --${'a-Image'.repeat(n)}]\n${keys(200, (i) => `      x${i}`)}`,
      ),
  ],
  'the same in JSON strings (runtime.ts marks, prune.ts JSON)': [
    'a.json',
    (n) =>
      `{"kind":"Pod","x":{"a":"${'x.imageIMAGE_'.repeat(n)}"},"spec":{"containers":[{"image":"x","args":["--${'a-Image'.repeat(n)}"]}]}}`,
  ],
  'escapes that could spell a key (pre-scan, prune.ts)': [
    'a.yaml',
    (n) => pod(`      image: nginx\n      args: ["${'\\x41\\u0041'.repeat(n)}"]\n`),
  ],
}

describe('extraction work grows linearly with the input', () => {
  it.each(Object.keys(SHAPES))(
    '%s',
    (name) => {
      const [file, build] = SHAPES[name] as [string, (n: number) => string]
      const n = 1000
      const small = build(n)
      const large = build(16 * n)
      // Both must extract (one bad shape never throws), then the growth of the work is compared.
      extractText(small, file)
      const t1 = Math.max(
        cpuMs(() => extractText(small, file)),
        5,
      )
      const t16 = cpuMs(() => extractText(large, file), 2)
      expect(
        t16 / t1,
        `${name}: ${small.length} → ${large.length} bytes took ${t1.toFixed(1)} → ${t16.toFixed(1)} CPU ms`,
      ).toBeLessThan(48)
    },
    120_000,
  )

  it('reference parsing and template detection grow linearly on long values', () => {
    const values = (n: number) => [
      '$('.repeat(n),
      `${'$('.repeat(n)})`,
      '{{ '.repeat(n),
      `${'a-'.repeat(n)}!`,
      `${'a.'.repeat(n)}a-`,
      `${'[a'.repeat(n)}]:1/x`,
      `x@${'sha256:'.repeat(n)}`,
      ` ${'\u00a0'.repeat(n)}`,
    ]
    const work = (n: number) => () => {
      for (const v of values(n)) {
        isTemplated(v)
        try {
          parseReference(v)
        } catch {
          // invalid: the point is the time it takes to say so
        }
      }
    }
    const t1 = Math.max(cpuMs(work(20_000)), 2)
    const t16 = cpuMs(work(320_000))
    expect(t16 / t1).toBeLessThan(48)
  })
})

// Random token soups: fragments that open and close YAML, template and reference syntax, repeated into
// ~100 KB values, keys, comments, flow collections, list lines and JSON strings.
const TOKENS = [
  '$(',
  ')',
  '${',
  '}',
  '{{',
  '}}',
  '{%',
  '\\',
  '\\x',
  '\\u00',
  '"',
  "'",
  "''",
  ':',
  ': ',
  ' ',
  '\t',
  '#',
  ' #',
  '-',
  '- ',
  '[',
  ']',
  '{',
  ',',
  '\n',
  '\r',
  '&a ',
  '*a ',
  '<<: ',
  'image',
  'image: x\n',
  'kind: ',
  '# Source: ',
  '---',
  '---\n',
  '...\n',
  '? ',
  '!',
  '|',
  '>',
  '%',
  '@',
  '`',
  'a',
  '.',
  '_',
  '__',
  '/',
  '@sha256:',
  '\u2028',
  '\u00a0',
  'é',
]
const CONTEXTS: [file: string, wrap: (s: string) => string][] = [
  ['a.yaml', (s) => pod(`      image: "${s.replace(/["\\]/g, '')}"\n`)],
  ['a.yaml', (s) => pod(`      image: nginx\n      args: ${s}\n`)],
  ['a.yaml', (s) => `image: x\n${s}\n`],
  ['a.yaml', (s) => `# Source: ${s.replace(/\n/g, ' ')}\n${pod('      image: nginx\n')}`],
  ['a.json', (s) => `{"kind":"Pod","spec":{"containers":[{"image":${JSON.stringify(s)},"a":[${s}]}]}}`],
  ['a.txt', (s) => `nginx:1\n${s}\n`],
]

describe('random token soups', () => {
  it('never throw and finish in bounded time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: CONTEXTS.length - 1 }),
        (tokens, c) => {
          const unit = tokens.join('')
          const text = unit.repeat(Math.ceil(100_000 / unit.length))
          const [file, wrap] = CONTEXTS[c] as [string, (s: string) => string]
          const ms = cpuMs(() => extractText(wrap(text), file), 1)
          // Linear extraction of 100 KB takes well under a second even on hostile shapes; a quadratic
          // pass over it takes minutes.
          expect(ms, JSON.stringify(unit)).toBeLessThan(10_000)
        },
      ),
      { numRuns: 40, seed: 17 },
    )
  }, 600_000)
})

describe('the rewritten scans say exactly what the regular expressions they replace said', () => {
  const short = fc
    .array(fc.constantFrom('a', ' ', '\t', '#', ':', '"', "'", '\\', '\r', '\u2028', 'x', '-'), {
      maxLength: 14,
    })
    .map((a) => a.join(''))

  it('keyAt', () => {
    const old = (line: string) => {
      const m = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^:#]*?))\s*:/.exec(line)
      return m ? (m[1] ?? m[2] ?? m[3]) : undefined
    }
    fc.assert(
      fc.property(short, fc.option(short, { nil: undefined }), (line, next) => {
        const source = next === undefined ? line : `${line}\n${next}`
        expect(keyAt(source, 0)).toBe(old(line))
      }),
      { numRuns: 3000 },
    )
  })

  it('the plain-value check of prune.ts', () => {
    const old = (value: string) => {
      const s = value.replace(/^[ \t]+/, '')
      if (/^[ \t]*(?:#[^\n]*)?[\r\n]*$/.test(s)) return true
      const c = s.charAt(0)
      if ('"\'[{*|>&!%@`?:,]}#'.includes(c) || (c === '-' && /^-[ \t\r]/.test(s))) return undefined
      return !/:[ \t]/.test(s.replace(/[ \t]+#.*$/, ''))
    }
    fc.assert(
      fc.property(short, (value) => {
        const expected = old(value)
        if (expected !== undefined) expect(closedValue(value)).toBe(expected)
      }),
      { numRuns: 3000 },
    )
  })

  it('template detection', () => {
    const old = (text: string) =>
      text.includes('$(') && /\$\([^)]*\)/.test(text)
        ? 'param'
        : /\$\{[^}]*\}?|\$[A-Za-z_]/.test(text)
          ? 'var'
          : undefined
    const soup = fc
      // No `{{` / `{%`: templates are recognised first, by a check this change did not touch.
      .array(fc.constantFrom('$', '(', ')', '{', '}', 'a', '_', ' ', '1'), { maxLength: 10 })
      .filter((a) => !a.join('').includes('{{'))
      .map((a) => a.join(''))
    fc.assert(
      fc.property(soup, (text) => {
        const hint = isTemplated(text)
        const now = hint?.startsWith('run-time')
          ? 'param'
          : hint?.startsWith('unexpanded')
            ? 'var'
            : undefined
        expect(now).toBe(old(text))
      }),
      { numRuns: 3000 },
    )
  })
})

describe('the reported repros, through the bundled CLI', () => {
  const dir = tempDir('zot-warm-linear-')

  const plan = (file: string) => {
    checkDist()
    const started = Date.now()
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), '--mode', 'plan', '-q', file], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      killSignal: 'SIGKILL',
      // The invalid value is echoed in full (shortening echoes is the output side's job).
      maxBuffer: 256 * 1024 * 1024,
    })
    return { ...r, ms: Date.now() - started }
  }

  it('an image value of 1 000 000 × "$(" (2 MB; took more than 12 minutes) is reported at once', () => {
    writeFileSync(join(dir, 'params.yaml'), pod(`      image: "${'$('.repeat(1_000_000)}"\n`))
    const r = plan('params.yaml')
    expect(r.signal).toBeNull()
    // Not a run-time parameter (no closing parenthesis): an invalid reference, named with its place.
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('params.yaml:8:14')
    expect(r.ms).toBeLessThan(60_000)
  }, 130_000)

  it('a 600 KB file of duplicate keys (400 KB took 28 s) is read in bounded time', () => {
    // Root keys (the pruning keeps them, so the parser sees every one).
    const body = Array.from({ length: 60_000 }, (_, i) => `k${i % 30_000}: v\n`).join('')
    writeFileSync(join(dir, 'dups.yaml'), `${body}${pod('      image: nginx:1.27\n')}`)
    const r = plan('dups.yaml')
    expect(r.signal).toBeNull()
    expect(r.status).toBe(0)
    expect(r.stderr).toContain('dups.yaml:30001:1: warning: duplicate key "k0"')
    expect(r.stdout).toContain('docker.io/library/nginx:1.27')
    // Seconds now, over a minute before (34 s for 40 000 keys on a loaded 2-core machine).
    expect(r.ms).toBeLessThan(20_000)
  }, 130_000)
})
