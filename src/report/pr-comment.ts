// The pull request comment: one per pull request and job, kept up to date. Loaded only by runs that may
// comment (see wantsPrComment), so every other run skips octokit altogether.
//
// Sticky without locks: the comment is found by its marker; before creating one the comments are read, and
// after writing, read again. When two runs raced and both created, the lowest id is kept, the others (by the
// same author) are deleted, and the kept one shows the newest run's result: both racers converge on that.
// Updates cannot be made conditional (neither forge has If-Match for comments); the read after an update
// repairs the common case of an older run's write landing last.
import * as github from '@actions/github'
import type { Config } from '../inputs/config.js'
import {
  type CommentMeta,
  commentKey,
  compareRunOrder,
  isOurComment,
  type RunOrder,
  renderComment,
  runOrderOf,
} from './comment.js'
import {
  type CommentApi,
  type CommentApiOptions,
  commentApi,
  ForgeApiError,
  type IssueComment,
} from './forge-client.js'
import type { Forge, RepoContext } from './links.js'
import { runUrl } from './links.js'
import type { Outcome } from './outcome.js'
import type { RunResult } from './types.js'

/** What of @actions/github's context the comment uses (tests pass their own). */
export type ActionContext = Pick<
  typeof github.context,
  | 'eventName'
  | 'payload'
  | 'repo'
  | 'issue'
  | 'runId'
  | 'runNumber'
  | 'runAttempt'
  | 'serverUrl'
  | 'apiUrl'
  | 'job'
  | 'workflow'
>

export interface PublishInput {
  run: RunResult
  outcome: Outcome
  config: Pick<Config, 'prComment' | 'githubToken' | 'zotUrl' | 'paths' | 'images' | 'workspace'>
  forge: Forge
  /** File links at the PR head. */
  repo?: RepoContext
  userAgent: string
  /** The runner's environment (which forge's runner it is: the run link differs). */
  env?: Record<string, string | undefined>
  /** Client settings for tests (retry timing); production uses the defaults. */
  client?: Pick<CommentApiOptions, 'retry' | 'requestTimeoutMs'>
  /** Limit for everything the comment does. */
  deadlineMs?: number
  debug?: (message: string) => void
}

export type CommentResult =
  | { action: 'created' | 'updated' | 'unchanged'; url: string; removedDuplicates: number }
  /** `auto`, a clean run, and no comment to update. */
  | { action: 'none' }
  /** A newer run of the same job already wrote its result; left as it is. */
  | { action: 'kept-newer'; url: string }
  /** Nothing was written: the notice says why and what to do. */
  | { action: 'failed'; notice: string }

export async function publishPrComment(
  input: PublishInput,
  context: ActionContext = github.context,
): Promise<CommentResult> {
  const number = context.issue.number
  if (!Number.isInteger(number) || number <= 0)
    return {
      action: 'failed',
      notice: `zot-warm: no pull request number in the ${context.eventName} event; no comment.`,
    }
  const token = input.config.githubToken
  if (!token)
    return {
      action: 'failed',
      notice:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression, quoted for the user.
        'zot-warm: no pull request comment: the github-token input is empty (its default is the job token, `${{ github.token }}`).',
    }

  const { owner, repo } = context.repo
  const run: RunOrder = {
    id: context.runId || 0,
    attempt: Number.isInteger(context.runAttempt) && context.runAttempt > 0 ? context.runAttempt : 1,
  }
  const link = runUrl(
    input.forge,
    context.serverUrl,
    `${owner}/${repo}`,
    {
      id: context.runId,
      number: context.runNumber,
      attempt: run.attempt,
    },
    input.env ?? process.env,
  )
  const meta: CommentMeta = {
    key: commentKey({
      workflow: context.workflow,
      job: context.job,
      zotUrl: input.config.zotUrl,
      paths: input.config.paths,
      images: input.config.images,
    }),
    run,
    job: context.job,
    workflow: context.workflow,
    runLabel: context.runNumber || context.runId ? `run #${context.runNumber || context.runId}` : 'the run',
    ...(link ? { runUrl: link } : {}),
    ...(input.repo ? { sha: input.repo.sha } : {}),
  }
  const body = renderComment(input.run, input.outcome, {
    forge: input.forge,
    workspace: input.config.workspace,
    meta,
    ...(input.repo ? { repo: input.repo } : {}),
  })

  const deadline = AbortSignal.timeout(input.deadlineMs ?? 60_000)
  const api = commentApi({
    apiUrl: context.apiUrl,
    token,
    owner,
    repo,
    number,
    userAgent: input.userAgent,
    signal: deadline,
    ...input.client,
    ...(input.debug ? { debug: input.debug } : {}),
  })
  try {
    return await syncComment(api, {
      key: meta.key,
      run,
      body,
      // `auto` speaks up for problems; a clean run only updates a comment that is already there.
      create: input.config.prComment === 'always' || input.outcome.conclusion !== 'success',
    })
  } catch (err) {
    return { action: 'failed', notice: commentFailureNotice(err, input.forge, context.eventName) }
  }
}

