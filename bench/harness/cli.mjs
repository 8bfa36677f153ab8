// The product as a user runs it: the bundled CLI (dist/cli.js) and action (dist/index.js), each in a fresh
// `node` process so every figure includes Node start-up and loading the bundle.
//
// The bench runs a private copy of dist/ (.bench/dist), taken once at start: `npm run package` deletes and
// rewrites dist/, and a rebuild during a 10-minute bench must not turn runs into "module not found".
import { cpSync, existsSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { progress } from './log.mjs'
import { runProcess } from './proc.mjs'
import { ROOT } from './testbed.mjs'

const SNAPSHOT = join(ROOT, '.bench', 'dist')
export const CLI = join(SNAPSHOT, 'cli.js')
export const ACTION = join(SNAPSHOT, 'index.js')

let defaultConcurrency

/** The CLI's default concurrency, read from the snapshot's --help (what a run without the flag uses). */
export function cliDefaultConcurrency() {
  return defaultConcurrency
}

/**
 * Copies dist/ (or `from`, another build: the bench's --dist) to .bench/dist once it is complete and answers
 * `--version`. Returns why the CLI cannot be benchmarked, or undefined when it can.
 */
export async function snapshotDist(from = join(ROOT, 'dist')) {
  const dist = from
  const needed = ['cli.js', 'index.js', 'package.json']
  let why = 'dist/ does not exist (run `npm run package`)'
  rmSync(SNAPSHOT, { recursive: true, force: true })
  for (let attempt = 0; attempt < 20; attempt++) {
    if (needed.every((f) => existsSync(join(dist, f)))) {
      // A bundle written in the last second may still be growing.
      const youngest = Math.max(...needed.map((f) => statSync(join(dist, f)).mtimeMs))
      if (Date.now() - youngest > 1000) {
        rmSync(SNAPSHOT, { recursive: true, force: true })
        cpSync(dist, SNAPSHOT, { recursive: true })
        const r = await runProcess(process.execPath, [CLI, '--version'], { timeoutMs: 20_000 })
        if (r.code === 0) {
          const help = await runProcess(process.execPath, [CLI, '--help'], { timeoutMs: 20_000 })
          const m = /--concurrency N\s*\n.*\(default: (\d+)\)/.exec(help.stdout)
          defaultConcurrency = m ? Number(m[1]) : undefined
          progress(
            `benchmarking a copy of dist/ (zot-warm ${r.stdout.trim()}, default concurrency ${defaultConcurrency}) in .bench/dist`,
          )
          return undefined
        }
        why = `dist/cli.js --version exits ${r.code}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`
      }
    } else if (!existsSync(dist)) return why
    else why = `dist/ lacks ${needed.filter((f) => !existsSync(join(dist, f))).join(', ')}`
    await sleep(3000)
  }
  return why
}

/**
 * Runs `node .bench/dist/cli.js ARGS`.
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, timeoutMs?: number, usage?: 'time' | 'probe' | false,
 *   node?: string }} [opts]
 */
export function runCli(args, opts = {}) {
  return runProcess(opts.node ?? process.execPath, [CLI, ...args], {
    env: { NO_COLOR: '1', ...opts.env },
    cwd: opts.cwd,
    timeoutMs: opts.timeoutMs ?? 600_000,
    usage: opts.usage,
  })
}
