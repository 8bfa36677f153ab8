// Which annotations to emit. GitHub shows at most 10 errors and 10 warnings (and 10 notices) per step;
// anything past that is silently dropped from the PR diff. So: worst first, the first site of every
// image before second sites, and when a level overflows, one aggregated line in its last slot.
import {
  IMAGES_INPUT_FILE,
  type ImageResult,
  isWorkspaceFile,
  type Notice,
  type NoticeLevel,
  STDIN_FILE,
} from '../model.js'
import { briefMessage, REQUIRE_SIGNED } from '../warm/diagnose.js'
import { plural } from '../words.js'
import { isPlain, literal, oneLine } from './escape.js'
import { locationLabel, runtimeLabel, STATUS_LABEL, sourceLabel, statusRank } from './format.js'
import type { RunResult } from './types.js'

export const GITHUB_ANNOTATION_LIMIT = 10

export interface Annotation {
  level: NoticeLevel
  title: string
  message: string
  /** Repository-relative path; absent for references given directly or on stdin. */
  file?: string
  line?: number
  column?: number
  /** Where, for terminals: `deploy/app.yaml:12:18`, `-:3:14` (stdin), `images input #2`. */
  where?: string
}

export interface AnnotationOptions {
  /** Per-level limit (GitHub: 10). */
  limit?: number
  /** Slots kept free per level, e.g. one error for the step's own failure message. */
  reserve?: Partial<Record<NoticeLevel, number>>
  /** Workspace-relative path → repository-relative path (undefined: annotate without a file). */
  toRepoPath?: (file: string) => string | undefined
  /** What to point at in the aggregated line. */
  seeAlso?: string
  /**
   * Where the explanations that several images share are said once (an image's annotation carries its own
   * part and points there): default `the job summary`.
   */
  explainedIn?: string
}

interface Candidate extends Annotation {
  rank: number
  /** 0 for an image's first site, 1 for the others: every image gets a slot before any gets two. */
  repeat: number
  order: number
}

export function planAnnotations(
  run: Pick<RunResult, 'strict' | 'failOnUnresolved' | 'results' | 'notices'> &
    Partial<Pick<RunResult, 'rewrite'>>,
  opts: AnnotationOptions = {},
): Annotation[] {
  const failLevel: NoticeLevel = run.strict ? 'error' : 'warning'
  // A path with line breaks or escape sequences cannot be pointed at: such a site is named in the message.
  const toRepo = (f: string) => {
    const path = opts.toRepoPath ? opts.toRepoPath(f) : f
    return path !== undefined && isPlain(path) ? path : undefined
  }
  const candidates: Candidate[] = []
  let order = 0

  const levelOf = (r: ImageResult): NoticeLevel | undefined => {
    if (r.status === 'failed' || r.status === 'invalid') return failLevel
    if (r.status === 'unresolved') return run.failOnUnresolved ? failLevel : 'warning'
    return undefined
  }
  for (const r of run.results) {
    const level = levelOf(r)
    if (!level) continue
    const { title, message } = describe(r, opts.explainedIn ?? 'the job summary')
    r.sources.forEach((s, i) => {
      const file = isWorkspaceFile(s) ? toRepo(s.file) : undefined
      // An image the workload starts later: say so where it is annotated (a flag, not an image field).
      const runtime = runtimeLabel(s)
      const said = runtime ? `${message} (${runtime}: the workload starts this image later)` : message
      candidates.push({
        level,
        title,
        message: file || !isWorkspaceFile(s) ? said : `${said} (in ${sourceLabel(s)})`,
        ...(file ? { file, line: s.line, column: s.column } : {}),
        where: s.file === IMAGES_INPUT_FILE ? sourceLabel(s) : locationLabel(s),
        rank: statusRank(r.status),
        repeat: i === 0 ? 0 : 1,
        order: order++,
      })
    })
  }
  for (const n of run.notices) candidates.push(noticeCandidate(n, failLevel, toRepo, order++))
  // A warm image's place that `rewrite` cannot replace: the deploy would pull it from upstream there.
  for (const u of run.rewrite?.unwritable ?? []) {
    const file = u.file !== STDIN_FILE ? toRepo(u.file) : undefined
    const where = locationLabel(u)
    const message = `${literal(u.reference, 200)} cannot be rewritten here (rewrite: ${run.rewrite?.mode}), so the deploy would pull it from upstream: ${oneLine(u.why, 1000)}`
    candidates.push({
      level: failLevel,
      title: 'reference cannot be rewritten',
      message: file || u.file === STDIN_FILE ? message : `${message} (in ${where})`,
      ...(file ? { file, line: u.line, column: u.column } : {}),
      where,
      rank: statusRank('failed') + 0.5,
      repeat: 0,
      order: order++,
    })
  }

  const limit = opts.limit ?? GITHUB_ANNOTATION_LIMIT
  const out: Annotation[] = []
  for (const level of ['error', 'warning', 'notice'] as const) {
    const mine = candidates
      .filter((c) => c.level === level)
      .sort((a, b) => a.repeat - b.repeat || a.rank - b.rank || a.order - b.order)
    const slots = Math.max(1, limit - (opts.reserve?.[level] ?? 0))
    if (mine.length <= slots) {
      out.push(...mine.map(strip))
      continue
    }
    const shown = mine.slice(0, slots - 1)
    out.push(...shown.map(strip))
    const rest = mine.slice(slots - 1)
    const byTitle = new Map<string, number>()
    for (const c of rest) byTitle.set(c.title, (byTitle.get(c.title) ?? 0) + 1)
    const what = [...byTitle].map(([t, n]) => `${n} × ${t}`).join(', ')
    out.push({
      level,
      title: `zot-warm: ${plural(rest.length, 'more problem')}`,
      message: `… and ${rest.length} more (${what}): see ${opts.seeAlso ?? 'the job summary and the JSON report'}.`,
    })
  }
  return out
}

