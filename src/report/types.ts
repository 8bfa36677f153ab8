// What one run produced: everything the report, the summary, the table and the annotations are made from.
import type { Mode } from '../inputs/config.js'
import type { ImageResult, Notice, ZotInfo } from '../model.js'
import type { RewriteSummary } from '../rewrite/index.js'

export interface RunResult {
  mode: Mode
  strict: boolean
  failOnUnresolved: boolean
  unmapped: 'skip' | 'fail'
  /** Zot base URL as configured (never with credentials). */
  zotUrl?: string
  /** What preflight learnt; absent in plan mode or when Zot could not be reached. */
  zot?: ZotInfo
  /** One entry per distinct reference, in extraction order (invalid and unresolved included). */
  results: ImageResult[]
  notices: Notice[]
  files: number
  bytes: number
  /** ISO time the run started. */
  startedAt: string
  durationMs: number
  /** Zot unusable (unreachable, TLS, credentials rejected): the run stopped before warming. */
  hardFailure?: { message: string; hint?: string }
  /** Why the run stopped early (signal or overall timeout); the rest is `not-attempted`. */
  cancelled?: string
  /** What `rewrite` wrote (absent when it is off). */
  rewrite?: RewriteSummary
}
