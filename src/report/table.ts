// The final table as aligned plain text, for the log (Forgejo shows no job summary) and the CLI.
import { formatDuration } from '../inputs/duration.js'
import { IMAGES_INPUT_FILE, type ImageResult, STDIN_FILE } from '../model.js'
import { briefMessage, SEE_BELOW } from '../warm/diagnose.js'
import { literal, logLine, oneLine, printable } from './escape.js'
import {
  compactReference,
  explanationsOf,
  referrersLabel,
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
 * When a line would be too wide, columns give way in steps, each down to a floor: the platforms and the Zot
 * reference (the image with its registry swapped for a prefix) first, then the image. Where it is used keeps
 * room for its file name whole (`places: 'whole'`; fitPlace cuts the directories first) until both
 * references are cut to 28 and the Zot reference further, then for part of it (`'name'`: the name is cut in
 * its middle, its line and marks stay); only a table that cannot fit otherwise keeps just the end of it
 * (`'end'`), and the last step cuts everything (the 120 columns are a promise). STATUS, DIGEST, REFERRERS
 * and TIME are short by nature.
 */
const SHRINK_STEPS: readonly { cols: readonly Column[]; floor: number; places: PlaceRoom }[] = [
  { cols: ['USED IN', 'PLATFORMS'], floor: 20, places: 'whole' },
  { cols: ['ZOT REFERENCE'], floor: 28, places: 'whole' },
  { cols: ['USED IN', 'PLATFORMS'], floor: 14, places: 'whole' },
  { cols: ['IMAGE'], floor: 28, places: 'whole' },
  { cols: ['ZOT REFERENCE'], floor: 20, places: 'whole' },
  { cols: ['USED IN'], floor: 14, places: 'name' },
  { cols: ['PLATFORMS'], floor: 8, places: 'name' },
  { cols: ['IMAGE', 'ZOT REFERENCE'], floor: 16, places: 'name' },
  { cols: ['USED IN'], floor: 8, places: 'end' },
  { cols: FLEXIBLE, floor: 4, places: 'end' },
]
type PlaceRoom = 'whole' | 'name' | 'end'
/** Characters of a file name kept beside the line and marks of a place (`places: 'name'`). */
const PLACE_NAME = 12
/** A place longer than this (file name, line and marks) has its name cut even in `places: 'whole'`. */
const PLACE_WHOLE = 40

/**
 * The platforms cut to `max` at a platform, the rest counted: `linux/amd64,arm64,+2` (a platform cut in the
 * middle says nothing); else just how many (`4 platforms`).
 */
function fitPlatforms(text: string, max: number): string {
  if (length(text) <= max) return text
  const items = text.split(',')
  for (let keep = items.length - 1; keep > 0; keep--) {
    const shown = `${items.slice(0, keep).join(',')},+${items.length - keep}`
    if (length(shown) <= max) return shown
  }
  const count = `${items.length} platforms`
  return length(count) <= max ? count : shortenMiddle(text, max)
}

const GAP = '  '

/** Fits a 120-column terminal; long cells are shortened in the middle (the report keeps the full text). */
export const TABLE_WIDTH = 120

/**
 * Marks a place that names a runtime image (a container flag or env value the workload pulls later): short,
 * because the cell must keep the file name and line; the legend under the table says what it means, and the
 * problem lines, summaries and report name the flag or variable.
 */
export const RUNTIME_MARK = '(rt)'
const RUNTIME_LEGEND = `${RUNTIME_MARK} runtime image: named by a container flag or env value; the workload pulls it later`

/** The table's lines: the header, one row per image (worst first), and the legend of the marks it uses. */
export interface TableLines {
  header: string
  rows: string[]
  legend: string[]
}

/** The aligned table, with its legend (after an empty line) when a row needs one. */
export function renderTable(results: readonly ImageResult[], mode?: string, width = TABLE_WIDTH): string {
  const t = tableLines(results, mode, width)
  return [t.header, ...t.rows, ...(t.legend.length ? ['', ...t.legend] : [])].join('\n')
}

/** `mode` only changes how not-attempted images are called in plan mode. */
export function tableLines(results: readonly ImageResult[], mode?: string, width = TABLE_WIDTH): TableLines {
  const ordered = worstFirst(results)
  const places = ordered.map(placeOf)
  const all = ordered.map((r, i) => {
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
      'USED IN': `${places[i]?.path}${places[i]?.tail}`,
    }
    return cells
  })
  // A column with nothing in any row (plan mode's digests, platforms and times; referrers nobody has) only
  // takes width from the references and places: left out (the job summary and the report keep every field).
  const headers = COLUMNS.filter((c) => KEPT.includes(c) || all.some((cells) => !EMPTY.has(cells[c])))
  const at = (c: Column) => headers.indexOf(c)
  const [DIGEST, PLATFORMS, USED_IN] = [at('DIGEST'), at('PLATFORMS'), at('USED IN')]
  // Escaped per cell, so the columns stay aligned.
  let table: string[][] = [[...headers], ...all.map((cells) => headers.map((c) => logLine(cells[c])))]
  const natural = () => headers.map((_, i) => Math.max(...table.map((row) => length(row[i] ?? ''))))
  // Too wide: the digest column drops its `sha256:`, which every cell repeats.
  if (lineWidth(natural()) > width)
    table = table.map((row, r) =>
      row.map((cell, i) => (i === DIGEST && r > 0 ? cell.replace(/^sha256:/, '') : cell)),
    )
  const used = natural()[USED_IN] ?? 0
  const placeFloor = {
    // The name, line and marks, and `…/` before them when the file is in a directory: a place that lost
    // its directories without a mark would read as a file at the top of the workspace.
    whole: Math.min(
      used,
      PLACE_WHOLE,
      Math.max(...places.map((p) => length(p.name) + length(p.tail) + (p.path === p.name ? 0 : 2))),
    ),
    name: Math.min(used, Math.max(...places.map((p) => length(p.tail))) + PLACE_NAME),
  }
  const widths = fitWidths(
    natural(),
    typical(table),
    width,
    (cols) => cols.map(at).filter((i) => i >= 0),
    placeFloor,
  )
  const lines = table.map((row, r) =>
    row
      .map((cell, i) => {
        const w = widths[i] ?? 0
        const place = places[r - 1]
        const fitted =
          r > 0 && i === USED_IN && place
            ? fitPlace(place, w)
            : r > 0 && i === PLATFORMS
              ? fitPlatforms(cell, w)
              : shortenMiddle(cell, w)
        return i === row.length - 1 ? fitted : fitted.padEnd(w)
      })
      .join(GAP)
      .trimEnd(),
  )
  const marked = places.some((p) => p.runtime)
  return { header: lines[0] ?? '', rows: lines.slice(1), legend: marked ? [RUNTIME_LEGEND] : [] }
}

