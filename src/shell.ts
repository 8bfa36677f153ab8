// The run shell, shared by the action (main.ts) and the CLI (cli.ts): read the configuration through the
// entry point, run the pipeline until it ends, a signal stops it or the overall timeout does, redact, decide
// the outcome, write the report file, and hand everything to the entry point's publish step. An entry point
// keeps only what is its own: where the configuration comes from (the runner's inputs; flags, environment
// and file) and how the result is shown (the runner's log, summary, outputs and annotations; the terminal).
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { ConfigError, describeError, type ProblemPlace } from './errors.js'
import type { Config } from './inputs/config.js'
import { formatDuration } from './inputs/duration.js'
import { redact, redactDeep } from './inputs/redact.js'
import type { Logger } from './logger.js'
import { runPipeline } from './pipeline.js'
import { decideOutcome, EXIT_HARD, type Outcome } from './report/outcome.js'
import { buildReport, type Report, reportJson } from './report/report.js'
import type { RunResult } from './report/types.js'

/** What the entry point read: the configuration, and the CLI's streams. */
export interface RunInput {
  config: Config
  /** Manifests read from `-`. */
  stdin?: string
  /** Where `rewrite-output: -` prints the rewritten manifests. */
  stdout?: (text: string) => void
}

/** Everything publish shows. */
export interface Finished {
  config: Config
  /** What the run found and did, every secret redacted. */
  run: RunResult
  outcome: Outcome
  report: Report
  /** The report file, when `report` names one (not `-`); `error` when it could not be written. */
  reportFile?: { path: string; error?: string }
  /** The signal that stopped the run, if one did (the runner ends the job soon after). */
  signal?: NodeJS.Signals
}

/** What an entry point brings to the shell. */
export interface EntryPoint {
  /** Every secret read so far: configure adds to it, the shell and the entry point's sinks redact with it. */
  secrets: readonly string[]
  /** How the pipeline talks (the entry point's log, escaped and redacted for it). */
  logger: Logger
  userAgent: string
  /** Reads the configuration; throws ConfigError listing every problem. */
  configure(): RunInput | Promise<RunInput>
  /** Said when the first SIGINT or SIGTERM arrives (a second one ends the process at once). */
  stopping(message: string): void
  /**
   * Configuration problems (the run ends with exit code 1), redacted; `places` (same index): the line of the
   * configuration file a problem is written at, when it is.
   */
  configProblems(
    problems: readonly string[],
    places: readonly (ProblemPlace | undefined)[],
  ): void | Promise<void>
  /** Anything unexpected (exit code 1): one line for the user, never a stack trace. */
  internalError(err: unknown): void | Promise<void>
  /** Shows the result; returns the exit code (the outcome's, unless showing it failed in a way that counts). */
  publish(finished: Finished): Promise<number>
}

/** Runs one entry point from configuration to exit code. Never throws. */
export async function runShell(entry: EntryPoint): Promise<number> {
  try {
    const input = await entry.configure()
    const stopped = await runUntilStopped(input, entry)
    const run = redactDeep(stopped.run, entry.secrets)
    const outcome = decideOutcome(run)
    const report = buildReport(run, outcome)
    const reportFile = writeReportFile(input.config.report, report)
    return await entry.publish({
      config: input.config,
      run,
      outcome,
      report,
      ...(reportFile ? { reportFile } : {}),
      ...(stopped.signal ? { signal: stopped.signal } : {}),
    })
  } catch (err) {
    // Configuration problems come from reading the configuration, or from extraction (a path that selects
    // nothing): the same message either way.
    if (err instanceof ConfigError)
      await entry.configProblems(
        err.problems.map((p) => redact(p, entry.secrets)),
        err.places,
      )
    else await entry.internalError(err)
    return EXIT_HARD
  }
}

/** The pipeline, stopped by the first SIGINT/SIGTERM or by the overall timeout. */
async function runUntilStopped(
  input: RunInput,
  entry: EntryPoint,
): Promise<{ run: RunResult; signal?: NodeJS.Signals }> {
  const controller = new AbortController()
  let signalled: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal means "now": the runner follows SIGINT with SIGTERM/SIGKILL after a few seconds.
    if (signalled) process.exit(EXIT_HARD)
    signalled = signal
    entry.stopping(`Received ${signal}: stopping; unfinished images are reported as not attempted.`)
    controller.abort(`cancelled by ${signal}`)
  }
  const { timeoutMs } = input.config
  const timer =
    timeoutMs !== undefined
      ? setTimeout(
          () => controller.abort(`overall timeout of ${formatDuration(timeoutMs)} reached`),
          timeoutMs,
        )
      : undefined
  timer?.unref()
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const run = await runPipeline(input.config, {
      logger: entry.logger,
      signal: controller.signal,
      userAgent: entry.userAgent,
      ...(input.stdin !== undefined ? { stdin: input.stdin } : {}),
      ...(input.stdout ? { stdout: input.stdout } : {}),
    })
    return signalled ? { run, signal: signalled } : { run }
  } finally {
    clearTimeout(timer)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

function writeReportFile(path: string | undefined, report: Report): Finished['reportFile'] {
  if (!path || path === '-') return undefined
  try {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, reportJson(report))
    return { path }
  } catch (err) {
    return { path, error: describeError(err) }
  }
}

/**
 * The bundles' last step. Everything is written by now; should a handle outlive the run (a socket not yet
 * closed), the process does not keep the job or the terminal waiting for it.
 */
export function exitWhenDone(code: number): void {
  process.exitCode = code
  setTimeout(() => process.exit(code), 2000).unref()
}
