// Runs the bundled action (dist/index.js) or CLI (dist/cli.js) the way a runner does: a fresh process with
// INPUT_* variables, the GITHUB_* (and FORGEJO_*) context, and files for GITHUB_OUTPUT / GITHUB_STEP_SUMMARY;
// workflow commands are read back from stdout.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { ensureNode24 } from '../../scripts/ensure-node24.mjs'
import { tempDir } from './temp.js'

export const ROOT = resolve(import.meta.dirname, '../..')
export const HEAD_SHA = '1111111111111111111111111111111111111111'
export const MERGE_SHA = '3333333333333333333333333333333333333333'

export interface Runtime {
  name: string
  node: string
  major: number
}

/** Node 20 (this process) and Node 24 (ZOT_WARM_NODE24, or installed once into the per-user cache). */
export function runtimes(): Runtime[] {
  let node24: string
  try {
    node24 = ensureNode24()
  } catch (err) {
    node24 = `(unavailable: ${(err as Error).message})`
  }
  return [
    { name: 'node20', node: process.execPath, major: 20 },
    { name: 'node24', node: node24, major: 24 },
  ]
}

export function checkRuntime(rt: Runtime): void {
  if (!existsSync(rt.node))
    throw new Error(
      `${rt.name}: no Node binary at ${rt.node}. Set ZOT_WARM_NODE24 to a Node 24 binary (the action runs on node24).`,
    )
  const v = spawnSync(rt.node, ['--version'], { encoding: 'utf8' })
  const major = Number(/^v(\d+)\./.exec(v.stdout ?? '')?.[1])
  if (major !== rt.major)
    throw new Error(`${rt.name}: ${rt.node} is ${v.stdout || v.stderr}, expected Node ${rt.major}`)
}

/** The action's runtime (action.yml: node24); fails clearly when the binary is missing. */
export function node24(): string {
  const rt = runtimes().find((r) => r.major === 24)
  if (!rt) throw new Error('no Node 24 runtime configured')
  checkRuntime(rt)
  return rt.node
}

export function checkDist(): void {
  for (const f of ['dist/index.js', 'dist/cli.js'])
    if (!existsSync(join(ROOT, f)))
      throw new Error(`${f} is missing: run npm run package (the tests run the committed bundle)`)
}

export interface Command {
  command: string
  props: Record<string, string>
  message: string
  /** Read in the legacy `##[name]` form. */
  legacy?: boolean
}

export interface RunOutcome {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Workflow commands (`::name props::message`) in stdout order. */
  commands: Command[]
  outputs: Record<string, string>
  /** GITHUB_OUTPUT as written. */
  outputsRaw: string
  summary: string
  /** The JSON report, when the run wrote one at the configured path. */
  report?: unknown
  reportText?: string
  dir: string
}

export interface RunOptions {
  node: string
  /** A bundle of this repository, or an absolute path (a copy of dist/ elsewhere). */
  script: 'dist/index.js' | 'dist/cli.js' | (string & {})
  /** Action inputs by name (→ INPUT_<NAME>, kept kebab-case as the runner does). */
  inputs?: Record<string, string>
  env?: Record<string, string>
  args?: string[]
  stdin?: string
  cwd?: string
  /** Path where the report is expected (read back after the run). */
  reportPath?: string
  /** Called with the child and the stdout seen so far, on each chunk (e.g. to send a signal). */
  onStdout?: (text: string, child: import('node:child_process').ChildProcess) => void
  timeoutMs?: number
}

/** The environment GitHub's runner gives a step (paths point into a fresh temp dir). */
export function githubEnv(
  dir: string,
  workspace: string,
  event: 'pull_request' | 'push' = 'pull_request',
): Record<string, string> {
  const eventPath = join(dir, 'event.json')
  writeFileSync(eventPath, readFileSync(join(ROOT, '__tests__', 'fixtures', 'event_pull_request.json')))
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'acme/shop-deploy',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_SHA: MERGE_SHA,
    GITHUB_REF: 'refs/pull/42/merge',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKFLOW: 'Deploy',
    GITHUB_JOB: 'deploy',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_STEP_SUMMARY: join(dir, 'step_summary.md'),
    GITHUB_OUTPUT: join(dir, 'output.txt'),
    GITHUB_ENV: join(dir, 'env.txt'),
    GITHUB_STATE: join(dir, 'state.txt'),
    GITHUB_PATH: join(dir, 'path.txt'),
    RUNNER_TEMP: join(dir, 'runner_temp'),
    RUNNER_OS: 'Linux',
  }
}

/** The Forgejo runner's environment: every GITHUB_* also as FORGEJO_*, FORGEJO_ACTIONS=true, API under /api/v1. */
export function forgejoEnv(dir: string, workspace: string): Record<string, string> {
  const gh = {
    ...githubEnv(dir, workspace),
    GITHUB_SERVER_URL: 'https://code.example.org',
    GITHUB_API_URL: 'https://code.example.org/api/v1',
  }
  const env: Record<string, string> = { ...gh, FORGEJO_ACTIONS: 'true', GITEA_ACTIONS: 'true' }
  for (const [k, v] of Object.entries(gh)) if (k.startsWith('GITHUB_')) env[`FORGEJO_${k.slice(7)}`] = v
  return env
}

