// Per-image bookkeeping shared by the engine and the verifier: retries, warnings, and failures that carry
// their diagnosis.
import { DIGEST } from '../extract/reference.js'
import type { ZotClient } from './client.js'
import { authFailure, type Situation } from './diagnose.js'
import type { Refusal } from './registry.js'

/** A failure with its plain-words diagnosis. */
export class ImageFailure extends Error {
  constructor(
    message: string,
    readonly situation: Situation,
    readonly digest?: string,
  ) {
    super(message)
  }
}

/** Per-image bookkeeping: its deadline, retries and warnings. */
export class Job {
  retries = 0
  readonly warnings: string[] = []
  /** Zot closed the connection during a sync at least once (its writeTimeout). */
  connectionClosed = false
  constructor(readonly signal: AbortSignal) {}

  /**
   * The one way tries are counted: every registry result, and every transport error, says how many tries it
   * took; the job adds the retries among them (a result shared by several images counts on each).
   */
  count<R extends { attempts: number }>(r: R): R {
    this.retries += Math.max(0, r.attempts - 1)
    return r
  }

  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text)
  }
}

/** What was confirmed; both undefined when the search extension is off and nothing could be read locally. */
export interface Verified {
  digest?: string
  platforms?: string[]
  /** Digests of the per-platform manifests confirmed (an index's children; none for a single manifest). */
  children?: string[]
}

/** Zot's refusal (and the tries it took) as the image's failure. `reference`: a tag, a digest, or `tags/list`. */
export function failureFrom(
  client: ZotClient,
  failed: { refusal: Refusal; attempts: number },
  repo: string,
  reference: string,
): ImageFailure {
  const r = failed.refusal
  const what =
    reference === 'tags/list'
      ? `the tag list of ${repo}`
      : DIGEST.test(reference)
        ? `${repo}@${reference}`
        : `${repo}:${reference}`
  if (r.answeredBy)
    return new ImageFailure(
      `${r.answeredBy} answered ${r.status}${r.code ? ` ${r.code}` : ''} for ${what} (Zot redirected the request there)`,
      { kind: 'redirected', origin: r.answeredBy, status: r.status },
    )
  const answer = `Zot answered ${r.status}${r.code ? ` ${r.code}` : ''} for ${what}`
  switch (r.status) {
    case 404:
      return new ImageFailure(answer, { kind: 'missing-after-sync', repository: repo, reference })
    case 401:
      return new ImageFailure(answer, { kind: 'unauthorized', message: authFailure(client) })
    case 403:
      return new ImageFailure(answer, { kind: 'forbidden', repository: repo, user: client.username })
    case 429:
      return new ImageFailure(answer, { kind: 'rate-limited', status: r.status, attempts: failed.attempts })
    default:
      return r.status >= 500
        ? new ImageFailure(answer, { kind: 'server-error', status: r.status, attempts: failed.attempts })
        : new ImageFailure(answer, { kind: 'unexpected-status', status: r.status, code: r.code })
  }
}
