// The action: inputs from the runner, the shared pipeline, then log table, job summary, annotations, outputs
// and the JSON report. The only file that imports @actions/core.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import * as core from '@actions/core'
import { ConfigError, describeError } from './errors.js'
import { type Config, parseConfig } from './inputs/config.js'
import { redact, redactDeep } from './inputs/redact.js'
import { SECRET_INPUTS } from './inputs/spec.js'
import { type Logger, runPipeline } from './pipeline.js'
import { planAnnotations } from './report/annotations.js'
import { htmlText, isPlain, logLine, logText, printable } from './report/escape.js'
import { readRepoContext, repoPath } from './report/links.js'
import { countReferrers, countResults, decideOutcome, EXIT_HARD, type Outcome } from './report/outcome.js'
import { buildReport, imagesOutput, reportJson, TOOL_VERSION } from './report/report.js'
import { renderSummary } from './report/summary.js'
import { renderProblems, renderTable } from './report/table.js'
import { renderTextSummary } from './report/text-summary.js'
import type { RunResult } from './report/types.js'

const YELLOW = '\u001b[33m'
const RESET = '\u001b[0m'

/** Runs the action; returns the exit code (also set on process.exitCode). Never throws. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const secrets: string[] = []
  const sinks = runnerSinks(secrets)
  try {
    return await runAction(env, secrets, sinks)
  } catch (err) {
    // e.g. a runner without a GITHUB_OUTPUT file: one line, not a stack trace.
    sinks.logger.debug((err as Error)?.stack ?? String(err))
    sinks.annotate('error', `zot-warm: internal error: ${describeError(err)}`)
    return setExit(EXIT_HARD)
  }
}

type Level = 'error' | 'warning' | 'notice'

/**
 * What the action writes to the runner, each through one writer that redacts the secrets and escapes for
 * where it goes: a file name or a value from the pull request can hold line breaks, `::error …::` or escape
 * sequences, and must never become a workflow command, an annotation elsewhere or a mask.
 */
function runnerSinks(secrets: readonly string[]) {
  const clean = (text: string) => redact(text, secrets)
  const info = (text: string) => core.info(logText(clean(text)))
  // Coloured after escaping, so that our colours survive and nobody else's get through.
  const yellow = (text: string) => core.info(`${YELLOW}${logText(clean(text))}${RESET}`)
  const logger: Logger = {
    info,
    // Not core.warning: annotations are few per step and reserved for the images (see annotations.ts).
    warning: (m) => yellow(`Warning: ${m}`),
    debug: (m) => core.debug(logText(clean(m))),
    group: (name, fn) => core.group(logLine(clean(name)), fn),
    progress: info,
  }
  const annotate = (level: Level, message: string, props: core.AnnotationProperties = {}) => {
    const safe: core.AnnotationProperties = { ...props }
    if (props.title !== undefined) safe.title = logLine(clean(props.title))
    // planAnnotations never points at a path that needs escaping; should one come, name it instead.
    if (props.file !== undefined && !isPlain(props.file)) {
      delete safe.file
      delete safe.startLine
      delete safe.startColumn
      message = `${message} (in ${props.file})`
    }
    const text = logLine(clean(message))
    if (level === 'error') core.error(text, safe)
    else if (level === 'warning') core.warning(text, safe)
    else core.notice(text, safe)
  }
  const output = (name: string, value: string) => core.setOutput(name, printable(clean(value)))
  return { logger, yellow, annotate, output }
}

async function runAction(
  env: NodeJS.ProcessEnv,
  secrets: string[],
  sinks: ReturnType<typeof runnerSinks>,
): Promise<number> {
  const { logger, yellow, annotate } = sinks
  const mask = (value: string) => {
    if (!value || secrets.includes(value)) return
    secrets.push(value)
    core.setSecret(value)
  }
  // Secrets are masked the moment they are read, before anything could print them.
  const getInput = (name: string): string => {
    const value = core.getInput(name)
    if (SECRET_INPUTS.has(name) && value) {
      mask(value)
      for (const line of value.split(/\r?\n/)) if (line.trim().length >= 8) mask(line.trim())
    }
    return value
  }

  const forge = readRepoContext(env)?.forge ?? (env.FORGEJO_ACTIONS === 'true' ? 'forgejo' : 'github')
  let config: Config
  try {
    // Derived forms (the basic-auth value and header, PEM key lines) are masked the moment they exist.
    config = parseConfig(getInput, {
      workspace: env.GITHUB_WORKSPACE || process.cwd(),
      ...(env.RUNNER_TEMP
        ? {
            report: join(env.RUNNER_TEMP, 'zot-warm-report.json'),
            rewriteOutput: join(env.RUNNER_TEMP, 'zot-warm-rewritten'),
          }
        : {}),
      onSecret: mask,
    }).config
  } catch (err) {
    return await finishConfigError(err, sinks, secrets)
  }

  const controller = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal means "now": the runner follows SIGINT with SIGTERM/SIGKILL after a few seconds.
    if (controller.signal.aborted) process.exit(EXIT_HARD)
    yellow(`Received ${signal}: stopping; unfinished images are reported as not attempted.`)
    controller.abort(`cancelled by ${signal}`)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  let run: RunResult
  try {
    run = await runPipeline(config, {
      logger,
      signal: controller.signal,
      userAgent: `zot-warm/${TOOL_VERSION} (${forge} action)`,
    })
  } catch (err) {
    if (err instanceof ConfigError) return await finishConfigError(err, sinks, secrets)
    logger.debug((err as Error)?.stack ?? String(err))
    annotate('error', `zot-warm: internal error: ${describeError(err)}`)
    return setExit(EXIT_HARD)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }

  run = redactDeep(run, secrets)
  const outcome = decideOutcome(run)
  await publish(run, outcome, config, env, forge, sinks)

  if (outcome.exitCode !== 0) annotate('error', `zot-warm: ${outcome.reason}`)
  else if (outcome.conclusion === 'warning') annotate('warning', `zot-warm: ${outcome.reason}`)
  else logger.info(`zot-warm: ${outcome.reason}`)
  return setExit(outcome.exitCode)
}

