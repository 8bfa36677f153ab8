// Runs a child process and measures it: wall time from spawn to exit (Node start-up included) and,
// when asked, its peak resident set size and CPU time.
//
// Peak RSS / CPU: GNU time (`/usr/bin/time -f '%M %U %S'`) reports the kernel's rusage of the child after it
// exits (ru_maxrss, user and system time): exact, and nothing runs inside the child. Where GNU time is
// missing, a tiny preload (usage-probe.cjs via --require; node children only) writes process.resourceUsage()
// at 'exit' — the same kernel counters, read from inside. Polling /proc/PID/status VmHWM was rejected: the
// last poll can miss the peak of a process that ends quickly.
import { spawn } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const USAGE_PROBE = join(here, 'usage-probe.cjs')

function hasGnuTime() {
  try {
    accessSync('/usr/bin/time', constants.X_OK)
    return true
  } catch {
    return false
  }
}
export const gnuTime = hasGnuTime()

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, timeoutMs?: number, input?: string,
 *   usage?: 'time' | 'probe' | false }} [opts]
 * @returns {Promise<{ code: number | null, signal: string | null, stdout: string, stderr: string,
 *   wallMs: number, maxRssKb?: number, cpuSeconds?: number, usageMethod?: string }>}
 */
export function runProcess(cmd, args, opts = {}) {
  const timeoutMs = opts.timeoutMs ?? 120_000
  let mode = opts.usage ?? false
  if (mode === 'time' && !gnuTime) mode = 'probe'
  let tmp
  let file = cmd
  let argv = args
  const env = { ...process.env, ...opts.env }
  if (mode) {
    tmp = mkdtempSync(join(tmpdir(), 'zot-warm-bench-usage-'))
    if (mode === 'time') {
      file = '/usr/bin/time'
      argv = ['-f', '%M %U %S', '-o', join(tmp, 'usage'), cmd, ...args]
    } else {
      env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --require ${USAGE_PROBE}`.trim()
      env.ZOT_WARM_BENCH_USAGE_FILE = join(tmp, 'usage')
    }
  }
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(file, argv, { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    const out = []
    const err = []
    child.stdout.on('data', (c) => out.push(c))
    child.stderr.on('data', (c) => err.push(c))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${cmd} ${args.join(' ')} did not end within ${timeoutMs} ms`))
    }, timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6
      clearTimeout(timer)
      const result = {
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        wallMs,
      }
      if (tmp) {
        try {
          // GNU time may first write "Command exited with non-zero status N"; the figures are the last line.
          const text = readFileSync(join(tmp, 'usage'), 'utf8').trim().split('\n').pop() ?? ''
          const [kb, user, sys] = text.split(' ').map(Number)
          if (Number.isFinite(kb)) {
            result.maxRssKb = kb
            result.cpuSeconds = Number(((user ?? 0) + (sys ?? 0)).toFixed(2))
            result.usageMethod =
              mode === 'time' ? 'GNU time (rusage of the child)' : 'preload process.resourceUsage()'
          }
        } catch {
          // No file: the child died before writing it; the fields stay undefined and the caller reports that.
        }
        rmSync(tmp, { recursive: true, force: true })
      }
      resolve(result)
    })
    // A child that exits before reading its stdin (`--version`) closes the pipe first: not an error here.
    child.stdin.on('error', () => {})
    child.stdin.end(opts.input ?? '')
  })
}

/** CPU seconds (user + system) a running process has used so far; Linux /proc, else undefined. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields 14 and 15 of stat(5) (utime, stime) in clock ticks; Linux's USER_HZ is 100.
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return undefined
  }
}
