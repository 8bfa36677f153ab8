// The CLI (dist/cli.js, `zot-warm`): the same pipeline as the action, configured from flags, then
// ZOT_WARM_<NAME>, then the seed CronJob's ZOT_* variables. Logs go to stderr, the table to stdout.
// Exit codes: 0 all good, 1 hard failure (bad input/config, Zot unreachable, credentials rejected),
// 2 images failed (or invalid/unresolved/not attempted) in strict mode.
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, resolve } from 'node:path'
import { describeError } from './errors.js'
import { toWorkspacePath } from './extract/boundary.js'
import { parseReference } from './extract/reference.js'
import { cliValue, type ParsedArgv, parseArgv } from './inputs/argv.js'
import { parseConfig } from './inputs/config.js'
import { type ConfigSearch, configSearch, LOCAL_CONFIG, SYSTEM_CONFIG } from './inputs/config-file.js'
import { redact } from './inputs/redact.js'
import { CLI_INPUTS } from './inputs/spec.js'
import type { Logger } from './logger.js'
import { planAnnotations } from './report/annotations.js'
import { logText, oneLine } from './report/escape.js'
import { EXIT_HARD, EXIT_OK } from './report/outcome.js'
import { reportJson, TOOL_VERSION } from './report/report.js'
import { renderProblems, renderTable } from './report/table.js'
import { exitWhenDone, type Finished, type RunInput, runShell } from './shell.js'

export interface CliIo {
  argv: string[]
  env: Record<string, string | undefined>
  cwd: string
  stdout: (text: string) => void
  stderr: (text: string) => void
  readStdin: () => Promise<string>
  /** Whether stderr is a terminal (colours). */
  tty?: boolean
  /** Where configuration files are looked for (tests); default: the current directory, XDG, home, /etc. */
  configSearch?: ConfigSearch
}

export function usage(): string {
  const lines = [
    'Usage: zot-warm [options] [PATH | GLOB | IMAGE | -]...',
    '',
    'Warm a Zot pull-through cache with every image referenced in rendered manifests.',
    'Positional arguments are files, directories or globs (relative to --workspace), image references',
    'with a tag or digest (e.g. nginx:1.27), or - to read manifests from stdin.',
    '',
    'Each option is also read from the environment as ZOT_WARM_<NAME> (e.g. ZOT_WARM_ZOT_URL) and from a',
    'configuration file whose keys are the option names (zot-url: https://zot.example.com). Precedence: flag,',
    `ZOT_WARM_<NAME>, the ZOT_* aliases, the configuration file, the default. The file is --config FILE, else the`,
    `first that exists of ./${LOCAL_CONFIG}, $XDG_CONFIG_HOME/zot-warm/config.yaml (~/.config when unset) and`,
    `${SYSTEM_CONFIG}; the log names the one read.`,
    'Boolean options: --strict, --no-strict, --strict=true|false; --soft is --no-strict.',
    '',
    'Options:',
  ]
  for (const spec of CLI_INPUTS) {
    const flag = spec.boolean ? `--[no-]${spec.name}` : `--${spec.name} ${spec.arg ?? 'VALUE'}`
    const dflt = spec.defaultText
      ? ` (default: ${spec.defaultText.replace(/`/g, '')})`
      : spec.default
        ? ` (default: ${spec.default})`
        : ''
    const aliases = spec.envAliases?.length ? ` [env also ${spec.envAliases.join(', ')}]` : ''
    lines.push(`  ${flag}`, ...wrap(`${spec.description.replace(/`/g, '')}${dflt}${aliases}`, 6, 100))
  }
  lines.push(
    '  --report -',
    '      Write the JSON report to stdout (the table then goes to stderr).',
    '  --soft            The same as --no-strict.',
    '  --rewrite-output -',
    '      Print the rewritten manifests read from - (stdin) on stdout (the table then goes to stderr),',
    '      e.g. helm template … | zot-warm --rewrite zot --rewrite-output - - | kubectl apply -f -',
    '  -q, --quiet       Only print the table and problems.',
    '  -h, --help        Show this help.',
    '  --version         Print the version.',
    '',
    'Exit codes: 0 all good; 1 bad configuration (also a path or glob that matches nothing), Zot unreachable,',
    '            credentials rejected, in every mode; 2 images failed, references invalid/unresolved or input',
    '            files unreadable, in strict mode.',
    'Prefer ZOT_WARM_PASSWORD (or ZOT_PASSWORD) over --password: arguments are visible to other processes.',
  )
  return `${lines.join('\n')}\n`
}

