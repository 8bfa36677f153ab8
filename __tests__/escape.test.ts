// Hostile text in every sink: examples for each escaping function, then properties over generated text
// (control characters, CR/LF, `::`, `##[`, bidi and zero-width characters, ESC sequences, very long
// values): no workflow command a runner would act on, no unsafe character, well-formed summary HTML that
// Markdown leaves alone, inert Markdown, lossless JSON, bounded sizes. The bundles get the same text in
// escape-dist.int.test.ts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runCli } from '../src/cli.js'
import { run as runAction } from '../src/main.js'
import type { ImageResult, Notice, Source } from '../src/model.js'
import { planAnnotations } from '../src/report/annotations.js'
import {
  clip,
  htmlText,
  isPlain,
  literal,
  logLine,
  logText,
  MAX_LINE,
  markdownCode,
  markdownText,
  oneLine,
  safeJson,
} from '../src/report/escape.js'
import type { RepoContext } from '../src/report/links.js'
import { decideOutcome } from '../src/report/outcome.js'
import { buildReport, imagesOutput, reportJson } from '../src/report/report.js'
import { renderSummary } from '../src/report/summary.js'
import { renderProblems, renderTable } from '../src/report/table.js'
import { renderTextSummary } from '../src/report/text-summary.js'
import type { RunResult } from '../src/report/types.js'
import { captureProcess } from './support/in-process.js'
import { htmlShape, MARKDOWN_TAGS, renderMarkdown, SUMMARY_TAGS } from './support/markup.js'
import { githubEnv, newRunDir, parseCommands, parseOutputFile } from './support/runner.js'
import { tempDir } from './support/temp.js'

// A failing property on huge generated values could shrink for a long time: stop trying after a while and
// report what was found so far.
fc.configureGlobal({ interruptAfterTimeLimit: 60_000 })

/** Anything a reader cannot see or a terminal acts on (the line feed is checked separately). */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u
const unsafeBut = (allowed: string) => new RegExp(`(?![${allowed}])[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]`, 'u')

const PIECES = [
  '\r',
  '\n',
  '\r\n',
  '\r\r',
  '::',
  '::error file=README.md,line=1::PWNED',
  '::add-mask::library/nginx',
  '::stop-commands::x',
  '##[error]',
  '##[add-mask]x',
  '\u001b',
  '\u001b[2J',
  '\u001b]8;;https://evil.example\u001b\\',
  '\u009b31m',
  '\u202e',
  '\u2066',
  '\u200b',
  '\ufeff',
  '\u0085',
  '\u2028',
  '\u00a0',
  ' ',
  '\t',
  '\u0000',
  '\u007f',
  '%0A',
  '`',
  '```',
  '<script>',
  '</td></tr></table>',
  '&lt;',
  '![x](https://evil.example/x.png)',
  '[x](https://evil.example)',
  '*',
  '_',
  '|',
  '#',
  '\\',
  ')',
  '"',
  "'",
  '\u{1f600}',
  '\ud800',
]
/** Text made of hostile pieces and arbitrary characters. */
const hostile = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
    {
      maxLength: 24,
    },
  )
  .map((parts) => parts.join(''))
/** Now and then a very long one. */
const hostileOrLong = fc.oneof(
  { weight: 9, arbitrary: hostile },
  fc
    .tuple(hostile, fc.integer({ min: 3_000, max: 60_000 }), hostile)
    .map(([a, n, b]) => `${a}${'A\r'.repeat(n)}${b}`),
)

/** Commands a runner would act on in text a sink wrote. */
const commandsIn = (text: string) => parseCommands(text)

