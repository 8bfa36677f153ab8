// The limits the README states, through the bundles: time limits past the maximum are configuration errors,
// input that was named or scanned and not read fails strict mode, a document past the parse bound is named
// and skipped while every other file is read, links leading out of the workspace are never followed, and the
// report is never written over a scanned manifest.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkDist, githubEnv, newRunDir, ROOT, runBundle } from '../__fixtures__/runner.js'

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
