// The final table as aligned plain text, for the log (Forgejo shows no job summary) and the CLI.
import { formatDuration } from '../inputs/duration.js'
import type { ImageResult } from '../model.js'
import { literal, logLine, oneLine } from './escape.js'
import {
  briefMessage,
  compactReference,
  explanationsOf,
  referrersLabel,
  SEE_BELOW,
  STATUS_LABEL,
  shortDigest,
  sourceLabel,
  statusLabel,
  worstFirst,
  zotReferenceLabel,
} from './format.js'

const COLUMNS = [
  'STATUS',
  'IMAGE',
  'ZOT REFERENCE',
  'DIGEST',
  'PLATFORMS',
  'REFERRERS',
  'TIME',
  'USED IN',
] as const
type Column = (typeof COLUMNS)[number]
/** The columns that give way. */
const FLEXIBLE: readonly Column[] = ['IMAGE', 'ZOT REFERENCE', 'USED IN', 'PLATFORMS']
/**
 * When a line would be too wide, columns give way in steps, each down to a floor: where it is used and the
 * platforms first (the problem lines below the table name every place in full), then the Zot reference
 * (the image with its registry swapped for a prefix), and so on in turn, the image last.
 * STATUS, DIGEST, REFERRERS and TIME are short by nature.
 */
const SHRINK_STEPS: readonly { cols: readonly Column[]; floor: number }[] = [
  { cols: ['USED IN', 'PLATFORMS'], floor: 20 },
  { cols: ['ZOT REFERENCE'], floor: 28 },
  { cols: ['USED IN', 'PLATFORMS'], floor: 14 },
  { cols: ['IMAGE', 'ZOT REFERENCE'], floor: 24 },
  { cols: ['USED IN', 'PLATFORMS'], floor: 8 },
  { cols: ['IMAGE', 'ZOT REFERENCE'], floor: 12 },
]
const GAP = '  '

/** Fits a 120-column terminal; long cells are shortened in the middle (the report keeps the full text). */
export const TABLE_WIDTH = 120

/** `mode` only changes how not-attempted images are called in plan mode. */
export function renderTable(results: readonly ImageResult[], mode?: string, width = TABLE_WIDTH): string {
  // The referrers column only when some image has referrers to show (or unverified ones): a column of
  // dashes would only take width from the references (the job summary and the report keep the "—").
  const withReferrers = results.some((r) => !['', '—'].includes(referrersLabel(r)))
  const headers = COLUMNS.filter((c) => c !== 'REFERRERS' || withReferrers)
  const at = (c: Column) => headers.indexOf(c)
  const [DIGEST, USED_IN] = [at('DIGEST'), at('USED IN')]
  const rows = worstFirst(results).map((r) => {
    const cells: Record<Column, string> = {
      STATUS: statusLabel(r.status, mode),
      // Short digests in every table (the report keeps the full ones).
      IMAGE: compactReference(literal(r.reference, 200)),
      'ZOT REFERENCE': r.zotReference ? zotReferenceLabel(r.zotReference) : '-',
      DIGEST: shortDigest(r.digest) || '-',
      PLATFORMS: r.platforms?.length ? compactPlatforms(r.platforms) : '-',
      // `signed,attested,sbom`: the summary's label without spaces, as the platforms are written.
      REFERRERS: referrersLabel(r).replace(/, /g, ',').replace('not verified', 'unverified') || '-',
      TIME:
        r.status === 'cached' || r.status === 'warmed' || r.status === 'failed'
          ? formatDuration(r.durationMs)
          : '-',
      'USED IN': usedIn(r),
    }
    // Escaped per cell, so the columns stay aligned.
    return headers.map((c) => logLine(cells[c]))
  })
  let all: string[][] = [[...headers], ...rows]
  const natural = () => headers.map((_, i) => Math.max(...all.map((row) => length(row[i] ?? ''))))
  // Too wide: the digest column drops its `sha256:`, which every cell repeats.
  if (lineWidth(natural()) > width)
    all = all.map((row, r) =>
      row.map((cell, i) => (i === DIGEST && r > 0 ? cell.replace(/^sha256:/, '') : cell)),
    )
  const widths = fitWidths(natural(), typical(all), width, (cols) => cols.map(at).filter((i) => i >= 0))
  return all
    .map((row) =>
      row
        .map((cell, i) => {
          const fitted = shorten(cell, widths[i] ?? 0, i === USED_IN ? 'start' : 'middle')
          return i === row.length - 1 ? fitted : fitted.padEnd(widths[i] ?? 0)
        })
        .join(GAP)
        .trimEnd(),
    )
    .join('\n')
}

/**
 * Column widths whose line fits `width`. The flexible columns start at the width most of their cells need
 * (`typical`), so one very long reference does not cut every other one; then they shrink as SHRINK_STEPS
 * says (within a step the widest first), and what room is left goes back to the ones that were cut.
 */