async function publish(
  run: RunResult,
  outcome: Outcome,
  config: Config,
  env: NodeJS.ProcessEnv,
  forge: 'github' | 'forgejo',
  { logger, annotate, output }: ReturnType<typeof runnerSinks>,
): Promise<void> {
  // The table: Forgejo shows no summary page, so there it stays visible; GitHub gets it collapsed.
  const table = `${renderTable(run.results, run.mode)}\n${renderProblems(run.results)}`.trimEnd()
  if (forge === 'forgejo') logger.info(`\n${table}`)
  else await logger.group(`Results: ${outcome.reason}`, async () => logger.info(table))

  const report = buildReport(run, outcome)
  let reportPath: string | undefined
  if (config.report && config.report !== '-') {
    try {
      mkdirSync(dirname(config.report), { recursive: true })
      writeFileSync(config.report, reportJson(report))
      reportPath = config.report
      logger.info(`JSON report: ${reportPath}`)
    } catch (err) {
      logger.warning(`could not write the JSON report to ${config.report}: ${describeError(err)}`)
    }
  }

  const repo = readRepoContext(env)
  if (env.GITHUB_STEP_SUMMARY) {
    const where = {
      workspace: config.workspace,
      ...(repo ? { repo } : {}),
      ...(reportPath ? { reportPath } : {}),
    }
    const markup =
      forge === 'forgejo' ? renderTextSummary(run, outcome, where) : renderSummary(run, outcome, where)
    try {
      await core.summary.addRaw(markup, true).write()
    } catch (err) {
      logger.warning(`could not write the job summary: ${describeError(err)}`)
    }
  }

  const counts = countResults(run.results)
  for (const name of ['total', 'cached', 'warmed', 'failed', 'skipped', 'unresolved', 'invalid'] as const)
    output(name, String(counts[name]))
  const referrers = countReferrers(run.results)
  for (const name of ['signed', 'attested', 'sbom'] as const) output(name, String(referrers?.[name] ?? 0))
  const images = imagesOutput(run)
  output('images', images.json)
  if (images.shown < images.total)
    logger.warning(
      `the images output lists ${images.shown} of ${images.total} images (worst first), to stay under GitHub's 1 MB limit per output; ` +
        (reportPath
          ? `the JSON report (${reportPath}) has them all`
          : 'write the JSON report (report input) for all of them'),
    )
  output('report', reportPath ?? '')
  output('rewritten', run.rewrite?.written ? run.rewrite.output : '')

  if (run.hardFailure) return
  const annotations = planAnnotations(run, {
    reserve: {
      error: outcome.exitCode !== 0 ? 1 : 0,
      warning: outcome.exitCode === 0 && outcome.conclusion === 'warning' ? 1 : 0,
    },
    toRepoPath: (file) => (repo ? repoPath(repo, config.workspace, file) : file),
  })
  for (const a of annotations) {
    const props: core.AnnotationProperties = { title: `zot-warm: ${a.title}` }
    if (a.file) Object.assign(props, { file: a.file, startLine: a.line, startColumn: a.column })
    annotate(a.level, a.message, props)
  }
}

async function finishConfigError(
  err: unknown,
  { annotate }: ReturnType<typeof runnerSinks>,
  secrets: readonly string[],
): Promise<number> {
  if (!(err instanceof ConfigError)) {
    annotate('error', `zot-warm: ${describeError(err)}`)
    return setExit(EXIT_HARD)
  }
  const problems = err.problems.map((p) => redact(p, secrets))
  for (const p of problems) annotate('error', p, { title: 'zot-warm: configuration' })
  if (process.env.GITHUB_STEP_SUMMARY) {
    const items = problems.map((p) => `<li>${htmlText(p)}</li>`).join('\n')
    await core.summary
      .addRaw(`<h2>❌ zot-warm: invalid configuration</h2>\n<ul>\n${items}\n</ul>\n`, true)
      .write()
      .catch(() => undefined)
  }
  annotate(
    'error',
    `zot-warm: invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}, listed above)`,
  )
  return setExit(EXIT_HARD)
}

/** setFailed sets exit code 1; images failing in strict mode exit 2, like the CLI. */
function setExit(code: number): number {
  process.exitCode = code
  return code
}
