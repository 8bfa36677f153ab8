// Hostile text through the committed bundles, run as a runner runs them (Node 20 and 24): file names and
// image values from a pull request, and a Zot whose version string carries workflow commands. Nothing may
// become a workflow command, a mask, an annotation elsewhere, markup in the summary, or an unbounded echo.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FaultRelay, startFaultRelay } from './support/fault-relay.js'
import { htmlShape, MARKDOWN_TAGS, renderMarkdown, SUMMARY_TAGS } from './support/markup.js'
import {
  checkDist,
  checkRuntime,
  forgejoEnv,
  githubEnv,
  newRunDir,
  parseCommands,
  type RunOutcome,
  runBundle,
  runtimes,
} from './support/runner.js'
import { tempDir } from './support/temp.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u
const UNSAFE_BUT_LF = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u
/** The action's own colours (warnings in yellow) are the only escape sequences it may print. */
const withoutOwnColours = (text: string) => text.replaceAll('\u001b[33m', '').replaceAll('\u001b[0m', '')

const pod = (name: string, image: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n    - name: c\n      image: ${JSON.stringify(image)}\n`

// Each file is named or filled by a pull request author; each value is printed somewhere.
const HOSTILE_FILES: [string, string][] = [
  ['x/inj\n::error file=README.md,line=1::PWNED\n.yaml', 'Bad/Name:1'],
  ['cr.yaml', 'x\r::error file=README.md,line=1::PWNED'],
  ['lf.yaml', 'y\n::add-mask::library/nginx'],
  ['::warning file=README.md::lead.yaml', 'Bad/Name:2'],
  ['\u00a0 ::error file=README.md::blank.yaml', 'Bad/Name:3'],
  ['legacy ##[error]x.yaml', 'x##[add-mask]library/nginx'],
  ['esc.yaml', '\u001b[2J\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\'],
  ['bidi\u202e.yaml', 'nginx\u202e:1.27\u2066'],
  ['summary.yaml', 'z\r\r![x](https://evil.example/x.png)\r\r<img src=https://evil.example/y.png>'],
  ['label\r\r![x](z.png).yaml', 'Bad/Name:4'],
  ['fence.yaml', 'a\r```\r![x](https://evil.example/f.png)'],
]

let workspace: string

beforeAll(() => {
  checkDist()
  for (const rt of runtimes()) checkRuntime(rt)
  workspace = tempDir('zot-warm-hostile-')
  HOSTILE_FILES.forEach(([file, image], i) => {
    const path = join(workspace, 'k8s', file)
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, pod(`p${i}`, image))
  })
})

/** Commands and text a runner would act on that the tool did not mean to write. */
function expectInertLog(run: RunOutcome): void {
  const commands = parseCommands(run.stdout)
  expect(commands.filter((c) => c.legacy)).toEqual([])
  expect(commands.filter((c) => c.command === 'add-mask' || c.command === 'stop-commands')).toEqual([])
  expect(commands.filter((c) => c.props.file === 'README.md')).toEqual([])
  for (const c of commands.filter((c) => ['error', 'warning', 'notice'].includes(c.command))) {
    // Every annotation is ours, and shows no raw control or bidi character in its message or properties.
    expect(c.props.title ?? c.message).toMatch(/^zot-warm: /)
    expect(`${c.message} ${c.props.title ?? ''} ${c.props.file ?? ''}`).not.toMatch(UNSAFE)
  }
  expect(withoutOwnColours(run.stdout)).not.toMatch(UNSAFE_BUT_LF)
  expect(run.stderr).not.toMatch(UNSAFE_BUT_LF)
}