function fitWidths(
  natural: number[],
  typical: number[],
  width: number,
  indexes: (cols: readonly Column[]) => number[],
): number[] {
  if (lineWidth(natural) <= width) return natural
  const flexible = indexes(FLEXIBLE)
  const out = natural.map((w, i) => (flexible.includes(i) ? Math.min(w, typical[i] ?? w) : w))
  for (const step of SHRINK_STEPS) {
    const { floor } = step
    const cols = indexes(step.cols)
    const over = lineWidth(out) - width
    if (over <= 0) break
    let left = cols.reduce((a, col) => a + (out[col] ?? 0), 0) - over
    const order = [...cols].sort((a, b) => (out[a] ?? 0) - (out[b] ?? 0))
    order.forEach((col, k) => {
      out[col] = Math.min(out[col] ?? 0, Math.max(floor, Math.floor(left / (order.length - k))))
      left -= out[col] ?? 0
    })
  }
  // Room left (a column started at its typical width, or a step took more than needed): shared out evenly
  // among the columns that were cut, none past what it needs.
  for (let room = width - lineWidth(out); room > 0; ) {
    const cut = flexible.filter((col) => (out[col] ?? 0) < (natural[col] ?? 0))
    if (cut.length === 0) break
    const share = Math.max(1, Math.floor(room / cut.length))
    for (const col of cut) {
      const add = Math.min(share, room, (natural[col] ?? 0) - (out[col] ?? 0))
      out[col] = (out[col] ?? 0) + add
      room -= add
    }
  }
  return out
}

/** Per column, the width that nine in ten of its cells fit in, and never less than its header. */
function typical(rows: string[][]): number[] {
  return (rows[0] ?? []).map((header, i) => {
    const sorted = rows.map((row) => length(row[i] ?? '')).sort((a, b) => a - b)
    return Math.max(header.length, sorted[Math.floor((sorted.length - 1) * 0.9)] ?? 0)
  })
}

function lineWidth(widths: readonly number[]): number {
  return widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1)
}

/** `linux/amd64,linux/arm64,linux/arm/v7` → `linux/amd64,arm64,arm/v7`: the OS once per run of it. */
function compactPlatforms(platforms: readonly string[]): string {
  let os = ''
  return platforms
    .map((p) => {
      const slash = p.indexOf('/')
      const pOs = slash < 0 ? p : p.slice(0, slash)
      const shown = pOs === os && slash >= 0 ? p.slice(slash + 1) : p
      os = pOs
      return shown
    })
    .join(',')
}

/** References keep both ends (registry and tag); a place keeps its end (file name and line). */
function shorten(text: string, max: number, where: 'middle' | 'start'): string {
  if (length(text) <= max) return text
  if (where === 'middle') return shortenMiddle(text, max)
  return max <= 1 ? '…'.slice(0, max) : `…${[...text].slice(-(max - 1)).join('')}`
}

/** `docker.io/library/verylongname:1.0` → `docker.io/lib…ame:1.0`: both ends say the most. */
export function shortenMiddle(text: string, max: number): string {
  const chars = [...text]
  if (chars.length <= max) return text
  if (max <= 1) return '…'.slice(0, max)
  const keep = max - 1
  const head = Math.ceil(keep / 2)
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`
}

/** Length in code points, as a terminal counts these (ASCII) cells. */
function length(text: string): number {
  return [...text].length
}

function usedIn(r: ImageResult): string {
  const first = r.sources[0]
  if (!first) return '-'
  const more = r.sources.length - 1
  const label = sourceLabel(first, 'short')
  return more > 0 ? `${label} (+${more})` : label
}

/** Failed, invalid and unresolved images with their error and diagnosis, for the log. */
export function renderProblems(results: readonly ImageResult[]): string {
  const lines: string[] = []
  const shown = worstFirst(results).filter(
    (r) => r.status === 'failed' || r.status === 'invalid' || r.status === 'unresolved',
  )
  for (const r of shown) {
    lines.push(`${STATUS_LABEL[r.status]}: ${compactReference(literal(r.reference, 200))}`)
    if (r.error) lines.push(`  error:     ${oneLine(r.error, 1000)}`)
    if (r.diagnosis) lines.push(`  diagnosis: ${oneLine(briefMessage(r.diagnosis, SEE_BELOW), 1000)}`)
    lines.push(
      `  used in:   ${r.sources
        .slice(0, 5)
        .map((s) => sourceLabel(s))
        .join(', ')}${r.sources.length > 5 ? ', …' : ''}`,
    )
  }
  // Each shared explanation once, after the images that point at it.
  for (const e of explanationsOf(shown)) lines.push('', `${e.title}:`, `  ${oneLine(e.text, 4000)}`)
  return lines.join('\n')
}
