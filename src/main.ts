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
import { readRepoContext, repoPath } from './report/links.js'
import { countReferrers, countResults, decideOutcome, EXIT_HARD, type Outcome } from './report/outcome.js'
import { buildReport, imagesOutput, TOOL_VERSION } from './report/report.js'
import { esc, renderSummary } from './report/summary.js'
import { renderProblems, renderTable } from './report/table.js'
import { renderTextSummary } from './report/text-summary.js'
import type { RunResult } from './report/types.js'

const YELLOW = '\u001b[33m'
const RESET = '\u001b[0m'

/** Runs the action; returns the exit code (also set on process.exitCode). Never throws. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    return await runAction(env)
  } catch (err) {
    // e.g. a runner without a GITHUB_OUTPUT file: one line, not a stack trace (secrets are masked by now).
    core.debug((err as Error)?.stack ?? String(err))
    core.setFailed(`zot-warm: internal error: ${describeError(err)}`)
    return setExit(EXIT_HARD)
  }
}

async function runAction(env: NodeJS.ProcessEnv): Promise<number> {
  const secrets: string[] = []
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
    return await finishConfigError(err, secrets)
  }

  const controller = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal means "now": the runner follows SIGINT with SIGTERM/SIGKILL after a few seconds.
    if (controller.signal.aborted) process.exit(EXIT_HARD)
    core.info(
      `${YELLOW}Received ${signal}: stopping; unfinished images are reported as not attempted.${RESET}`,
    )
    controller.abort(`cancelled by ${signal}`)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const logger: Logger = {
    info: (m) => core.info(redact(m, secrets)),
    // Not core.warning: annotations are few per step and reserved for the images (see annotations.ts).
    warning: (m) => core.info(`${YELLOW}Warning: ${redact(m, secrets)}${RESET}`),
    debug: (m) => core.debug(redact(m, secrets)),
    group: (name, fn) => core.group(name, fn),
    progress: (m) => core.info(redact(m, secrets)),
  }

  let run: RunResult
  try {
    run = await runPipeline(config, {
      logger,
      signal: controller.signal,
      userAgent: `zot-warm/${TOOL_VERSION} (${forge} action)`,
    })
  } catch (err) {
    if (err instanceof ConfigError) return await finishConfigError(err, secrets)
    core.debug(redact((err as Error)?.stack ?? String(err), secrets))
    core.setFailed(redact(`zot-warm: internal error: ${describeError(err)}`, secrets))
    return setExit(EXIT_HARD)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }

  run = redactDeep(run, secrets)
  const outcome = decideOutcome(run)
  await publish(run, outcome, config, env, forge)

  if (outcome.exitCode !== 0) core.setFailed(`zot-warm: ${outcome.reason}`)
  else if (outcome.conclusion === 'warning') core.warning(`zot-warm: ${outcome.reason}`)
  else core.info(`zot-warm: ${outcome.reason}`)
  return setExit(outcome.exitCode)
}

async function publish(
  run: RunResult,
  outcome: Outcome,
  config: Config,
  env: NodeJS.ProcessEnv,
  forge: 'github' | 'forgejo',
): Promise<void> {
  // The table: Forgejo shows no summary page, so there it stays visible; GitHub gets it collapsed.
  const table = `${renderTable(run.results, run.mode)}\n${renderProblems(run.results)}`.trimEnd()
  if (forge === 'forgejo') core.info(`\n${table}`)
  else await core.group(`Results: ${outcome.reason}`, async () => core.info(table))

  const report = buildReport(run, outcome)
  let reportPath: string | undefined
  if (config.report && config.report !== '-') {
    try {
      mkdirSync(dirname(config.report), { recursive: true })
      writeFileSync(config.report, `${JSON.stringify(report, null, 2)}\n`)
      reportPath = config.report
      core.info(`JSON report: ${reportPath}`)
    } catch (err) {
      core.info(
        `${YELLOW}Warning: could not write the JSON report to ${config.report}: ${describeError(err)}${RESET}`,
      )
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
      core.info(`${YELLOW}Warning: could not write the job summary: ${describeError(err)}${RESET}`)
    }
  }

  const counts = countResults(run.results)
  for (const name of ['total', 'cached', 'warmed', 'failed', 'skipped', 'unresolved', 'invalid'] as const)
    core.setOutput(name, String(counts[name]))
  const referrers = countReferrers(run.results)
  for (const name of ['signed', 'attested', 'sbom'] as const)
    core.setOutput(name, String(referrers?.[name] ?? 0))
  core.setOutput('images', imagesOutput(run))
  core.setOutput('report', reportPath ?? '')
  core.setOutput('rewritten', run.rewrite?.written ? run.rewrite.output : '')

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
    if (a.level === 'error') core.error(a.message, props)
    else if (a.level === 'warning') core.warning(a.message, props)
    else core.notice(a.message, props)
  }
}

async function finishConfigError(err: unknown, secrets: string[]): Promise<number> {
  if (!(err instanceof ConfigError)) {
    core.setFailed(redact(`zot-warm: ${describeError(err)}`, secrets))
    return setExit(EXIT_HARD)
  }
  const problems = err.problems.map((p) => redact(p, secrets))
  for (const p of problems) core.error(p, { title: 'zot-warm: configuration' })
  if (process.env.GITHUB_STEP_SUMMARY) {
    const items = problems.map((p) => `<li>${esc(p)}</li>`).join('\n')
    await core.summary
      .addRaw(`<h2>❌ zot-warm: invalid configuration</h2>\n<ul>\n${items}\n</ul>\n`, true)
      .write()
      .catch(() => undefined)
  }
  core.setFailed(
    `zot-warm: invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}, listed above)`,
  )
  return setExit(EXIT_HARD)
}

/** setFailed sets exit code 1; images failing in strict mode exit 2, like the CLI. */
function setExit(code: number): number {
  process.exitCode = code
  return code
}