function wrap(text: string, indent: number, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(' '.repeat(indent) + line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(' '.repeat(indent) + line)
  return lines
}

export async function runCli(io: CliIo): Promise<number> {
  const terminal = new Terminal(io)
  let argv: ParsedArgv
  try {
    argv = parseArgv(io.argv)
  } catch (err) {
    terminal.line(`zot-warm: ${describeError(err)}\nRun zot-warm --help for the options.`)
    return EXIT_HARD
  }
  if (argv.help || argv.version) {
    terminal.out(argv.help ? usage() : `${TOOL_VERSION}\n`)
    return EXIT_OK
  }
  terminal.quiet = argv.quiet
  return runShell({
    secrets: terminal.secrets,
    logger: terminal.logger,
    userAgent: `zot-warm/${TOOL_VERSION} (cli)`,
    configure: () => configure(argv, io, terminal.secrets),
    stopping: (message) => terminal.line(message),
    configProblems: (problems) =>
      terminal.line(`zot-warm: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`),
    internalError: (err) => {
      if (io.env.ZOT_WARM_DEBUG) terminal.line((err as Error)?.stack ?? String(err))
      terminal.line(`zot-warm: internal error: ${describeError(err)}`)
    },
    publish: (finished) => terminal.publish(finished),
  })
}

/**
 * The run's configuration from the command line: flags, then ZOT_WARM_<NAME>, then the ZOT_* aliases, then
 * the configuration file, then the defaults. Positionals: `-` is stdin, an existing path or a glob is
 * scanned, anything that parses as an image reference is warmed as one, the rest is passed on as a path
 * (extraction reports it when nothing matches).
 */
async function configure(argv: ParsedArgv, io: CliIo, secrets: string[]): Promise<RunInput> {
  const get = (name: string) => cliValue(argv, io.env, name)
  const workspace = resolve(io.cwd, get('workspace') || io.cwd)
  const extraPaths: string[] = []
  const extraImages: string[] = []
  let wantStdin = false
  for (const arg of argv.positionals) {
    if (arg === '-') wantStdin = true
    else if (looksLikePath(arg, workspace)) extraPaths.push(asPathInput(arg, workspace))
    else extraImages.push(arg)
  }
  const merged = (name: 'paths' | 'images', extra: string[]) =>
    [get(name), ...extra].filter(Boolean).join('\n') || undefined

  const parsed = parseConfig(
    (name) =>
      name === 'paths'
        ? merged('paths', extraPaths)
        : name === 'images'
          ? merged('images', extraImages)
          : get(name),
    {
      workspace: io.cwd,
      cwd: io.cwd,
      configSearch: io.configSearch ?? configSearch(io.cwd, io.env, homedir),
    },
  )
  secrets.push(...parsed.secrets)
  const { config } = parsed
  // `zot-warm nginx:1.27` means that image, not "that image and whatever the directory holds": image
  // references alone switch the default scan off (stdin already does).
  if (config.paths.length === 0 && extraImages.length > 0) config.scan = false
  return {
    config,
    ...(wantStdin ? { stdin: await io.readStdin() } : {}),
    // The rewritten stream is data for the next command, written as it is (never redacted or escaped).
    stdout: io.stdout,
  }
}

/**
 * What the CLI shows: logs and problems on stderr, the table on stdout (on stderr when stdout carries the
 * JSON report or the rewritten manifests). Every line for a reader is escaped and redacted here; the file
 * names and values in it may hold escape sequences, line breaks or `::error::` (the CLI may itself run in a
 * workflow step).
 */
class Terminal {
  readonly secrets: string[] = []
  quiet = false
  readonly logger: Logger

  constructor(private readonly io: CliIo) {
    this.logger = {
      info: (m) => this.chatter(m),
      warning: (m) => this.line(m, `${this.color('33', 'warning:')} `),
      debug: (m) => {
        if (io.env.ZOT_WARM_DEBUG) this.line(`debug: ${m}`)
      },
      group: async (name, fn) => {
        if (!this.quiet) this.line(name, `${this.color('1', '==>')} `)
        return fn()
      },
      progress: (m) => this.chatter(m),
    }
  }

  /** A line on stderr after an optional label of ours (coloured after escaping, so colours survive). */
  line(text: string, label = ''): void {
    this.io.stderr(`${label}${logText(redact(text, this.secrets))}\n`)
  }

  /** Text for a reader on stdout. */
  out(text: string): void {
    this.io.stdout(logText(redact(text, this.secrets)))
  }

  async publish({ run, outcome, report, reportFile, config }: Finished): Promise<number> {
    const stdoutTaken = config.report === '-' || config.rewrite?.output === '-'
    if (run.results.length) {
      const table = renderTable(run.results, run.mode)
      if (stdoutTaken) this.line(table)
      else this.out(`${table}\n`)
    }
    const problems = renderProblems(run.results)
    if (problems) this.line(`\n${problems}`)
    // Compiler-style lines, so editors and terminals can jump to them.
    if (!run.hardFailure) {
      for (const a of planAnnotations(run, {
        limit: Number.MAX_SAFE_INTEGER,
        explainedIn: 'the problem list above',
      }))
        this.line(`${a.where ? `${a.where}: ` : ''}${a.level}: ${oneLine(a.message, 2000)}`)
    }
    if (config.report === '-') this.io.stdout(reportJson(report))
    if (reportFile?.error) {
      this.line(`zot-warm: could not write the report to ${reportFile.path}: ${reportFile.error}`)
      return EXIT_HARD
    }
    if (reportFile) this.chatter(`JSON report: ${reportFile.path}`)
    const label =
      outcome.conclusion === 'success'
        ? this.color('32', 'ok')
        : outcome.exitCode
          ? this.color('31', 'FAILED')
          : this.color('33', 'warning')
    this.line(outcome.reason, `zot-warm: ${label}: `)
    return outcome.exitCode
  }

  /** Lines `-q` leaves out. */
  private chatter(text: string): void {
    if (!this.quiet) this.line(text)
  }

  private color(code: string, text: string): string {
    return this.io.tty ? `\u001b[${code}m${text}\u001b[0m` : text
  }
}

function looksLikePath(arg: string, workspace: string): boolean {
  if (arg.startsWith('!') || /[*?[\]{}]/.test(arg)) return true
  if (arg.startsWith('./') || arg.startsWith('../') || isAbsolute(arg) || arg.endsWith('/')) return true
  if (existsSync(resolve(workspace, arg))) return true
  // `deploy.yaml` parses as an image name; a file extension without tag or digest means a file.
  if (/\.(ya?ml|json|txt|list|lst)$/i.test(arg) && !arg.includes('@')) return true
  // A name without tag or digest (`deplo`, `deploy/prod`) is a path with a typo as likely as an image
  // meant as `:latest`; as a path that does not exist it stops the run, as an image it would warm a
  // `library/deplo:latest` nobody asked for and let the deploy go on with nothing scanned.
  if (!arg.includes('@') && !arg.slice(arg.lastIndexOf('/') + 1).includes(':')) return true
  try {
    parseReference(arg)
    return false
  } catch {
    return true
  }
}

/** An absolute path inside the workspace is written relative to it, as `paths` are; anything else as given. */
function asPathInput(arg: string, workspace: string): string {
  if (!isAbsolute(arg)) return arg
  const rel = toWorkspacePath(workspace, arg)
  return rel === '..' || rel.startsWith('../') || isAbsolute(rel) ? arg : rel
}

/** The CLI as the `zot-warm` command runs it (src/bin.ts): the process's arguments, streams and exit code. */
export async function main(): Promise<void> {
  const code = await runCli({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readStdin: async () => {
      const chunks: Buffer[] = []
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    },
    tty: process.stderr.isTTY,
  })
  exitWhenDone(code)
}