export interface SyncInput {
  key: string
  run: RunOrder
  body: string
  /** May a comment be created, or only an existing one updated? */
  create: boolean
}

/** Create or update this job's comment, and settle a race with a concurrent run. */
export async function syncComment(api: CommentApi, input: SyncInput): Promise<CommentResult> {
  const ours = (all: IssueComment[]) =>
    all.filter((c) => isOurComment(c.body, input.key)).sort((a, b) => a.id - b.id)

  const existing = ours(await api.list())
  const first = existing[0]
  if (!first) {
    if (!input.create) return { action: 'none' }
    const created = await api.create(input.body)
    // Re-read: a run of the same job may have created its comment at the same time.
    const after = ours(await api.list())
    if (after.length <= 1) return { action: 'created', url: created.html_url, removedDuplicates: 0 }
    const settled = await settle(api, after, created, input)
    return {
      action: settled.kept.id === created.id ? 'created' : 'updated',
      url: settled.kept.html_url,
      removedDuplicates: settled.removed,
    }
  }
  const theirs = runOrderOf(first.body)
  if (theirs && compareRunOrder(theirs, input.run) > 0) return { action: 'kept-newer', url: first.html_url }
  let removed = 0
  // Leftovers of an earlier race that could not be settled then.
  for (const dup of existing.slice(1)) {
    if (!sameAuthor(dup, first)) continue
    await api.remove(dup.id)
    removed++
  }
  if (first.body === input.body)
    return { action: 'unchanged', url: first.html_url, removedDuplicates: removed }
  let updated = await api.update(first.id, input.body)
  // Two runs updating at once: the later write wins, which may be the older run's. Read once more and, if an
  // older run's result replaced ours, write ours again (a newer run's result is left alone).
  const now = ours(await api.list()).find((c) => c.id === first.id)
  const order = now && runOrderOf(now.body)
  if (order && compareRunOrder(order, input.run) < 0) updated = await api.update(first.id, input.body)
  return { action: 'updated', url: updated.html_url, removedDuplicates: removed }
}

/** Keep the lowest id, delete the other copies by the same author, and show the newest run's body. */
async function settle(
  api: CommentApi,
  copies: IssueComment[],
  mine: IssueComment,
  input: SyncInput,
): Promise<{ kept: IssueComment; removed: number }> {
  // Only copies by the same author as ours: a comment someone else wrote is never touched.
  const same = copies.filter((c) => sameAuthor(c, mine))
  const kept = same[0] ?? mine
  let removed = 0
  for (const c of same.slice(1)) {
    await api.remove(c.id)
    removed++
  }
  // The newest run's body wins: ours, or one a racer wrote (copied across, so both racers agree).
  let newest = { order: input.run, body: input.body }
  for (const c of same) {
    const order = runOrderOf(c.body)
    if (order && compareRunOrder(order, newest.order) > 0) newest = { order, body: c.body }
  }
  if (kept.body === newest.body) return { kept, removed }
  return { kept: await api.update(kept.id, newest.body), removed }
}

function sameAuthor(a: IssueComment, b: IssueComment): boolean {
  return a.user !== null && b.user !== null && a.user.id === b.user.id
}

/** One notice for every way the comment can fail; the step's outcome never depends on it. */
export function commentFailureNotice(err: unknown, forge: Forge, eventName: string | undefined): string {
  const lead = 'zot-warm: could not comment on the pull request'
  if (!(err instanceof ForgeApiError)) return `${lead}: ${(err as Error)?.message ?? String(err)}`
  const what = `${err.operation} failed with ${err.status ? `HTTP ${err.status}` : 'no answer'} (${err.detail})`
  let advice: string
  if (err.status === 401)
    advice = 'The github-token was rejected; pass a valid token or leave the input at its default.'
  else if (err.status === 403 || err.status === 404)
    advice =
      eventName === 'pull_request'
        ? forge === 'github'
          ? 'The token cannot write comments: give the job `permissions: pull-requests: write`. Pull requests from forks get a read-only token; their results stay in the job summary and annotations.'
          : 'The token cannot write comments. Pull requests from forks get a read-only token; their results stay in the job log.'
        : forge === 'github'
          ? 'The token cannot write comments: give the job `permissions: pull-requests: write`.'
          : 'The token cannot write comments: pass a token that may write issues (`write:issue`).'
  else if (err.status === undefined) advice = `The forge's API did not answer (${err.attempts} tries).`
  else advice = `The forge's API refused it (${err.attempts} ${err.attempts === 1 ? 'try' : 'tries'}).`
  return `${lead}: ${what}. ${advice} The step's result does not depend on the comment.`
}