describe('escaping, by example', () => {
  it('the log: CR, LF, `::` at a line start, `##[`, ESC and bidi characters do nothing', () => {
    expect(logLine('x\r::error file=README.md,line=1::PWNED')).toBe(
      'x\\r::error file=README.md,line=1::PWNED',
    )
    expect(logLine('y\n::add-mask::library/nginx')).toBe('y\\n::add-mask::library/nginx')
    expect(logText('a\n::add-mask::x\n \u00a0::error::y')).toBe('a\n\\x3a:add-mask::x\n \u00a0\\x3a:error::y')
    expect(logLine('see ##[error]x')).toBe('see ##\\x5berror]x')
    expect(logLine('\u001b[2Jgone')).toBe('\\x1b[2Jgone')
    expect(logLine('ngin\u202ex\u2066')).toBe('ngin\\u202ex\\u2066')
    expect(logLine('tag\u{e0041}')).toBe('tag\\u{e0041}')
    expect(commandsIn(logText('::error::a\r::warning::b\n##[add-mask]c'))).toEqual([])
  })

  it('ordinary text is left alone', () => {
    for (const t of ['docker.io/library/nginx:1.27', 'deploy/app.yaml:12:7', 'ünïcödé ✅ 🔥', 'a: b::c'])
      expect([logLine(t), isPlain(t)]).toEqual([t, true])
    expect(isPlain('a\nb')).toBe(false)
  })

  it('clip keeps both ends and says how long the whole was', () => {
    const long = `${'a'.repeat(5000)}TAIL`
    const cut = clip(long, 100)
    expect(cut.length).toBeLessThanOrEqual(100)
    expect(cut).toMatch(/^a+…\[5004 characters\]…a*TAIL$/)
    expect(clip('short', 100)).toBe('short')
    // A surrogate pair is never split.
    const emoji = '\u{1f600}'.repeat(100)
    expect(clip(emoji, 51)).not.toMatch(
      /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/,
    )
  })

  it('oneLine flattens every line break, also a bare CR', () => {
    expect(oneLine('a\r\rb\r\nc\u2028d  \n  e')).toBe('a b c d e')
    expect(oneLine('x'.repeat(1000), 50)).toMatch(/…\[1000 characters\]…/)
  })

  it('literal shows a value exactly, escapes included', () => {
    expect(literal('x\r::error::y', 100)).toBe('x\\r::error::y')
  })

  it('the summary: a bare CR cannot end the HTML block, nothing becomes markup', () => {
    const text = 'z\r\r![x](https://evil.example/x.png)\r\r<img src=x>'
    const html = `<p>${htmlText(text)}</p>\n`
    expect(html).not.toMatch(/[\r\n](?!$)/)
    expect(renderMarkdown(html)).toBe(html)
    expect(htmlShape(html, SUMMARY_TAGS)).toMatchObject({ tags: ['p'], problems: [] })
  })

  it('Markdown: inline syntax and line breaks are escaped; a code span cannot be closed', () => {
    const text = 'a\r\r![x](https://evil.example/x.png) *b* <i>c</i> [d](e) `f`'
    const rendered = renderMarkdown(`- ${markdownText(text)}\n- ${markdownCode(text)}\n`)
    expect(htmlShape(rendered, MARKDOWN_TAGS)).toMatchObject({
      tags: ['ul', 'li', 'li', 'code'],
      problems: [],
    })
  })

  it('JSON: the same value, without a raw control, format or `##[` character', () => {
    const value = { a: 'x\u202e\u2028\u0085\u001b##[error]\u{e0041}', b: ['\r\n'] }
    const json = safeJson(value, 2)
    expect(JSON.parse(json)).toEqual(value)
    expect(json).not.toMatch(unsafeBut('\n'))
    expect(json).not.toContain('##[')
  })
})

describe('escaping, by property', () => {
  it('logText/logLine: no command, nothing unsafe, lines bounded', () => {
    fc.assert(
      fc.property(hostileOrLong, (text) => {
        const many = logText(text)
        const one = logLine(text)
        expect(commandsIn(many)).toEqual([])
        expect(commandsIn(one)).toEqual([])
        expect(many).not.toMatch(unsafeBut('\n'))
        expect(one).not.toMatch(UNSAFE)
        // An escape is at most 10 characters for 1 or 2 of the original.
        for (const line of many.split('\n')) expect(line.length).toBeLessThanOrEqual(MAX_LINE * 10)
      }),
      { numRuns: 300 },
    )
  })

  it('htmlText: one inert line that Markdown passes through', () => {
    fc.assert(
      fc.property(hostileOrLong, (text) => {
        const html = `<p>${htmlText(text)}</p>\n`
        expect(html.slice(0, -1)).not.toMatch(UNSAFE)
        expect(htmlShape(html, SUMMARY_TAGS)).toEqual({ tags: ['p'], hrefs: [], problems: [] })
        expect(renderMarkdown(html)).toBe(html)
      }),
      { numRuns: 300 },
    )
  })

  it('markdownText and markdownCode: no element but the list and the code span', () => {
    fc.assert(
      fc.property(hostileOrLong, (text) => {
        const code = markdownCode(text)
        const rendered = renderMarkdown(`- ${markdownText(text)}\n- ${code}\n`)
        expect(htmlShape(rendered, MARKDOWN_TAGS)).toEqual({
          // An empty code span is no code span.
          tags: ['ul', 'li', 'li', ...(code === '``' ? [] : ['code'])],
          hrefs: [],
          problems: [],
        })
      }),
      { numRuns: 300 },
    )
  })

  it('safeJson: lossless, nothing unsafe', () => {
    fc.assert(
      fc.property(fc.array(hostile), (value) => {
        const json = safeJson(value)
        expect(JSON.parse(json)).toEqual(value)
        expect(json).not.toMatch(UNSAFE)
        expect(json).not.toContain('##[')
      }),
      { numRuns: 300 },
    )
  })
})

