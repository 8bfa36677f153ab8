// Cancellation and the overall timeout reach extraction: the run's signal stops it between files and between
// documents, the event loop gets a turn while a large file is read (so a signal is seen at all), and a run
// that stopped before reading everything is never "ok": the notice says what was not read, strict exits 2.
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { type ExtractIo, extract } from '../src/extract/index.js'
import { nodeIo } from '../src/extract/io.js'
import { checkDist, githubEnv, newRunDir, ROOT, runBundle } from './support/runner.js'
import { tempDir } from './support/temp.js'

const root = tempDir('zot-warm-cancel-')

const pod = (i: number) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  containers:\n    - name: c\n      image: ghcr.io/acme/app-${i}:1\n`

/** A workspace of `n` one-Pod files f000.yaml … and, optionally, one large stream of `docs` Pods. */
function workspace(name: string, n: number, docs = 0): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `f${String(i).padStart(3, '0')}.yaml`), pod(i))
  if (docs) writeFileSync(join(dir, 'big.yaml'), Array.from({ length: docs }, (_, i) => pod(i)).join('---\n'))
  return dir
}

describe('extract() and the run signal', () => {
  it('stops between files: what was read is kept, what was not is named, and the reason given', async () => {
    const dir = workspace('between', 30)
    const controller = new AbortController()
    // The signal arrives when the 6th file is read (files are read a few ahead of the one extracted, so
    // fewer than 6 may have been extracted by then).
    const io: ExtractIo = {
      ...nodeIo,
      async readFile(p) {
        if (p.endsWith('f005.yaml')) controller.abort('cancelled by SIGINT')
        return nodeIo.readFile(p)
      },
    }
    const ex = await extract({ workspace: dir, paths: [], signal: controller.signal }, io)
    expect(ex.stopped).toBe('cancelled by SIGINT')
    // What was extracted is whole files, in order, all of them before the signal; the rest is named.
    const found = ex.images.map((i) => i.sources[0]?.file)
    const read = found.length
    expect(read).toBeLessThanOrEqual(5)
    expect(found).toEqual(Array.from({ length: read }, (_, i) => `f00${i}.yaml`))
    const stop = ex.notices.find((n) => n.message.startsWith('scan stopped'))
    expect(stop).toMatchObject({ level: 'error', file: '.' })
    const names = Array.from({ length: 10 }, (_, i) => `f${String(read + i).padStart(3, '0')}.yaml`)
    expect(stop?.message).toBe(
      `scan stopped (cancelled by SIGINT): ${30 - read} of 30 files not read: ${names.join(', ')} and ${20 - read} more`,
    )
  })

  it('stops between documents of one large file, naming where it stopped', async () => {
    const dir = workspace('within', 2, 20_000)
    const controller = new AbortController()
    setTimeout(() => controller.abort('overall timeout of 0.1s reached'), 100)
    const started = Date.now()
    const ex = await extract({ workspace: dir, paths: ['big.yaml', 'f000.yaml'], signal: controller.signal })
    const ms = Date.now() - started
    expect(ex.stopped).toBe('overall timeout of 0.1s reached')
    const stop = ex.notices.find((n) => n.message.startsWith('scan stopped'))?.message ?? ''
    const m =
      /while reading big\.yaml \(document (\d+) at line (\d+) and after not read\); 1 of 2 files not read: f000\.yaml$/.exec(
        stop,
      )
    expect(m, stop).not.toBeNull()
    const document = Number(m?.[1])
    expect(document).toBeGreaterThan(0)
    expect(document).toBeLessThan(20_000)
    // Every document before the cut was read, none after it.
    expect(ex.images).toHaveLength(document)
    // Each Pod is 8 lines, then a `---` line that opens the next document.
    expect(Number(m?.[2])).toBe(document * 9)
    // Reading all 20 000 documents takes seconds; the cut came soon after the signal.
    expect(ms).toBeLessThan(10_000)
  })

  it('a signal before the start reads nothing and says so', async () => {
    const dir = workspace('before', 3)
    const ex = await extract({ workspace: dir, paths: [], signal: AbortSignal.abort('cancelled by SIGTERM') })
    expect(ex.images).toEqual([])
    expect(ex.notices.at(-1)).toMatchObject({
      level: 'error',
      message: 'scan stopped (cancelled by SIGTERM) while listing the files: nothing was read',
    })
  })

  it('without a signal everything is read (the pace only gives the event loop turns)', async () => {
    const dir = workspace('all', 3, 3000)
    let turns = 0
    const timer = setInterval(() => turns++, 1)
    const ex = await extract({ workspace: dir, paths: [] })
    clearInterval(timer)
    expect(ex.stopped).toBeUndefined()
    expect(ex.images).toHaveLength(3000)
    expect(ex.notices).toEqual([])
    // The event loop ran while 3000 documents were read (timers fire only when it gets a turn).
    expect(turns).toBeGreaterThan(0)
  })
})

describe('the bundled CLI and action', () => {
  let dir: string
  beforeAll(() => {
    checkDist()
    // 60 000 documents (≈ 9 MB): several seconds of extraction on any machine.
    dir = workspace('bundle', 5, 60_000)
  })

  it('SIGINT during extraction stops it at once and the run fails (it used to scan on and exit 0 "ok")', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), '--mode', 'plan'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    let signalledAt = 0
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk
      if (!signalledAt && stderr.includes('==> Find image references')) {
        signalledAt = Date.now()
        setTimeout(() => child.kill('SIGINT'), 300)
      }
    })
    child.stdout.resume()
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)))
    clearTimeout(killer)
    const afterSignal = Date.now() - signalledAt - 300
    expect(code, stderr).toBe(2)
    expect(stderr).toMatch(
      /\.: error: scan stopped \(cancelled by SIGINT\) while reading big\.yaml \(document \d+ at line \d+ and after not read\); 5 of 6 files not read: f000\.yaml/,
    )
    expect(stderr).toContain('zot-warm: FAILED: 1 input problem, stopped early (cancelled by SIGINT)')
    // Generous: the cut comes within one document of the next turn of the event loop.
    expect(afterSignal).toBeLessThan(10_000)
  }, 100_000)

  it('--timeout ends extraction and fails the run', async () => {
    const started = Date.now()
    const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), '--mode', 'plan', '--timeout', '1s'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (c: string) => {
      stderr += c
    })
    child.stdout.resume()
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)))
    clearTimeout(killer)
    expect(code, stderr).toBe(2)
    expect(stderr).toContain('scan stopped (overall timeout of 1s reached) while reading big.yaml')
    expect(Date.now() - started).toBeLessThan(30_000)
  }, 100_000)

  it('the action: the timeout fails the step and the summary and report say what was not read', async () => {
    const run = newRunDir()
    const reportPath = join(run, 'runner_temp', 'zot-warm-report.json')
    const r = await runBundle({
      node: process.execPath,
      script: 'dist/index.js',
      dir: run,
      env: githubEnv(run, dir),
      inputs: { mode: 'plan', timeout: '1s' },
      reportPath,
    })
    expect(r.code, r.stdout).toBe(2)
    expect(r.summary).toContain('stopped early: overall timeout of 1s reached')
    const report = r.report as {
      outcome: { exitCode: number; reason: string }
      notices: { message: string }[]
    }
    expect(report.outcome).toMatchObject({ exitCode: 2 })
    expect(report.outcome.reason).toContain('stopped early (overall timeout of 1s reached)')
    expect(report.notices.map((n) => n.message).join('\n')).toMatch(
      /scan stopped \(overall timeout of 1s reached\) while reading big\.yaml \(document \d+ at line \d+ and after not read\); 5 of 6 files not read/,
    )
  }, 100_000)
})
