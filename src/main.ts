// The action's own part of a run: its configuration comes from the runner's inputs, and the result goes to
// the runner (log table, job summary, outputs, annotations, the step's conclusion). The run itself is the
// shell's (shell.ts). The only file that imports @actions/core.
import { appendFile } from 'node:fs/promises'
import { EOL } from 'node:os'
import { join } from 'node:path'
import * as core from '@actions/core'
import { describeError, type ProblemPlace } from './errors.js'
import { type Config, parseConfig } from './inputs/config.js'
import { redact } from './inputs/redact.js'
import { SECRET_INPUTS } from './inputs/spec.js'
import type { Logger } from './logger.js'
import { planAnnotations } from './report/annotations.js'
import { wantsPrComment } from './report/comment.js'
import { htmlText, isPlain, logLine, logText, printable } from './report/escape.js'
import { detectForge, type Forge, type RepoContext, readRepoContext, repoPath } from './report/links.js'
import { countReferrers, countResults } from './report/outcome.js'
import { imagesOutput, TOOL_VERSION } from './report/report.js'
import { renderSummary } from './report/summary.js'
import { renderProblems, renderTable } from './report/table.js'
import { renderTextSummary } from './report/text-summary.js'
import { type Finished, runShell } from './shell.js'
import { plural } from './words.js'

/** The bundle's last step (src/index.ts). */
export { exitWhenDone } from './shell.js'

const YELLOW = '\u001b[33m'
const RESET = '\u001b[0m'

type Env = NodeJS.ProcessEnv

/** What the action's requests (to Zot and to the forge's API) say they come from. */
const userAgentOf = (forge: Forge) => `zot-warm/${TOOL_VERSION} (${forge} action)`

/** Runs the action; returns the exit code (also set on process.exitCode). Never throws. */
export async function run(env: Env = process.env): Promise<number> {
  const secrets: string[] = []
  const runner = runnerSinks(secrets, env)
  const forge = detectForge(env)
  const code = await runShell({
    secrets,
    logger: runner.logger,
    userAgent: userAgentOf(forge),
    configure: () => ({ config: readInputs(env, secrets) }),
    stopping: runner.yellow,
    configProblems: (problems, places) =>
      showConfigProblems(problems, places, env.GITHUB_WORKSPACE || process.cwd(), runner),
    internalError: (err) => {
      // e.g. a runner without a GITHUB_OUTPUT file: one line, not a stack trace.
      runner.logger.debug((err as Error)?.stack ?? String(err))
      runner.annotate('error', `zot-warm: internal error: ${describeError(err)}`)
    },
    publish: (finished) => publish(finished, env, forge, runner),
  })
  process.exitCode = code
  return code
}

type Level = 'error' | 'warning' | 'notice'
type RunnerSinks = ReturnType<typeof runnerSinks>

/**
 * What the action writes to the runner, each through one writer that redacts the secrets and escapes for
 * where it goes: a file name or a value from the pull request can hold line breaks, `::error …::` or escape
 * sequences, and must never become a workflow command, an annotation elsewhere or a mask.
 */
function runnerSinks(secrets: readonly string[], env: Env) {
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
  /**
   * Appends to the job summary file, when the runner names one (what core.summary does, but from the env
   * this run was given: core reads process.env, once).
   */
  const summary = async (markup: string) => {
    if (env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, `${markup}${EOL}`)
  }
  return { logger, yellow, annotate, output, summary }
}

/** The configuration from the action's inputs; every secret masked the moment it is read. */
function readInputs(env: Env, secrets: string[]): Config {
  const mask = (value: string) => {
    if (!value || secrets.includes(value)) return
    secrets.push(value)
    core.setSecret(value)
  }
  const getInput = (name: string): string => {
    const value = core.getInput(name)
    if (SECRET_INPUTS.has(name) && value) {
      mask(value)
      for (const line of value.split(/\r?\n/)) if (line.trim().length >= 8) mask(line.trim())
    }
    return value
  }
  // Derived forms (the basic-auth value and header, PEM key lines) are masked the moment they exist.
  return parseConfig(getInput, {
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    ...(env.RUNNER_TEMP
      ? {
          report: join(env.RUNNER_TEMP, 'zot-warm-report.json'),
          rewriteOutput: join(env.RUNNER_TEMP, 'zot-warm-rewritten'),
        }
      : {}),
    onSecret: mask,
  }).config
}

/** Everything the runner shows of a finished run, in the order a reader meets it. */
async function publish(finished: Finished, env: Env, forge: Forge, runner: RunnerSinks): Promise<number> {
  const { run, outcome } = finished
  const repo = readRepoContext(env)
  await showTable(finished, forge, runner)
  const reportPath = showReportFile(finished, runner)
  if (env.GITHUB_STEP_SUMMARY) await writeJobSummary(finished, forge, repo, reportPath, runner)
  setOutputs(finished, reportPath, runner)
  // A run stopped by a signal must not replace the comment of a finished one.
  const commentNotices =
    wantsPrComment(finished.config, env.GITHUB_EVENT_NAME) && !finished.signal
      ? await commentOnPullRequest(finished, env, forge, repo, runner)
      : 0
  if (!run.hardFailure) annotateImages(finished, forge, repo, runner, commentNotices)

  if (outcome.exitCode !== 0) runner.annotate('error', `zot-warm: ${outcome.reason}`)
  else if (outcome.conclusion === 'warning') runner.annotate('warning', `zot-warm: ${outcome.reason}`)
  else runner.logger.info(`zot-warm: ${outcome.reason}`)
  return outcome.exitCode
}