// Whole renderings of runs whose references, file names, errors and notices are hostile.
const REPO: RepoContext = {
  forge: 'github',
  serverUrl: 'https://github.com',
  repository: 'acme/shop-deploy',
  sha: 'a'.repeat(40),
  root: '/ws',
}
const STATUSES: ImageResult['status'][] = [
  'failed',
  'invalid',
  'unresolved',
  'not-attempted',
  'skipped-unmapped',
  'warmed',
  'cached',
]
const source: fc.Arbitrary<Source> = fc.record({
  file: fc.oneof(hostile, fc.constantFrom('-', '<images input>', 'deploy/app.yaml')),
  line: fc.integer({ min: 1, max: 9999 }),
  column: fc.integer({ min: 1, max: 200 }),
})
const result: fc.Arbitrary<ImageResult> = fc
  .record({
    reference: hostileOrLong,
    status: fc.constantFrom(...STATUSES),
    error: fc.option(hostile, { nil: undefined }),
    diagnosis: fc.option(hostile, { nil: undefined }),
    warnings: fc.array(hostile, { maxLength: 2 }),
    sources: fc.array(source, { minLength: 1, maxLength: 3 }),
    zotReference: fc.option(hostile, { nil: undefined }),
  })
  .map((r) => {
    const out: ImageResult = { ...r, attempts: 1, durationMs: 1500 }
    for (const k of ['error', 'diagnosis', 'zotReference'] as const) if (out[k] === undefined) delete out[k]
    return out
  })
const notice: fc.Arbitrary<Notice> = fc.record({
  level: fc.constantFrom('error', 'warning', 'notice'),
  file: hostile,
  line: fc.integer({ min: 1, max: 99 }),
  message: hostileOrLong,
})
const hostileRun: fc.Arbitrary<RunResult> = fc
  .record({
    results: fc.array(result, { minLength: 1, maxLength: 6 }),
    notices: fc.array(notice, { maxLength: 3 }),
    version: hostile,
    hardFailure: fc.option(fc.record({ message: hostile, hint: hostile }), { nil: undefined }),
    cancelled: fc.option(hostile, { nil: undefined }),
  })
  .map(
    ({ results, notices, version, hardFailure, cancelled }): RunResult => ({
      mode: 'warm',
      strict: true,
      failOnUnresolved: true,
      unmapped: 'skip',
      zotUrl: 'https://zot.example.com',
      zot: { url: 'https://zot.example.com', version },
      results,
      notices,
      files: 3,
      bytes: 100,
      startedAt: '2026-11-30T10:00:00.000Z',
      durationMs: 1000,
      ...(hardFailure ? { hardFailure } : {}),
      ...(cancelled ? { cancelled } : {}),
    }),
  )