export function newRunDir(): string {
  const dir = tempDir('zot-warm-run-')
  mkdirSync(join(dir, 'runner_temp'))
  for (const f of ['step_summary.md', 'output.txt', 'env.txt', 'state.txt', 'path.txt'])
    writeFileSync(join(dir, f), '')
  return dir
}

export async function runBundle(opts: RunOptions & { dir: string }): Promise<RunOutcome> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    // The CLI's configuration files: never the real ~/.config or /etc ones (a test sets these to its own).
    XDG_CONFIG_HOME: join(opts.dir, 'xdg-config'),
    // Node 24's compile cache (src/compile-cache.ts): the run's own, never the real ~/.cache.
    XDG_CACHE_HOME: join(opts.dir, 'xdg-cache'),
    ZOT_WARM_SYSTEM_CONFIG: join(opts.dir, 'system-config.yaml'),
    ...opts.env,
  }
  for (const [name, value] of Object.entries(opts.inputs ?? {})) env[`INPUT_${name.toUpperCase()}`] = value
  const script = isAbsolute(opts.script) ? opts.script : join(ROOT, opts.script)
  const child = spawn(opts.node, [script, ...(opts.args ?? [])], {
    cwd: opts.cwd ?? opts.env?.GITHUB_WORKSPACE ?? ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk
    opts.onStdout?.(stdout, child)
  })
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk
  })
  child.stdin.end(opts.stdin ?? '')
  const limit = opts.timeoutMs ?? 90_000
  const killer = setTimeout(() => child.kill('SIGKILL'), limit)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) =>
    child.on('close', (c, s) => res([c, s])),
  )
  clearTimeout(killer)
  if (signal === 'SIGKILL')
    throw new Error(`${opts.script} did not finish within ${limit} ms\n${stdout}\n${stderr}`)

  const read = (p: string | undefined) => (p && existsSync(p) ? readFileSync(p, 'utf8') : '')
  const reportText = opts.reportPath ? read(opts.reportPath) : ''
  return {
    code,
    signal,
    stdout,
    stderr,
    commands: parseCommands(stdout),
    outputs: parseOutputFile(read(env.GITHUB_OUTPUT)),
    outputsRaw: read(env.GITHUB_OUTPUT),
    summary: read(env.GITHUB_STEP_SUMMARY),
    ...(reportText ? { report: JSON.parse(reportText), reportText } : {}),
    dir: opts.dir,
  }
}

/** The commands GitHub's runner acts on (its command extensions, plus stop-commands). */
export const RUNNER_COMMANDS = new Set([
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'debug',
  'warning',
  'error',
  'notice',
  'group',
  'endgroup',
  'echo',
  'stop-commands',
])

/**
 * The workflow commands GitHub's runner would act on, read as it reads them (actions/runner
 * ActionCommand.TryParseV2 / TryParse): lines end at CR, LF or CRLF; `::name props::message` after
 * leading white space; the legacy `##[name props]message` anywhere in a line (`legacy: true`).
 * `::error file=a,line=1::msg` → { command: 'error', props: { file: 'a', line: '1' }, message: 'msg' }.
 */
export function parseCommands(stdout: string): Command[] {
  const out: Command[] = []
  for (const raw of stdout.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/^\s+/u, '')
    const close = line.startsWith('::') ? line.indexOf('::', 2) : -1
    if (close > 0) {
      const info = line.slice(2, close)
      const space = info.indexOf(' ')
      const name = space < 0 ? info : info.slice(0, space)
      if (RUNNER_COMMANDS.has(name)) {
        const props = space < 0 ? {} : parseProps(info.slice(space + 1), ',')
        out.push({ command: name, props, message: unescapeData(line.slice(close + 2)) })
        continue
      }
    }
    const start = raw.indexOf('##[')
    const end = start < 0 ? -1 : raw.indexOf(']', start)
    if (end < 0) continue
    const info = raw.slice(start + 3, end)
    const space = info.indexOf(' ')
    const name = space < 0 ? info : info.slice(0, space)
    if (!RUNNER_COMMANDS.has(name)) continue
    out.push({
      command: name,
      props: space < 0 ? {} : parseProps(info.slice(space + 1), ';'),
      message: unescapeData(raw.slice(end + 1)),
      legacy: true,
    })
  }
  return out
}

function parseProps(text: string, separator: string): Record<string, string> {
  const props: Record<string, string> = {}
  for (const kv of text.split(separator).filter(Boolean)) {
    const eq = kv.indexOf('=')
    if (eq > 0) props[kv.slice(0, eq).trim()] = unescapeProperty(kv.slice(eq + 1))
  }
  return props
}

function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function unescapeProperty(s: string): string {
  return unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',')
}

/** GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!m) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i] as string)
    out[m[1] as string] = value.join('\n')
  }
  return out
}

/** Where a secret shows up, ignoring the `::add-mask::` commands that register it with the runner. */
export function secretLeaks(run: RunOutcome, secrets: string[]): string[] {
  const places: Record<string, string> = {
    stdout: run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n'),
    stderr: run.stderr,
    summary: run.summary,
    outputs: run.outputsRaw,
    report: run.reportText ?? '',
  }
  const leaks: string[] = []
  for (const s of secrets)
    for (const [where, text] of Object.entries(places))
      if (text.includes(s)) leaks.push(`${where}: ${s.slice(0, 3)}…`)
  return leaks
}
