// Small presentation helpers shared by the table, the summary and the annotations.

import {
  IMAGES_INPUT_FILE,
  type ImageResult,
  type ImageStatus,
  type ReferrerKind,
  type Source,
  STDIN_FILE,
  signsImage,
} from '../model.js'
import type { RewriteSummary } from '../rewrite/index.js'
import { type DigestProof, PROOF_LABEL } from '../rewrite/target.js'
import { type Explanation, splitExplained } from '../warm/diagnose.js'
import { plural } from '../words.js'
import { literal, printable } from './escape.js'

/** Worst first: the order of tables, annotations and what survives when rows must be cut. */
export const STATUS_ORDER: readonly ImageStatus[] = [
  'failed',
  'invalid',
  'unresolved',
  'not-attempted',
  'skipped-unmapped',
  'warmed',
  'cached',
]

export const STATUS_LABEL: Record<ImageStatus, string> = {
  failed: 'failed',
  invalid: 'invalid',
  unresolved: 'unresolved',
  'not-attempted': 'not attempted',
  'skipped-unmapped': 'skipped',
  warmed: 'warmed',
  cached: 'cached',
}

export const STATUS_ICON: Record<ImageStatus, string> = {
  failed: '❌',
  invalid: '⛔',
  unresolved: '❓',
  'not-attempted': '⏸️',
  'skipped-unmapped': '⏭️',
  warmed: '🔥',
  cached: '✅',
}

/** In plan mode nothing is attempted on purpose: say "planned". */
export function statusLabel(status: ImageStatus, mode?: string): string {
  return mode === 'plan' && status === 'not-attempted' ? 'planned' : STATUS_LABEL[status]
}

export function statusIcon(status: ImageStatus, mode?: string): string {
  return mode === 'plan' && status === 'not-attempted' ? '📋' : STATUS_ICON[status]
}

export function statusRank(status: ImageStatus): number {
  return STATUS_ORDER.indexOf(status)
}

/** Stable sort, worst status first; ties keep extraction order. */
export function worstFirst(results: readonly ImageResult[]): ImageResult[] {
  return results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => statusRank(a.r.status) - statusRank(b.r.status) || a.i - b.i)
    .map((x) => x.r)
}

/** `sha256:0123456789abcdef…` → `sha256:0123456789ab`. */
export function shortDigest(digest: string | undefined): string {
  if (!digest) return ''
  const [alg, hex] = digest.split(':')
  return hex ? `${alg}:${hex.slice(0, 12)}` : digest
}

/**
 * A reference as a table shows it: a pinned digest cut to 12 hex digits and `…`. A 64-hex digest would push the
 * rest of the row off the screen; the JSON report keeps the full value.
 */