/** Forgejo shows no summary page, so there the table stays visible; GitHub gets it collapsed. */
async function showTable({ run, outcome }: Finished, forge: Forge, { logger }: RunnerSinks): Promise<void> {
  const table = `${renderTable(run.results, run.mode)}\n${renderProblems(run.results)}`.trimEnd()
  if (forge === 'forgejo') logger.info(`\n${table}`)
  else await logger.group(`Results: ${outcome.reason}`, async () => logger.info(table))
}

/** The report file's path, said in the log; a report that could not be written is a warning, not a failure. */
function showReportFile({ reportFile }: Finished, { logger }: RunnerSinks): string | undefined {
  if (!reportFile) return undefined
  if (reportFile.error) {
    logger.warning(`could not write the JSON report to ${reportFile.path}: ${reportFile.error}`)
    return undefined
  }
  logger.info(`JSON report: ${reportFile.path}`)
  return reportFile.path
}

async function writeJobSummary(
  { run, outcome, config }: Finished,
  forge: Forge,
  repo: RepoContext | undefined,
  reportPath: string | undefined,
  { logger, summary }: RunnerSinks,
): Promise<void> {
  const where = {
    workspace: config.workspace,
    ...(repo ? { repo } : {}),
    ...(reportPath ? { reportPath } : {}),
  }
  try {
    await summary(
      forge === 'forgejo' ? renderTextSummary(run, outcome, where) : renderSummary(run, outcome, where),
    )
  } catch (err) {
    logger.warning(`could not write the job summary: ${describeError(err)}`)
  }
}

function setOutputs(
  { run }: Finished,
  reportPath: string | undefined,
  { logger, output }: RunnerSinks,
): void {
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
}

/**
 * The pull request comment (pr-comment.ts, loaded only here: runs that do not comment never load octokit).
 * Returns the notices it wrote (a failed comment is one notice; the step's result does not change).
 */
async function commentOnPullRequest(
  { run, outcome, config }: Finished,
  env: Env,
  forge: Forge,
  repo: RepoContext | undefined,
  { logger, annotate }: RunnerSinks,
): Promise<number> {
  const { publishPrComment } = await import('./report/pr-comment.js')
  const result = await publishPrComment({
    run,
    outcome,
    config,
    forge,
    env,
    userAgent: userAgentOf(forge),
    debug: logger.debug,
    ...(repo ? { repo } : {}),
  })
  if (result.action === 'failed') {
    annotate('notice', result.notice, { title: 'zot-warm: pull request comment' })
    return 1
  }
  if (result.action === 'kept-newer')
    logger.info(
      `Pull request comment: a newer run already wrote its result there (${result.url}); left as it is.`,
    )
  else if (result.action !== 'none') logger.info(`Pull request comment ${result.action}: ${result.url}`)
  return 0
}

/** At most 10 per level (GitHub drops the rest), one slot kept for the step's own conclusion. */
function annotateImages(
  { run, outcome, config }: Finished,
  forge: Forge,
  repo: RepoContext | undefined,
  { annotate }: RunnerSinks,
  /** Notices already written (the comment's): their slots are taken. */
  notices: number,
): void {
  const annotations = planAnnotations(run, {
    reserve: {
      error: outcome.exitCode !== 0 ? 1 : 0,
      warning: outcome.exitCode === 0 && outcome.conclusion === 'warning' ? 1 : 0,
      notice: notices,
    },
    toRepoPath: (file) => (repo ? repoPath(repo, config.workspace, file) : file),
    // Forgejo has no summary page: there the explanations are in the problem list of the log.
    explainedIn: forge === 'forgejo' ? 'the results in the log' : 'the job summary',
  })
  for (const a of annotations) {
    const props: core.AnnotationProperties = { title: `zot-warm: ${a.title}` }
    if (a.file) Object.assign(props, { file: a.file, startLine: a.line, startColumn: a.column })
    annotate(a.level, a.message, props)
  }
}

/**
 * Each problem as an error annotation: at its line of the configuration file when the file is in the
 * workspace (the path relative to it, as the runner links it), else naming the place in its text.
 */
async function showConfigProblems(
  problems: readonly string[],
  places: readonly (ProblemPlace | undefined)[],
  workspace: string,
  runner: RunnerSinks,
): Promise<void> {
  problems.forEach((p, i) => {
    const place = places[i]
    const file = place && repoPath({ root: workspace }, workspace, place.file)
    const prefix = `${place?.label}: `
    // A path that needs escaping is named in the text instead (as for the images' annotations).
    if (!place || !file || !isPlain(file) || !p.startsWith(prefix))
      runner.annotate('error', p, { title: 'zot-warm: configuration' })
    else
      runner.annotate('error', p.slice(prefix.length), {
        title: 'zot-warm: configuration',
        file,
        startLine: place.line,
        startColumn: place.column,
      })
  })
  const items = problems.map((p) => `<li>${htmlText(p)}</li>`).join('\n')
  await runner
    .summary(`<h2>❌ zot-warm: invalid configuration</h2>\n<ul>\n${items}\n</ul>\n`)
    .catch(() => undefined)
  runner.annotate(
    'error',
    `zot-warm: invalid configuration (${plural(problems.length, 'problem')}, listed above)`,
  )
}
