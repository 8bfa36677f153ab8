// The one place that decides how a run ends, so the action and the CLI always agree.
//   0: all good (or soft mode);  1: hard failure (config, Zot unreachable, credentials rejected);
//   2: images failed / invalid / (unresolved, unmapped, not attempted) in strict mode.
import { withHint } from '../errors.js'
import { type ImageResult, type Notice, signsImage } from '../model.js'
import { plural } from '../words.js'
import type { RunResult } from './types.js'

export const EXIT_OK = 0
export const EXIT_HARD = 1
export const EXIT_IMAGES = 2

export interface Counts {
  total: number
  cached: number
  warmed: number
  failed: number
  /** skipped-unmapped + not-attempted. */
  skipped: number
  skippedUnmapped: number
  notAttempted: number
  unresolved: number
  invalid: number
}

export function countResults(results: readonly ImageResult[]): Counts {
  const c: Counts = {
    total: results.length,
    cached: 0,
    warmed: 0,
    failed: 0,
    skipped: 0,
    skippedUnmapped: 0,
    notAttempted: 0,
    unresolved: 0,
    invalid: 0,
  }
  for (const r of results) {
    if (r.status === 'cached') c.cached++
    else if (r.status === 'warmed') c.warmed++
    else if (r.status === 'failed') c.failed++
    else if (r.status === 'unresolved') c.unresolved++
    else if (r.status === 'invalid') c.invalid++
    else if (r.status === 'skipped-unmapped') c.skippedUnmapped++
    else if (r.status === 'not-attempted') c.notAttempted++
  }
  c.skipped = c.skippedUnmapped + c.notAttempted
  return c
}

/** Images by what the cache holds of their referrers (images whose referrers were looked at). */
export interface ReferrerCounts {
  /** Images whose referrers were read (`referrers` not `off`, image in Zot). */
  checked: number
  /** With a signature of the image's own digest (a platform's alone does not count). */
  signed: number
  attested: number
  sbom: number
  /** Read completely and no signature among them. */
  unsigned: number
  /** Could not be read completely without a sync (no search extension). */
  notVerified: number
}

/** Undefined when no image's referrers were looked at (`referrers: off`, plan mode, nothing in Zot). */
export function countReferrers(results: readonly ImageResult[]): ReferrerCounts | undefined {
  const c: ReferrerCounts = { checked: 0, signed: 0, attested: 0, sbom: 0, unsigned: 0, notVerified: 0 }
  for (const r of results) {
    if (!r.referrers || r.referrers.state === 'off') continue
    const kinds = new Set(r.referrers.items.map((i) => i.kind))
    const signed = signsImage(r.referrers.items, r.digest)
    c.checked++
    if (signed) c.signed++
    if (kinds.has('attestation')) c.attested++
    if (kinds.has('sbom')) c.sbom++
    if (r.referrers.state === 'not-verified') c.notVerified++
    else if (!signed) c.unsigned++
  }
  return c.checked ? c : undefined
}

export type Conclusion = 'success' | 'warning' | 'failure'

export interface Outcome {
  exitCode: 0 | 1 | 2
  conclusion: Conclusion
  /** One line: why the run failed or warned; a short success line otherwise. */
  reason: string
  /** Findings that fail a strict run (and warn in a soft one). */
  problems: string[]
  /** Findings that never fail the run. */
  warnings: string[]
}

type OutcomeInput = Pick<
  RunResult,
  'mode' | 'strict' | 'failOnUnresolved' | 'results' | 'notices' | 'hardFailure' | 'cancelled' | 'rewrite'
>

export function decideOutcome(run: OutcomeInput): Outcome {
  const counts = countResults(run.results)
  if (run.hardFailure) {
    return {
      exitCode: EXIT_HARD,
      conclusion: 'failure',
      reason: withHint(run.hardFailure.message, run.hardFailure.hint).replace(/\s*\n\s*/g, ' '),
      problems: [run.hardFailure.message],
      warnings: [],
    }
  }
  const problems: string[] = []
  const warnings: string[] = []
  if (counts.failed) problems.push(`${plural(counts.failed, 'image')} failed`)
  if (counts.invalid) problems.push(plural(counts.invalid, 'invalid reference'))
  if (counts.unresolved)
    (run.failOnUnresolved ? problems : warnings).push(plural(counts.unresolved, 'unresolved reference'))
  const unreadable = run.notices.filter((n: Notice) => n.level === 'error').length
  if (unreadable) problems.push(plural(unreadable, 'input problem'))
  if (counts.notAttempted && run.mode !== 'plan') {
    const why = run.cancelled ? ` (${run.cancelled})` : ''
    problems.push(`${plural(counts.notAttempted, 'image')} not attempted${why}`)
  } else if (run.cancelled) {
    // Stopped while reading the input: what was not read is in the notices.
    problems.push(`stopped early (${run.cancelled})`)
  }
  // A manifest missing from the output directory would silently not be deployed.
  if (run.rewrite?.problems.length)
    problems.push(`${plural(run.rewrite.problems.length, 'manifest file')} not written`)
  // A reference left as written sends the deploy upstream for that image: what rewrite is there to prevent.
  // Soft mode writes the rest and counts it with the other places left (leftWarmed).
  if (run.strict && run.rewrite?.unwritable.length)
    problems.push(
      `${plural(run.rewrite.unwritable.length, 'reference')} to warm images cannot be rewritten in place`,
    )
  if (counts.total === 0 && unreadable === 0) warnings.push('no image references found; check paths')
  if (counts.skippedUnmapped)
    warnings.push(`${plural(counts.skippedUnmapped, 'image')} skipped (registry not in registry-map)`)
  const left = leftWarmed(run)
  if (left) warnings.push(`${plural(left, 'reference')} to warm images not rewritten`)

  if (problems.length) {
    const reason = `${problems.join(', ')}${warnings.length ? `; ${warnings.join(', ')}` : ''}`
    return run.strict
      ? { exitCode: EXIT_IMAGES, conclusion: 'failure', reason, problems, warnings }
      : { exitCode: EXIT_OK, conclusion: 'warning', reason: `${reason} (strict: false)`, problems, warnings }
  }
  if (warnings.length)
    return { exitCode: EXIT_OK, conclusion: 'warning', reason: warnings.join(', '), problems, warnings }
  return {
    exitCode: EXIT_OK,
    conclusion: 'success',
    reason: successLine(run.mode, counts),
    problems,
    warnings,
  }
}

/** Places of cached or warmed images that `rewrite` left as written (the others' status says why). */
function leftWarmed(run: OutcomeInput): number {
  if (!run.rewrite?.written) return 0
  const warm = new Set(
    run.results.filter((r) => r.status === 'cached' || r.status === 'warmed').map((r) => r.reference),
  )
  return run.rewrite.left.filter((l) => warm.has(l.reference)).reduce((n, l) => n + l.places, 0)
}

function successLine(mode: RunResult['mode'], c: Counts): string {
  if (mode === 'plan') return `${plural(c.total, 'image')} planned`
  if (mode === 'check') return `all ${plural(c.total, 'image')} present in Zot`
  return `all ${plural(c.total, 'image')} in Zot (${c.cached} cached, ${c.warmed} warmed)`
}