export function compactReference(ref: string): string {
  return ref.replace(
    /@([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([0-9a-fA-F]{16,})$/,
    (_, alg: string, hex: string) => `@${alg}:${hex.slice(0, 12)}…`,
  )
}

/** `repo:tag@sha256:…` → `repo:tag` (the digest has its own column); `repo@sha256:…` is compacted. */
export function zotReferenceLabel(ref: string): string {
  const at = ref.indexOf('@')
  if (at < 0) return ref
  const name = ref.slice(0, at)
  return name.slice(name.lastIndexOf('/') + 1).includes(':') ? name : compactReference(ref)
}

/**
 * `deploy/app.yaml:12`, `images input #3`, `stdin:4`. File names may hold anything a file system allows
 * (line breaks, escape sequences): they are shown escaped, so a label is always one harmless line. An image
 * the workload starts later is marked: `deploy/op.yaml:27 (runtime: arg --prometheus-config-reloader)` (the
 * 120-column table has its own, shorter mark).
 */
export function sourceLabel(source: Source): string {
  const runtime = runtimeLabel(source)
  const suffix = runtime ? ` (${runtime})` : ''
  if (source.file === IMAGES_INPUT_FILE) return `images input #${source.line}`
  if (source.file === STDIN_FILE) return `stdin:${source.line}${suffix}`
  return `${printable(source.file)}:${source.line}${suffix}`
}

/** `runtime: arg --executor-image`, `runtime: env RELATED_IMAGE_DB`; undefined for an image field. */
export function runtimeLabel(source: Source): string | undefined {
  if (!source.runtime) return undefined
  return `runtime: ${source.runtime}${source.runtimeName ? ` ${literal(source.runtimeName, 100)}` : ''}`
}

/** `deploy/app.yaml:12:7` (or less, as known), the file name escaped like sourceLabel's. */
export function locationLabel(where: { file: string; line?: number; column?: number }): string {
  const file = printable(where.file)
  if (!where.line) return file
  return `${file}:${where.line}${where.column ? `:${where.column}` : ''}`
}

/**
 * References longer than this are never valid (a name has at most 255 characters, a tag 128, a digest
 * 135): the run keeps such text cut in the middle, with its length, so a 50 MB value cannot bloat the
 * report, the outputs or the log.
 */
export const MAX_REFERENCE_TEXT = 1024

/** What `rewrite` did, in one line for the summaries (plain text: each renderer escapes it). */
export function describeRewrite(r: RewriteSummary): string {
  if (!r.written) return `rewrite ${r.mode}: nothing written: ${r.held ?? 'the run stopped'}`
  const where = r.output === '-' ? 'to stdout' : r.inPlace ? 'in place' : `to ${r.output}`
  const left = r.left.reduce((n, l) => n + l.places, 0)
  const parts = [
    `rewrite ${r.mode}: ${plural(r.rewritten, 'reference')} rewritten in ${plural(r.changedFiles, 'file')}, ${plural(r.files, 'file')} written ${where}`,
  ]
  if (r.unchanged) parts.push(`${plural(r.unchanged, 'reference')} already as verified`)
  const proofs = Object.entries(r.pinnedBy ?? {}).filter(([, n]) => n > 0)
  if (proofs.length)
    parts.push(
      `pinned as upstream's digest by ${proofs.map(([by, n]) => `${PROOF_LABEL[by as DigestProof['by']]} (${n})`).join(', ')}`,
    )
  if (left) parts.push(`${plural(left, 'place')} left as written (see the warnings and statuses)`)
  if (r.problems.length) parts.push(`${plural(r.problems.length, 'file')} not written`)
  return parts.join('; ')
}

const KIND_LABEL: Record<ReferrerKind, string> = {
  signature: 'signed',
  attestation: 'attested',
  sbom: 'sbom',
  other: 'other',
}

/**
 * The referrers column: what the cache holds for the image (`signed, sbom`), `—` for nothing, `not verified`
 * when it could not be read without a sync, empty when not looked at (`referrers: off`, plan mode). `signed`
 * means a signature of the image's own digest (signsImage), not of one of its platforms only.
 */
export function referrersLabel(r: Pick<ImageResult, 'referrers' | 'digest'>): string {
  if (!r.referrers || r.referrers.state === 'off') return ''
  const present = new Set(r.referrers.items.map((i) => i.kind))
  if (!signsImage(r.referrers.items, r.digest)) present.delete('signature')
  const kinds = (Object.keys(KIND_LABEL) as ReferrerKind[])
    .filter((k) => present.has(k))
    .map((k) => KIND_LABEL[k])
  if (r.referrers.state === 'not-verified') kinds.push('not verified')
  return kinds.length ? kinds.join(', ') : '—'
}

/** Whether any result has referrers to show (the column is left out otherwise). */
export function showsReferrers(results: readonly ImageResult[]): boolean {
  return results.some((r) => referrersLabel(r) !== '')
}

/** Size as GitHub counts a summary: UTF-8 bytes. */
export function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/**
 * The longest prefix of `items` that fits in `budget` bytes (each item counted with `separator` more bytes,
 * e.g. 1 for the line feed that joins them), and the bytes it takes: what a summary keeps when rows must be cut.
 */
export function fitting(
  items: readonly string[],
  budget: number,
  separator = 0,
): { kept: string[]; used: number } {
  const kept: string[] = []
  let used = 0
  for (const item of items) {
    const size = bytes(item) + separator
    if (used + size > budget) break
    kept.push(item)
    used += size
  }
  return { kept, used }
}

/** The explanations the diagnoses and warnings of these results share, each once, in order of first use. */
export function explanationsOf(results: readonly ImageResult[]): Explanation[] {
  const out: Explanation[] = []
  for (const r of results)
    for (const text of [r.diagnosis, ...r.warnings]) {
      const e = text === undefined ? undefined : splitExplained(text).explanation
      if (e && !out.some((o) => o.title === e.title && o.text === e.text)) out.push(e)
    }
  return out
}
