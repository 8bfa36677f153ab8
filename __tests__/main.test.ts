// The action's run() in-process with the real @actions/core: INPUT_* in process.env, the runner's files in a
// temp dir, workflow commands captured from stdout. Plan mode and configuration errors need no Zot; the
// bundle against a real Zot is dist.int.test.ts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { run } from '../src/main.js'
import { captureProcess } from './support/in-process.js'
import { githubEnv, HEAD_SHA, newRunDir, parseCommands, parseOutputFile } from './support/runner.js'
import { tempDir } from './support/temp.js'

let ws: string
let dir: string
const captured = captureProcess()

beforeEach(() => {
  ws = tempDir('zot-warm-main-')
  mkdirSync(join(ws, 'k8s'))
  writeFileSync(
    join(ws, 'k8s', 'pod.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n    - name: bad\n      image: "Acme/UPPER:1"\n',
  )
  dir = newRunDir()
  for (const [k, v] of Object.entries(githubEnv(dir, ws))) process.env[k] = v
})

function setInputs(inputs: Record<string, string>) {
  for (const [k, v] of Object.entries(inputs)) process.env[`INPUT_${k.toUpperCase()}`] = v
}

describe('action run()', () => {
  it('plan mode: outputs, report, summary and annotations; exit 2 for an invalid reference', async () => {
    setInputs({ mode: 'plan', 'registry-map': 'docker.io: docker-images', paths: 'k8s' })
    const code = await run()
    expect(code).toBe(2)
    expect(process.exitCode).toBe(2)
    const outputs = parseOutputFile(readFileSync(join(dir, 'output.txt'), 'utf8'))
    const reportPath = join(dir, 'runner_temp', 'zot-warm-report.json')
    expect(outputs).toMatchObject({ total: '2', invalid: '1', skipped: '1', failed: '0', report: reportPath })
    const report = JSON.parse(readFileSync(reportPath, 'utf8'))
    expect(report.images.map((i: { status: string }) => i.status).sort()).toEqual([
      'invalid',
      'not-attempted',
    ])

    const commands = parseCommands(captured.stdout())
    const errors = commands.filter((c) => c.command === 'error')
    expect(errors[0]?.props).toMatchObject({
      file: 'k8s/pod.yaml',
      line: '10',
      title: 'zot-warm: invalid image reference',
    })
    expect(errors.at(-1)?.message).toBe('zot-warm: 1 invalid reference')
    const summary = readFileSync(join(dir, 'step_summary.md'), 'utf8')
    expect(summary).toContain(`https://github.com/acme/shop-deploy/blob/${HEAD_SHA}/k8s/pod.yaml#L10`)
    expect(summary).toContain('mode <b>plan</b>')
  })

  it('configuration errors: exit 1, one error line per problem, secrets masked first', async () => {
    setInputs({
      mode: 'plan',
      username: 'ci',
      password: 'zak_s3cr3t-value',
      concurrency: 'many',
      paths: 'k8s',
    })
    const code = await run()
    expect(code).toBe(1)
    const lines = captured.stdout().split('\n')
    expect(lines[0]).toBe('::add-mask::zak_s3cr3t-value')
    const errors = parseCommands(captured.stdout()).filter((c) => c.command === 'error')
    expect(errors.map((e) => e.message)).toEqual([
      'concurrency: "many" must be a whole number from 1 to 64.',
      'zot-warm: invalid configuration (1 problem, listed above)',
    ])
    const b64 = Buffer.from('ci:zak_s3cr3t-value').toString('base64')
    expect(lines).toContain(`::add-mask::${b64}`)
    expect(
      captured
        .stdout()
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ).not.toContain('zak_s3cr3t')
  })

  it('soft mode: warning annotations and exit 0', async () => {
    setInputs({ mode: 'plan', strict: 'false', paths: 'k8s' })
    expect(await run()).toBe(0)
    const commands = parseCommands(captured.stdout())
    expect(commands.filter((c) => c.command === 'error')).toEqual([])
    expect(commands.filter((c) => c.command === 'warning').map((c) => c.props.line)).toEqual([
      '10',
      undefined,
    ])
  })

  it('no summary file (local run): still writes outputs and exits by the outcome', async () => {
    delete process.env.GITHUB_STEP_SUMMARY
    setInputs({ mode: 'plan', paths: 'k8s/pod.yaml', 'fail-on-unresolved': 'false', strict: 'true' })
    expect(await run()).toBe(2)
    expect(parseOutputFile(readFileSync(join(dir, 'output.txt'), 'utf8')).total).toBe('2')
  })
})

describe('action run(): the environment it is given', () => {
  it('a Gitea runner (GITEA_ACTIONS only, no repository context) gets the Forgejo log and summary', async () => {
    setInputs({ mode: 'plan', paths: 'k8s' })
    delete process.env.GITHUB_REPOSITORY
    process.env.GITEA_ACTIONS = 'true'
    expect(await run()).toBe(2)
    // The table in the log itself (GitHub collapses it into a group), and a Markdown summary.
    expect(captured.stdout()).not.toContain('::group::Results')
    expect(captured.stdout()).toMatch(/\n\nSTATUS +IMAGE/)
    expect(readFileSync(join(dir, 'step_summary.md'), 'utf8')).toMatch(/^## ❌ zot-warm: failed: /)
  })

  it('decides from the env passed in, not process.env', async () => {
    setInputs({ mode: 'plan', concurrency: 'many', paths: 'k8s' })
    const env = { ...process.env }
    delete env.GITHUB_STEP_SUMMARY
    expect(await run(env)).toBe(1)
    // process.env still names a summary file; the env given has none, so nothing is written there.
    expect(readFileSync(join(dir, 'step_summary.md'), 'utf8')).toBe('')
    // The same with the summary file in the env given: the problems are listed there.
    expect(await run()).toBe(1)
    expect(readFileSync(join(dir, 'step_summary.md'), 'utf8')).toContain('invalid configuration')
  })
})

describe('action run() on a broken runner', () => {
  it('a missing GITHUB_OUTPUT file is one error line and exit 1, not a stack trace', async () => {
    setInputs({ mode: 'plan', paths: 'k8s' })
    process.env.GITHUB_OUTPUT = join(dir, 'no-such-dir', 'output.txt')
    const code = await run()
    expect(code).toBe(1)
    const errors = parseCommands(captured.stdout()).filter((c) => c.command === 'error')
    expect(errors.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/^zot-warm: internal error: .*no-such-dir/),
    )
    expect(captured.stdout()).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/)
  })
})
