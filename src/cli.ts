// The CLI (dist/cli.js, `zot-warm`): the same pipeline as the action, configured from flags, then
// ZOT_WARM_<NAME>, then the seed CronJob's ZOT_* variables. Logs go to stderr, the table to stdout.
// Exit codes: 0 all good, 1 hard failure (bad input/config, Zot unreachable, credentials rejected),
// 2 images failed (or invalid/unresolved/not attempted) in strict mode.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { ConfigError, describeError } from './errors.js'
import { parseReference } from './extract/reference.js'
import { cliValue, type ParsedArgv, parseArgv } from './inputs/argv.js'
import { type Config, parseConfig } from './inputs/config.js'
import { type ConfigSearch, configSearch, LOCAL_CONFIG, SYSTEM_CONFIG } from './inputs/config-file.js'
import { redact, redactDeep } from './inputs/redact.js'
import { INPUTS } from './inputs/spec.js'
import { type Logger, runPipeline } from './pipeline.js'
import { planAnnotations } from './report/annotations.js'
import { logText, oneLine } from './report/escape.js'
import { decideOutcome, EXIT_HARD, EXIT_OK } from './report/outcome.js'
import { buildReport, reportJson, TOOL_VERSION } from './report/report.js'
import { renderProblems, renderTable } from './report/table.js'

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
    '(e.g. nginx:1.27), or - to read manifests from stdin.',
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
  for (const spec of INPUTS) {
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

export async function runCli(rawIo: CliIo): Promise<number> {
  // The terminal's writers: file names and values may hold escape sequences, line breaks or `::error::`
  // (the CLI may itself run inside a workflow step): every human line is escaped here, JSON by safeJson.
  const io: CliIo = {
    ...rawIo,
    stdout: (text) => rawIo.stdout(logText(text)),
    stderr: (text) => rawIo.stderr(logText(text)),
  }
  let argv: ParsedArgv
  try {
    argv = parseArgv(io.argv)
  } catch (err) {
    io.stderr(`zot-warm: ${describeError(err)}\nRun zot-warm --help for the options.\n`)
    return EXIT_HARD
  }
  if (argv.help) {
    io.stdout(usage())
    return EXIT_OK
  }
  if (argv.version) {
    io.stdout(`${TOOL_VERSION}\n`)
    return EXIT_OK
  }
  const get = (name: string) => cliValue(argv, io.env, name)
  const positionals = argv.positionals

  // Positionals: `-` is stdin, an existing path or a glob is scanned, anything that parses as an image
  // reference is warmed as one, the rest is passed on as a path (extract reports it when nothing matches).
  const workspace = resolve(io.cwd, get('workspace') || io.cwd)
  const extraPaths: string[] = []
  const extraImages: string[] = []
  let wantStdin = false
  for (const arg of positionals) {
    if (arg === '-') wantStdin = true
    else if (looksLikePath(arg, workspace)) extraPaths.push(toWorkspacePath(arg, workspace))
    else extraImages.push(arg)
  }
  const merged = (name: 'paths' | 'images', extra: string[]) => {
    const base = get(name)
    return [base, ...extra].filter(Boolean).join('\n') || undefined
  }

  let config: Config
  let secrets: string[]
  try {
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
    config = parsed.config
    secrets = parsed.secrets
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`zot-warm: invalid configuration:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`)
      return EXIT_HARD
    }
    io.stderr(`zot-warm: ${describeError(err)}\n`)
    return EXIT_HARD
  }
  // `zot-warm nginx:1.27` means that image, not "that image and whatever the directory holds": image
  // references alone switch the default scan off (stdin already does).
  if (config.paths.length === 0 && extraImages.length > 0) config.scan = false
  const stdin = wantStdin ? await io.readStdin() : undefined

  const quiet = argv.quiet
  const color = (code: string, text: string) => (io.tty ? `\u001b[${code}m${text}\u001b[0m` : text)
  /** A line on stderr after an optional label of ours (coloured after escaping, so colours survive). */
  const err = (text: string, label = '') => rawIo.stderr(`${label}${logText(redact(text, secrets))}\n`)
  const logger: Logger = {
    info: (m) => !quiet && err(m),
    warning: (m) => err(m, `${color('33', 'warning:')} `),
    debug: (m) => io.env.ZOT_WARM_DEBUG && err(`debug: ${m}`),
    group: async (name, fn) => {
      if (!quiet) err(name, `${color('1', '==>')} `)
      return fn()
    },
    progress: (m) => !quiet && err(m),
  }

  const controller = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT_HARD)
    err(`Received ${signal}: stopping; unfinished images are reported as not attempted.`)
    controller.abort(`cancelled by ${signal}`)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let run: Awaited<ReturnType<typeof runPipeline>>
  try {
    run = await runPipeline(config, {
      logger,
      signal: controller.signal,
      ...(stdin !== undefined ? { stdin } : {}),
      // The rewritten stream is data for the next command, written as it is (never redacted or escaped).
      stdout: rawIo.stdout,
      userAgent: `zot-warm/${TOOL_VERSION} (cli)`,
    })
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`zot-warm: invalid configuration:\n${e.problems.map((p) => `  - ${p}`).join('\n')}`)
      return EXIT_HARD
    }
    if (io.env.ZOT_WARM_DEBUG) err((e as Error)?.stack ?? String(e))
    err(`zot-warm: internal error: ${describeError(e)}`)
    return EXIT_HARD
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }

  run = redactDeep(run, secrets)
  const outcome = decideOutcome(run)
  const report = buildReport(run, outcome)
  const stdoutTaken = config.report === '-' || config.rewrite?.output === '-'
  const tableOut = stdoutTaken ? err : (t: string) => io.stdout(`${redact(t, secrets)}\n`)
  if (run.results.length) tableOut(renderTable(run.results, run.mode))
  const problems = renderProblems(run.results)
  if (problems) err(`\n${problems}`)
  // Compiler-style lines, so editors and terminals can jump to them.
  if (!run.hardFailure) {
    for (const a of planAnnotations(run, { limit: Number.MAX_SAFE_INTEGER })) {
      err(`${a.where ? `${a.where}: ` : ''}${a.level}: ${oneLine(a.message, 2000)}`)
    }
  }
  if (config.report === '-') rawIo.stdout(reportJson(report))
  else if (config.report) {
    try {
      mkdirSync(dirname(config.report), { recursive: true })
      writeFileSync(config.report, reportJson(report))
      if (!quiet) err(`JSON report: ${config.report}`)
    } catch (e) {
      err(`zot-warm: could not write the report to ${config.report}: ${describeError(e)}`)
      return EXIT_HARD
    }
  }
  const label =
    outcome.conclusion === 'success'
      ? color('32', 'ok')
      : outcome.exitCode
        ? color('31', 'FAILED')
        : color('33', 'warning')
  err(outcome.reason, `zot-warm: ${label}: `)
  return outcome.exitCode
}

function looksLikePath(arg: string, workspace: string): boolean {
  if (arg.startsWith('!') || /[*?[\]{}]/.test(arg)) return true
  if (arg.startsWith('./') || arg.startsWith('../') || isAbsolute(arg) || arg.endsWith('/')) return true
  if (existsSync(resolve(workspace, arg))) return true
  // `deploy.yaml` parses as an image name; a file extension without tag or digest means a file.
  if (/\.(ya?ml|json|txt|list|lst)$/i.test(arg) && !arg.includes('@')) return true
  try {
    parseReference(arg)
    return false
  } catch {
    return true
  }
}

function toWorkspacePath(arg: string, workspace: string): string {
  if (!isAbsolute(arg)) return arg
  const rel = relative(workspace, arg)
  return rel.startsWith('..') ? arg : rel || '.'
}

// Run as dist/cli.js or lib/cli.js; imported by the tests (as cli.ts), do nothing.
if (import.meta.url.endsWith('/cli.js')) {
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
  process.exitCode = code
  setTimeout(() => process.exit(code), 2000).unref()
}
