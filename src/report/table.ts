// The final table as aligned plain text, for the log (Forgejo shows no job summary) and the CLI.
import { formatDuration } from '../inputs/duration.js'
import type { ImageResult } from '../model.js'
import { oneLine, STATUS_LABEL, shortDigest, sourceLabel, statusLabel, worstFirst } from './format.js'

const HEADERS = ['STATUS', 'IMAGE', 'ZOT REFERENCE', 'DIGEST', 'PLATFORMS', 'TIME', 'USED IN'] as const

/** `mode` only changes how not-attempted images are called in plan mode. */
export function renderTable(results: readonly ImageResult[], mode?: string): string {
  const rows = worstFirst(results).map((r) => [
    statusLabel(r.status, mode),
    oneLine(r.reference, 200),
    r.zotReference ? withoutResolvedDigest(r.zotReference) : '-',
    shortDigest(r.digest) || '-',
    r.platforms?.length ? r.platforms.join(',') : '-',
    r.status === 'cached' || r.status === 'warmed' || r.status === 'failed'
      ? formatDuration(r.durationMs)
      : '-',
    usedIn(r),
  ])
  const all = [[...HEADERS], ...rows]
  const widths = HEADERS.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)))
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** `repo:tag@sha256:…` → `repo:tag`: the DIGEST column already shows it, and lines stay readable. */
function withoutResolvedDigest(ref: string): string {
  const at = ref.indexOf('@')
  if (at < 0) return ref
  const name = ref.slice(0, at)
  return name.slice(name.lastIndexOf('/') + 1).includes(':') ? name : ref
}

function usedIn(r: ImageResult): string {
  const first = r.sources[0]
  if (!first) return '-'
  const more = r.sources.length - 1
  return more > 0 ? `${sourceLabel(first)} (+${more})` : sourceLabel(first)
}

/** Failed, invalid and unresolved images with their error and diagnosis, for the log. */
export function renderProblems(results: readonly ImageResult[]): string {
  const lines: string[] = []
  for (const r of worstFirst(results)) {
    if (r.status !== 'failed' && r.status !== 'invalid' && r.status !== 'unresolved') continue
    lines.push(`${STATUS_LABEL[r.status]}: ${oneLine(r.reference, 200)}`)
    if (r.error) lines.push(`  error:     ${oneLine(r.error, 1000)}`)
    if (r.diagnosis) lines.push(`  diagnosis: ${oneLine(r.diagnosis, 1000)}`)
    lines.push(
      `  used in:   ${r.sources.slice(0, 5).map(sourceLabel).join(', ')}${r.sources.length > 5 ? ', …' : ''}`,
    )
  }
  return lines.join('\n')
}