function describe(r: ImageResult, explainedIn: string): { title: string; message: string } {
  const ref = literal(r.reference, 200)
  if (r.status === 'invalid')
    return {
      title: 'invalid image reference',
      message: `"${ref}" is not a valid image reference: ${r.error ?? 'invalid'}`,
    }
  if (r.status === 'unresolved')
    return {
      title: 'unresolved image reference',
      message: `"${ref}" could not be resolved${r.error ? `: ${r.error}` : ''}`,
    }
  const parts = [`${ref} ${STATUS_LABEL[r.status]}${r.error ? `: ${r.error}` : ''}`]
  if (r.diagnosis) parts.push(briefMessage(r.diagnosis, (t) => `See “${t}” in ${explainedIn}.`))
  // In Zot, but `referrers: require-signed` found no signature of it there.
  const unsigned = r.referrers !== undefined && r.error?.endsWith(REQUIRE_SIGNED)
  return {
    title: unsigned ? 'image not signed' : 'image not warmed',
    message: oneLine(parts.join('. '), 1500),
  }
}

function noticeCandidate(
  n: Notice,
  failLevel: NoticeLevel,
  toRepo: (file: string) => string | undefined,
  order: number,
): Candidate {
  // An unreadable input hides images, so it weighs like a failure (and is softened like one).
  const level: NoticeLevel = n.level === 'error' ? failLevel : n.level
  const file = n.file && n.file !== '-' ? toRepo(n.file) : undefined
  return {
    level,
    title: n.level === 'error' ? 'input problem' : `input ${n.level}`,
    // Named in the message when its path cannot be pointed at (see toRepo).
    message:
      file || isPlain(n.file)
        ? oneLine(n.message, 1500)
        : `${oneLine(n.message, 1500)} (in ${locationLabel(n)})`,
    ...(file ? { file, line: n.line ?? 1, column: n.column ?? 1 } : {}),
    where: locationLabel(n),
    rank: n.level === 'error' ? 1.5 : 3.5,
    repeat: 0,
    order,
  }
}

function strip(c: Candidate): Annotation {
  const { rank: _r, repeat: _p, order: _o, ...a } = c
  return a
}