describe('renderings of hostile runs', () => {
  it('GitHub summary: well-formed HTML of our tags only, links only into the repository, untouched by Markdown', () => {
    fc.assert(
      fc.property(hostileRun, (run) => {
        const html = renderSummary(run, decideOutcome(run), { workspace: '/ws', repo: REPO })
        const shape = htmlShape(html, SUMMARY_TAGS)
        expect(shape.problems).toEqual([])
        for (const href of shape.hrefs)
          expect(href).toMatch(/^https:\/\/github\.com\/acme\/shop-deploy\/blob\//)
        expect(renderMarkdown(html)).toBe(html)
        expect(html).not.toMatch(unsafeBut('\n'))
      }),
      { numRuns: 150 },
    )
  })

  it('Forgejo summary: Markdown of our elements only, links only into the repository, one fenced table', () => {
    fc.assert(
      fc.property(hostileRun, (run) => {
        const md = renderTextSummary(run, decideOutcome(run), {
          workspace: '/ws',
          repo: { ...REPO, forge: 'forgejo', serverUrl: 'https://code.example.org' },
        })
        const shape = htmlShape(renderMarkdown(md), MARKDOWN_TAGS)
        expect(shape.problems).toEqual([])
        expect(shape.tags.filter((t) => t === 'pre')).toHaveLength(1)
        for (const href of shape.hrefs)
          expect(href).toMatch(/^https:\/\/code\.example\.org\/acme\/shop-deploy\/src\/commit\//)
        expect(md).not.toMatch(unsafeBut('\n'))
        // The runner prints this file into the log.
        expect(commandsIn(md)).toEqual([])
      }),
      { numRuns: 150 },
    )
  })

  it('table and problems for the log: no command, nothing unsafe, bounded', () => {
    fc.assert(
      fc.property(hostileRun, (run) => {
        const text = logText(`${renderTable(run.results, run.mode)}\n${renderProblems(run.results)}`)
        expect(commandsIn(text)).toEqual([])
        expect(text).not.toMatch(unsafeBut('\n'))
        expect(text.length).toBeLessThan(run.results.length * 20_000 + 1000)
      }),
      { numRuns: 150 },
    )
  })

  it('annotations point only at paths that need no escaping, and say where otherwise', () => {
    fc.assert(
      fc.property(hostileRun, (run) => {
        for (const a of planAnnotations(run, { limit: 1000 })) {
          if (a.file !== undefined) expect(isPlain(a.file)).toBe(true)
          expect(a.message.length).toBeLessThan(3000)
        }
      }),
      { numRuns: 150 },
    )
  })

  it('report and images output: lossless for ordinary text, nothing unsafe', () => {
    fc.assert(
      fc.property(hostileRun, (run) => {
        const json = reportJson(buildReport(run, decideOutcome(run)))
        expect(json).not.toMatch(unsafeBut('\n'))
        expect(JSON.parse(json).images.map((i: { reference: string }) => i.reference)).toEqual(
          run.results.map((r) => r.reference),
        )
        const images = imagesOutput(run)
        expect(images.json).not.toMatch(UNSAFE)
        // Values this long never reach it (the run cuts references past 1024 characters), but it holds.
        expect(Buffer.byteLength(images.json)).toBeLessThanOrEqual(900 * 1024)
        expect(JSON.parse(images.json)).toHaveLength(images.shown)
        expect(images.total).toBe(run.results.length)
      }),
      { numRuns: 100 },
    )
  })
})

describe('the images output stays under the 1 MB output limit', () => {
  it('10,000 references: cut, worst images kept, still valid JSON in run order', () => {
    const results: ImageResult[] = Array.from({ length: 10_000 }, (_, i) => ({
      reference: `registry.example.com/team-${i}/service-with-a-long-name-${i}:1.2.${i}`,
      status: i % 1000 === 7 ? 'failed' : 'cached',
      zotReference: `example-images/team-${i}/service-with-a-long-name-${i}:1.2.${i}`,
      digest: `sha256:${'ab'.repeat(32)}`,
      platforms: ['linux/amd64', 'linux/arm64'],
      attempts: 1,
      durationMs: 1,
      warnings: [],
      sources: [{ file: 'a.yaml', line: i + 1, column: 1 }],
    }))
    const run: RunResult = {
      mode: 'check',
      strict: true,
      failOnUnresolved: true,
      unmapped: 'skip',
      results,
      notices: [],
      files: 1,
      bytes: 1,
      startedAt: '2026-11-30T10:00:00.000Z',
      durationMs: 1,
    }
    const out = imagesOutput(run)
    expect(Buffer.byteLength(out.json)).toBeLessThanOrEqual(900 * 1024)
    expect(out.total).toBe(10_000)
    expect(out.shown).toBeLessThan(10_000)
    const listed = JSON.parse(out.json) as { reference: string; status: string }[]
    expect(listed).toHaveLength(out.shown)
    expect(listed.filter((i) => i.status === 'failed')).toHaveLength(10)
    const order = listed.map((i) => Number(/team-(\d+)\//.exec(i.reference)?.[1]))
    expect(order).toEqual([...order].sort((a, b) => a - b))
  })
})

// The entry points in-process on workspaces with generated hostile file names and values.
describe('the action and the CLI on hostile workspaces', () => {
  const captured = captureProcess()

  /** A file name: anything but `/` and NUL, at most 100 UTF-16 units (file systems allow 255 bytes). */
  const fileName = hostile
    .map((t) =>
      t
        .replace(/[/\0]/g, '_')
        .slice(0, 100)
        .replace(/[\ud800-\udbff]$/, ''),
    )
    .filter((t) => t !== '' && t !== '.' && t !== '..')
  const workspace = fc.array(fc.tuple(fileName, hostile), { minLength: 1, maxLength: 4 })

  function writeWorkspace(files: [string, string][]): string {
    const ws = tempDir('zot-warm-hostile-ws-')
    mkdirSync(join(ws, 'k8s'))
    files.forEach(([name, value], i) => {
      const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  containers:\n    - name: c\n      image: ${JSON.stringify(value)}\n    - name: d\n      image: "Bad/Name:${i}"\n`
      // Two files may get the same generated name: the later one wins, as on any file system.
      writeFileSync(join(ws, 'k8s', `${i}-${name}.yaml`), pod)
    })
    return ws
  }

  it('the action: only its own workflow commands, a well-formed summary, outputs without unsafe text', async () => {
    await fc.assert(
      fc.asyncProperty(workspace, async (files) => {
        captured.reset()
        const ws = writeWorkspace(files)
        const dir = newRunDir()
        for (const [k, v] of Object.entries(githubEnv(dir, ws))) process.env[k] = v
        process.env.INPUT_MODE = 'plan'
        process.env.INPUT_PATHS = 'k8s'
        expect(await runAction()).toBe(2)
        const commands = parseCommands(captured.stdout())
        expect(
          commands.filter(
            (c) =>
              c.legacy || !['error', 'warning', 'notice', 'group', 'endgroup', 'debug'].includes(c.command),
          ),
        ).toEqual([])
        for (const c of commands.filter((c) => ['error', 'warning', 'notice'].includes(c.command))) {
          expect(c.props.title ?? c.message).toMatch(/^zot-warm: /)
          expect(`${c.message}${c.props.title ?? ''}${c.props.file ?? ''}`).not.toMatch(UNSAFE)
        }
        expect(captured.stdout().replaceAll('\u001b[33m', '').replaceAll('\u001b[0m', '')).not.toMatch(
          unsafeBut('\n'),
        )
        const summary = readFileSync(join(dir, 'step_summary.md'), 'utf8')
        expect(htmlShape(summary, SUMMARY_TAGS).problems).toEqual([])
        // The file ends with a blank line, which closes the block for whatever a later step appends.
        expect(renderMarkdown(summary)).toBe(summary.replace(/\n+$/, '\n'))
        const outputs = parseOutputFile(readFileSync(join(dir, 'output.txt'), 'utf8'))
        expect(Object.values(outputs).join('')).not.toMatch(UNSAFE)
        expect(JSON.parse(outputs.images ?? '')).toHaveLength(Number(outputs.total))
      }),
      { numRuns: 15 },
    )
  })

  it('the CLI: no command, nothing unsafe on stdout or stderr', async () => {
    await fc.assert(
      fc.asyncProperty(workspace, async (files) => {
        const ws = writeWorkspace(files)
        let out = ''
        let err = ''
        const code = await runCli({
          argv: ['--mode', 'plan', 'k8s'],
          env: {},
          cwd: ws,
          stdout: (t) => {
            out += t
          },
          stderr: (t) => {
            err += t
          },
          readStdin: async () => '',
        })
        expect(code).toBe(2)
        expect(commandsIn(out)).toEqual([])
        expect(commandsIn(err)).toEqual([])
        expect(out + err).not.toMatch(unsafeBut('\n'))
      }),
      { numRuns: 15 },
    )
  })
})