describe.each(runtimes())('$name', (rt) => {
  const action = (env: Record<string, string>, inputs: Record<string, string>, dir: string) =>
    runBundle({
      node: rt.node,
      script: 'dist/index.js',
      dir,
      inputs,
      env,
      reportPath: join(dir, 'runner_temp', 'zot-warm-report.json'),
    })

  it('GitHub: file names and values become no workflow command, no markup, no unsafe output', async () => {
    const dir = newRunDir()
    const run = await action(githubEnv(dir, workspace), { mode: 'plan', paths: 'k8s' }, dir)
    expect(run.code, run.stdout).toBe(2)
    expectInertLog(run)

    const shape = htmlShape(run.summary, SUMMARY_TAGS)
    expect(shape.problems).toEqual([])
    for (const href of shape.hrefs) expect(href).toMatch(/^https:\/\/github\.com\/acme\/shop-deploy\/blob\//)
    // One block of HTML that Markdown leaves as it is: nothing in it was read as Markdown.
    expect(renderMarkdown(run.summary)).toBe(run.summary.replace(/\n+$/, '\n'))
    expect(shape.tags).not.toContain('img')

    expect(run.outputsRaw).not.toMatch(UNSAFE_BUT_LF)
    const images = JSON.parse(run.outputs.images ?? '') as { reference: string }[]
    // The report and the output keep the values exactly (as JSON escapes).
    const report = run.report as { images: { reference: string; sources: { file: string }[] }[] }
    for (const [file, image] of HOSTILE_FILES) {
      expect(images.map((i) => i.reference)).toContain(image)
      expect(report.images.flatMap((i) => i.sources.map((s) => s.file))).toContain(`k8s/${file}`)
    }
    expect(run.reportText).not.toMatch(UNSAFE_BUT_LF)
  })

  it('Forgejo: the Markdown summary renders only our elements and links', async () => {
    const dir = newRunDir()
    const run = await action(forgejoEnv(dir, workspace), { mode: 'plan', paths: 'k8s' }, dir)
    expect(run.code, run.stdout).toBe(2)
    expectInertLog(run)
    // The Forgejo runner prints the summary file into the log.
    expect(parseCommands(run.summary)).toEqual([])
    const shape = htmlShape(renderMarkdown(run.summary), MARKDOWN_TAGS)
    expect(shape.problems).toEqual([])
    expect(shape.tags.filter((t) => t === 'pre')).toHaveLength(1)
    for (const href of shape.hrefs)
      expect(href).toMatch(/^https:\/\/code\.example\.org\/acme\/shop-deploy\/src\/commit\//)
  })

  it('CLI: nothing on stdout or stderr that a terminal or a runner would act on', async () => {
    for (const args of [
      ['--mode', 'plan', 'k8s'],
      ['--mode', 'plan', '--report', '-', 'k8s'],
    ]) {
      const dir = newRunDir()
      const run = await runBundle({ node: rt.node, script: 'dist/cli.js', dir, args, cwd: workspace })
      expect(run.code, run.stderr).toBe(2)
      expect(parseCommands(run.stdout)).toEqual([])
      expect(parseCommands(run.stderr)).toEqual([])
      expect(run.stdout).not.toMatch(UNSAFE_BUT_LF)
      expect(run.stderr).not.toMatch(UNSAFE_BUT_LF)
      if (args.includes('-')) expect(JSON.parse(run.stdout).images).toHaveLength(HOSTILE_FILES.length)
    }
  })
})

describe('unbounded echo', () => {
  let big: string
  const SIZE = 8 * 1024 * 1024
  const HUGE = `REGISTRY.EXAMPLE/${'A'.repeat(SIZE)}:1`
  beforeAll(() => {
    big = tempDir('zot-warm-big-')
    mkdirSync(join(big, 'k8s'))
    // One invalid reference of 8 MiB (upper case), and 10,000 ordinary ones in a plain list.
    writeFileSync(join(big, 'k8s', 'huge.yaml'), pod('huge', HUGE))
    const list = Array.from(
      { length: 10_000 },
      (_, i) => `registry.example.com/team-${i}/service-${i}:1.2.${i}`,
    )
    writeFileSync(join(big, 'images.txt'), `${list.join('\n')}\n`)
  })

  it('action: a huge invalid reference is cut everywhere, and the images output stays under 1 MB', async () => {
    const [rt] = runtimes()
    if (!rt) throw new Error('no runtime')
    const dir = newRunDir()
    const run = await runBundle({
      node: rt.node,
      script: 'dist/index.js',
      dir,
      inputs: { mode: 'plan', paths: 'k8s\nimages.txt' },
      env: githubEnv(dir, big),
      reportPath: join(dir, 'runner_temp', 'zot-warm-report.json'),
      timeoutMs: 120_000,
    })
    expect(run.code, run.stdout.slice(0, 2000)).toBe(2)
    // 10,001 images: the log, the summary and the report grow with the count, never with the 8 MiB value.
    expect(run.stdout.length).toBeLessThan(3 * 1024 * 1024)
    expect(run.stdout).toContain(`…[${HUGE.length} characters]…`)
    expect(Buffer.byteLength(run.outputs.images ?? '')).toBeLessThan(1_000_000)
    const listed = JSON.parse(run.outputs.images ?? '') as { reference: string; status: string }[]
    expect(listed.length).toBeLessThan(10_001)
    expect(listed.filter((i) => i.status === 'invalid')).toHaveLength(1)
    expect(run.stdout).toMatch(
      /the images output lists \d+ of 10001 images \(worst first\), to stay under GitHub's 1 MB limit per output; the JSON report \(.*zot-warm-report\.json\) has them all/,
    )
    const report = run.report as { images: { reference: string; status: string }[] }
    expect(report.images).toHaveLength(10_001)
    const huge = report.images.find((i) => i.status === 'invalid')
    expect(huge?.reference).toMatch(
      new RegExp(`^REGISTRY\\.EXAMPLE/A+…\\[${HUGE.length} characters\\]…A*:1$`),
    )
    expect(huge?.reference.length).toBeLessThanOrEqual(1024)
    expect(run.reportText?.length).toBeLessThan(8 * 1024 * 1024)
  })

  it('CLI: stderr stays small, also with -q', async () => {
    const [rt] = runtimes()
    if (!rt) throw new Error('no runtime')
    for (const quiet of [[], ['-q']]) {
      const run = await runBundle({
        node: rt.node,
        script: 'dist/cli.js',
        dir: newRunDir(),
        args: ['--mode', 'plan', ...quiet, 'k8s'],
        cwd: big,
        timeoutMs: 120_000,
      })
      expect(run.code).toBe(2)
      expect(run.stderr.length).toBeLessThan(20_000)
      expect(run.stdout.length).toBeLessThan(20_000)
      expect(run.stderr).toContain(`…[${HUGE.length} characters]…`)
    }
  })
})

describe("Zot's version string", () => {
  let zot: ZotServer
  let relay: FaultRelay
  beforeAll(async () => {
    zot = await startZot({ name: 'cache' })
    relay = await startFaultRelay(zot.url)
    relay.inject({
      match: /^GET \/v2\/_zot\/ext\/mgmt/,
      fault: {
        kind: 'status',
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          distSpecVersion: '1.1.1',
          releaseTag: 'v2.1.20\r::error file=README.md,line=1::PWNED\n::add-mask::docker-images\u001b[2J',
          binaryType: '-sync-search',
          http: { auth: {} },
        }),
      },
    })
  })
  afterAll(async () => {
    await relay?.stop()
  })

  it('reaches the log, the summary and the report as text', async () => {
    const [rt] = runtimes()
    if (!rt) throw new Error('no runtime')
    const ws = tempDir('zot-warm-version-')
    writeFileSync(join(ws, 'pod.yaml'), pod('a', 'nginx:1.27'))
    const dir = newRunDir()
    const run = await runBundle({
      node: rt.node,
      script: 'dist/index.js',
      dir,
      inputs: { mode: 'check', 'zot-url': relay.url, paths: 'pod.yaml' },
      env: githubEnv(dir, ws),
      reportPath: join(dir, 'runner_temp', 'zot-warm-report.json'),
    })
    expect(relay.requests(/mgmt/).length).toBeGreaterThan(0)
    expectInertLog(run)
    expect(run.stdout).toContain(
      'version v2.1.20\\r::error file=README.md,line=1::PWNED\\n::add-mask::docker-images\\x1b[2J',
    )
    expect(htmlShape(run.summary, SUMMARY_TAGS).problems).toEqual([])
    expect(renderMarkdown(run.summary)).toBe(run.summary.replace(/\n+$/, '\n'))
    expect((run.report as { zot: { version: string } }).zot.version).toContain('\r::error')
  })
})