/** Columns shown even when every cell is empty. */
const KEPT: readonly Column[] = ['STATUS', 'IMAGE', 'USED IN']
/** What an empty cell shows: `-`, or `—` for an image whose referrers were looked at and none found. */
const EMPTY = new Set(['-', '—'])

/**
 * Column widths whose line fits `width`. The flexible columns start at the width most of their cells need
 * (`typical`), so one very long reference does not cut every other one; then they shrink as SHRINK_STEPS
 * says (within a step the widest first; USED IN not below `placeFloor` before its own last step), and what
 * room is left goes back to the ones that were cut.
 */
function fitWidths(
  natural: number[],
  typical: number[],
  width: number,
  indexes: (cols: readonly Column[]) => number[],
  placeFloor: Record<'whole' | 'name', number>,
): number[] {
  if (lineWidth(natural) <= width) return natural
  const flexible = indexes(FLEXIBLE)
  const [usedIn] = indexes(['USED IN'])
  // A column starts at what nine in ten of its cells need; the place column at least at its file names.
  const start = (i: number) =>
    i === usedIn ? Math.max(typical[i] ?? 0, placeFloor.whole) : (typical[i] ?? 0)
  const out = natural.map((w, i) => (flexible.includes(i) ? Math.min(w, start(i)) : w))
  for (const step of SHRINK_STEPS) {
    const cols = indexes(step.cols)
    const over = lineWidth(out) - width
    if (over <= 0) break
    const floor = (col: number) =>
      col === usedIn && step.places !== 'end' ? Math.max(step.floor, placeFloor[step.places]) : step.floor
    let left = cols.reduce((a, col) => a + (out[col] ?? 0), 0) - over
    const order = [...cols].sort((a, b) => (out[a] ?? 0) - (out[b] ?? 0))
    order.forEach((col, k) => {
      out[col] = Math.min(out[col] ?? 0, Math.max(floor(col), Math.floor(left / (order.length - k))))
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

/**
 * Where an image is used, in two parts: the file (escaped) and what must survive any cut: `:line`, the
 * runtime mark, `(+N)` more places.
 */
interface Place {
  path: string
  tail: string
  runtime: boolean
  /** The file name: the path after its last `/`. */
  name: string
}

function placeOf(r: ImageResult): Place {
  const first = r.sources[0]
  const more = r.sources.length > 1 ? ` (+${r.sources.length - 1})` : ''
  const runtime = first?.runtime !== undefined
  const tail = `:${first?.line}${runtime ? ` ${RUNTIME_MARK}` : ''}${more}`
  const path = !first
    ? '-'
    : first.file === IMAGES_INPUT_FILE
      ? `images input #${first.line}`
      : first.file === STDIN_FILE
        ? 'stdin'
        : logLine(printable(first.file))
  const place = { path, name: path.slice(path.lastIndexOf('/') + 1), runtime }
  return { ...place, tail: !first ? '' : first.file === IMAGES_INPUT_FILE ? more : tail }
}

/**
 * A place cut to `max`: the file name and its tail stay, the directories give way in the middle
 * (`clusters/pro…apps/web.yaml:12`); when even the name does not fit, the name is cut in the middle too
 * (its extension stays), and only a cell too narrow for a few of its characters keeps just the end.
 */
function fitPlace({ path, name, tail }: Place, max: number): string {
  const whole = `${path}${tail}`
  if (length(whole) <= max) return whole
  const room = max - length(tail)
  if (room < MIN_NAME) return max <= 1 ? '…'.slice(0, max) : `…${[...whole].slice(-(max - 1)).join('')}`
  const dirs = path.slice(0, path.length - name.length)
  const dirRoom = room - length(name)
  // A few characters of the directories say nothing: `…/` says there are some. Without it the place would
  // read as a file at the top of the workspace, so a name that keeps enough of itself gives up two
  // characters for it; in a cell narrower still the name comes first.
  if (dirs && dirRoom >= 2)
    return `${dirRoom >= MIN_NAME ? shortenMiddle(dirs, dirRoom) : '…/'}${name}${tail}`
  if (dirs && room - 2 >= PLACE_NAME) return `…/${shortenMiddle(name, room - 2)}${tail}`
  return `${shortenMiddle(name, room)}${tail}`
}
/** Fewer characters than this say nothing of a file name. */
const MIN_NAME = 6

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
