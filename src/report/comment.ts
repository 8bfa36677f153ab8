// The pull request comment's text: the job summary's pieces (HTML on GitHub, Markdown on Forgejo, where
// comments are Markdown too) laid out for review, problems first, behind two hidden lines: the marker that
// finds the comment again on the next run, and the run that wrote it (so an older run never overwrites a
// newer one's result).
import { createHash } from 'node:crypto'
import type { Config } from '../inputs/config.js'
import { htmlText as esc, markdownCode, markdownText as md } from './escape.js'
import type { Forge, RepoContext } from './links.js'
import type { Outcome } from './outcome.js'
import { type Column, renderHtmlResults } from './summary.js'
import { renderMarkdownResults } from './text-summary.js'
import type { RunResult } from './types.js'

/** GitHub refuses comment bodies over 65536 characters; Forgejo has no lower limit. */
export const COMMENT_LIMIT_CHARS = 65_536
/** Bytes, which are never fewer than UTF-16 characters: a body within this budget is within the limit. */
export const COMMENT_BUDGET_BYTES = 60_000

// Referrers only when an image has some to show (the renderers drop the column otherwise).
const COLUMNS: readonly Column[] = ['status', 'image', 'digest', 'referrers', 'usedIn']

/** Events whose runs belong to a pull request (GitHub's names; Forgejo's runner uses the same). */
export const PULL_REQUEST_EVENTS: ReadonlySet<string> = new Set(['pull_request', 'pull_request_target'])

/**
 * Whether this run may comment at all: decided before anything is loaded or asked, so every other run pays
 * nothing. Plan mode warms and verifies nothing; it comments only when asked to `always`.
 */
export function wantsPrComment(
  config: Pick<Config, 'prComment' | 'mode'>,
  eventName: string | undefined,
): boolean {
  if (config.prComment === 'off' || !eventName || !PULL_REQUEST_EVENTS.has(eventName)) return false
  return config.prComment === 'always' || config.mode !== 'plan'
}

/** The run that wrote a comment; a later run has a higher id, a re-run of the same one a higher attempt. */
export interface RunOrder {
  id: number
  attempt: number
}

export interface CommentMeta {
  /** Identifies the job's comment among all comments of the pull request (see commentKey). */
  key: string
  run: RunOrder
  /** `deploy` (the job id) and `CI` (the workflow), to tell several zot-warm comments apart. */
  job?: string
  workflow?: string
  /** The run's page (the job summary is there on GitHub, the log on Forgejo). */
  runUrl?: string
  runLabel: string
  /** The commit the results are for (the PR head). */
  sha?: string
}

export interface CommentOptions {
  forge: Forge
  /** File links at the PR head; without it sources are plain text. */
  repo?: RepoContext
  workspace: string
  meta: CommentMeta
  budgetBytes?: number
}

/**
 * One comment per pull request and job: the workflow and job, and what the step looks at (a matrix runs the
 * same job over other manifests or another cache). Hashed: short, and nothing of the inputs shows.
 */
export function commentKey(parts: {
  workflow?: string
  job?: string
  zotUrl?: string
  paths: readonly string[]
  images: readonly string[]
}): string {
  const text = [
    parts.workflow ?? '',
    parts.job ?? '',
    parts.zotUrl ?? '',
    parts.paths.join('\n'),
    parts.images.join('\n'),
  ]
  return createHash('sha256').update(text.join('\0')).digest('hex').slice(0, 16)
}

export function commentMarker(key: string): string {
  return `<!-- zot-warm:pr-comment ${key} -->`
}

/** Whether a comment is this job's: the marker starts the body (a reply quoting it does not). */
export function isOurComment(body: string, key: string): boolean {
  return body.startsWith(commentMarker(key))
}

export function runOrderOf(body: string): RunOrder | undefined {
  const m = /^<!-- zot-warm:run (\d+) (\d+) -->$/m.exec(body)
  return m ? { id: Number(m[1]), attempt: Number(m[2]) } : undefined
}

export function compareRunOrder(a: RunOrder, b: RunOrder): number {
  return a.id - b.id || a.attempt - b.attempt
}

export function renderComment(run: RunResult, outcome: Outcome, opts: CommentOptions): string {
  const { meta } = opts
  const hidden = `${commentMarker(meta.key)}\n<!-- zot-warm:run ${meta.run.id} ${meta.run.attempt} -->\n`
  const budget = (opts.budgetBytes ?? COMMENT_BUDGET_BYTES) - 1024 // hidden lines and footer
  const base = { workspace: opts.workspace, budgetBytes: budget, ...(opts.repo ? { repo: opts.repo } : {}) }
  if (opts.forge === 'forgejo') {
    const runLink = meta.runUrl ? `[${md(meta.runLabel)}](${meta.runUrl})` : md(meta.runLabel)
    const body = renderMarkdownResults(run, outcome, base, {
      table: { columns: COLUMNS },
      first: 'problems',
      limit: 'the comment size limit',
      rest: meta.runUrl ? ` All results are in the log of ${runLink}.` : '',
    })
    const footer = [
      meta.job ? `job ${markdownCode(meta.job, 200)}` : '',
      meta.workflow ? `workflow ${markdownCode(meta.workflow, 200)}` : '',
      runLink,
      meta.sha ? `commit ${markdownCode(meta.sha.slice(0, 7))}` : '',
    ].filter(Boolean)
    return `${hidden}\n${body}\n<sub>${footer.join(' · ')}</sub>\n`
  }
  const runLink = meta.runUrl
    ? `<a href="${esc(meta.runUrl, Number.MAX_SAFE_INTEGER)}">${esc(meta.runLabel)}</a>`
    : esc(meta.runLabel)
  const body = renderHtmlResults(run, outcome, base, {
    columns: COLUMNS,
    first: 'problems',
    limit: 'the comment size limit',
    rest: meta.runUrl ? ` All results are in the job summary of ${runLink}.` : '',
  })
  const footer = [
    meta.job ? `job <code>${esc(meta.job, 200)}</code>` : '',
    meta.workflow ? `workflow <code>${esc(meta.workflow, 200)}</code>` : '',
    runLink,
    meta.sha ? `commit <code>${esc(meta.sha.slice(0, 7))}</code>` : '',
  ].filter(Boolean)
  return `${hidden}${body}<p><sub>${footer.join(' · ')}</sub></p>\n`
}
