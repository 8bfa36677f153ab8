// The issue-comment endpoints of the forge's REST API, for the pull request comment. One client for GitHub and
// Forgejo: Forgejo (a Gitea fork) serves the same paths and JSON fields under `${GITHUB_API_URL}` (= instance +
// /api/v1) and accepts octokit's `Authorization: token …` header, so octokit with that base URL serves both.
// Errors come back typed (operation, status, the forge's message); what to tell the user is decided above.
import { getOctokit } from '@actions/github'
import { describeError } from '../errors.js'
import type { RetryOptions } from '../warm/options.js'
import { RETRY_STATUSES, retryDelay, sleep } from '../warm/retry.js'

export interface IssueComment {
  id: number
  body: string
  /** Author; absent for deleted users. */
  user: { id: number; login: string } | null
  html_url: string
}

export type CommentOperation = 'list' | 'create' | 'update' | 'delete'

export interface CommentApi {
  /** Every comment of the pull request, oldest first. */
  list(): Promise<IssueComment[]>
  create(body: string): Promise<IssueComment>
  update(id: number, body: string): Promise<IssueComment>
  /** Deleting a comment that is already gone is not an error (a racing run may have removed it). */
  remove(id: number): Promise<void>
}

/** A request the forge refused or that never got an answer. */
export class ForgeApiError extends Error {
  override name = 'ForgeApiError'
  constructor(
    readonly operation: CommentOperation,
    /** HTTP status; undefined when no answer came (connection refused, timeout). */
    readonly status: number | undefined,
    /** The forge's own message, or the transport error. */
    readonly detail: string,
    readonly attempts: number,
  ) {
    super(`${operation} comment: ${status ? `HTTP ${status}: ` : ''}${detail}`)
  }
}

export interface CommentApiOptions {
  /** REST base: `https://api.github.com`, GHES `…/api/v3`, Forgejo `…/api/v1`. */
  apiUrl: string
  token: string
  owner: string
  repo: string
  /** Pull request number (comments of a pull request are issue comments on both forges). */
  number: number
  userAgent: string
  retry?: Partial<CommentRetry>
  /** Limit per try of one request; listing gets twice as long (it may follow several pages). */
  requestTimeoutMs?: number
  /** Aborts whatever is in flight (the run's overall deadline for the comment). */
  signal?: AbortSignal
  debug?: (message: string) => void
}

/** The retry settings the comment uses (the Zot client's request budget does not apply). */
export type CommentRetry = Pick<
  RetryOptions,
  'attempts' | 'baseDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs' | 'sleep' | 'random'
>

/** Few and short: the comment is a courtesy, the job must not wait minutes for it. */
export const COMMENT_RETRY: CommentRetry = {
  attempts: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 4_000,
  maxRetryAfterMs: 10_000,
}

export function commentApi(opts: CommentApiOptions): CommentApi {
  const retry: CommentRetry = { ...COMMENT_RETRY, ...opts.retry }
  const timeoutMs = opts.requestTimeoutMs ?? 15_000
  const debug = opts.debug ?? (() => undefined)
  const octokit = getOctokit(opts.token, {
    baseUrl: opts.apiUrl.replace(/\/+$/, ''),
    userAgent: opts.userAgent,
    // octokit's default logger is the console; the action's log is not the place for its chatter.
    log: { debug, info: debug, warn: debug, error: debug },
  })
  const where = { owner: opts.owner, repo: opts.repo }

  async function call<T>(operation: CommentOperation, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const limit = AbortSignal.timeout(operation === 'list' ? 2 * timeoutMs : timeoutMs)
      const signal = opts.signal ? AbortSignal.any([limit, opts.signal]) : limit
      try {
        return await fn(signal)
      } catch (err) {
        const e = err as {
          status?: number
          response?: { headers?: Record<string, string> }
          message?: string
        }
        const answered = e.response !== undefined
        const status = answered ? e.status : undefined
        const headers = e.response?.headers ?? {}
        const rateLimited =
          status === 403 && (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0')
        const transient = !answered || RETRY_STATUSES.has(status ?? 0) || rateLimited
        const detail = apiMessage(err)
        if (!transient || attempt >= retry.attempts || opts.signal?.aborted)
          throw new ForgeApiError(operation, status, detail, attempt)
        const wait = retryDelay(attempt - 1, headers['retry-after'], retry)
        debug(`${operation} comment: ${status ? `HTTP ${status}` : detail}; try ${attempt + 1} in ${wait} ms`)
        await (retry.sleep ?? sleep)(wait, opts.signal).catch(() => undefined)
      }
    }
  }

  return {
    list: () =>
      call('list', (signal) =>
        octokit.paginate(octokit.rest.issues.listComments, {
          ...where,
          issue_number: opts.number,
          per_page: 100,
          request: { signal },
        }),
      ).then((comments) => comments.map(toComment)),
    create: (body) =>
      call('create', (signal) =>
        octokit.rest.issues.createComment({ ...where, issue_number: opts.number, body, request: { signal } }),
      ).then((r) => toComment(r.data)),
    update: (id, body) =>
      call('update', (signal) =>
        octokit.rest.issues.updateComment({ ...where, comment_id: id, body, request: { signal } }),
      ).then((r) => toComment(r.data)),
    remove: async (id) => {
      try {
        await call('delete', (signal) =>
          octokit.rest.issues.deleteComment({ ...where, comment_id: id, request: { signal } }),
        )
      } catch (err) {
        if (!(err instanceof ForgeApiError && err.status === 404)) throw err
      }
    },
  }
}

function toComment(c: {
  id: number
  body?: string | null
  user?: { id: number; login: string } | null
  html_url: string
}): IssueComment {
  return {
    id: c.id,
    body: c.body ?? '',
    user: c.user ? { id: c.user.id, login: c.user.login } : null,
    html_url: c.html_url,
  }
}

/** The forge's `message` (both forges answer errors as `{"message": …}`), else the error's own text. */
function apiMessage(err: unknown): string {
  const e = err as { response?: { data?: unknown } }
  const data = e.response?.data
  if (data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string')
    return (data as { message: string }).message
  if (typeof data === 'string' && data.trim()) return data.trim().slice(0, 200)
  // No answer: octokit wraps fetch's "fetch failed", which wraps what really happened (ECONNREFUSED, timeout).
  let inner: unknown = err
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause
  return describeError(inner)
}
