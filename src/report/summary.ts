// The job summary (GITHUB_STEP_SUMMARY) as one string. HTML tables rather than Markdown ones: a reference
// or an error may contain `|`, backticks or `*`, and inside an HTML block only `& < > "` need escaping, as
// long as no text adds a line break (a blank line would end the block): every value goes through htmlText.
// GitHub refuses summaries over 1 MiB per step, so rows are cut (worst kept) to stay within a budget.
// The pull request comment on GitHub is built from the same pieces (renderHtmlResults).
import { formatDuration } from '../inputs/duration.js'
import { type ImageResult, isWorkspaceFile, type Notice, type Source } from '../model.js'
import { briefMessage, SEE_BELOW } from '../warm/diagnose.js'
import { plural } from '../words.js'
import { htmlText as esc, literal } from './escape.js'
import {
  bytes,
  compactReference,
  describeRewrite,
  explanationsOf,
  fitting,
  referrersLabel,
  STATUS_ICON,
  STATUS_LABEL,
  shortDigest,
  showsReferrers,
  sourceLabel,
  statusIcon,
  statusLabel,
  worstFirst,
  zotReferenceLabel,
} from './format.js'
import { fileUrl, type RepoContext, repoPath } from './links.js'
import { countReferrers, countResults, type Outcome, type ReferrerCounts } from './outcome.js'
import type { RunResult } from './types.js'

/** Well below GitHub's 1 MiB per step, leaving room for other steps' habits of appending. */
export const SUMMARY_BUDGET_BYTES = 900 * 1024

export interface SummaryOptions {
  /** Repository context for file links; without it sources are plain text. */
  repo?: RepoContext
  /** Directory the sources' paths are relative to. */
  workspace: string
  /** Where the JSON report was written, to point at when rows are cut. */
  reportPath?: string
  budgetBytes?: number
  /** Sources linked per image row. */
  sourcesPerRow?: number
}

/** The image table's columns; each surface picks the ones that fit where it is read. */
export type Column =
  | 'status'
  | 'image'
  | 'zot'
  | 'digest'
  | 'digestPlatforms'
  | 'referrers'
  | 'time'
  | 'usedIn'

export const COLUMN_HEADER: Record<Column, string> = {
  status: 'Status',
  image: 'Image',
  zot: 'Zot reference',
  digest: 'Digest',
  digestPlatforms: 'Digest · platforms',
  referrers: 'Referrers',
  time: 'Time',
  usedIn: 'Used in',
}

/** How the results are laid out: the job summary's way, or the pull request comment's. */
export interface HtmlLayout {
  columns: readonly Column[]
  /** The job summary shows the table first; a comment leads with what needs fixing. */
  first: 'table' | 'problems'
  /** The limit that made rows go, for the cut notes: "GitHub's summary size limit". */
  limit: string
  /** HTML appended to a cut note: where the rest can be read (starts with a space). */
  rest: string
}

const SUMMARY_COLUMNS: readonly Column[] = [
  'status',
  'image',
  'zot',
  'digestPlatforms',
  'referrers',
  'time',
  'usedIn',
]

export const CONCLUSION_ICON = { success: '✅', warning: '⚠️', failure: '❌' } as const

/** The title line: why the run failed or warned, or its success line. */
export function headline(outcome: Outcome): string {
  return outcome.conclusion === 'success'
    ? outcome.reason
    : `${outcome.conclusion === 'failure' ? 'failed' : 'warning'}: ${outcome.reason}`
}

export function renderSummary(run: RunResult, outcome: Outcome, opts: SummaryOptions): string {
  const rest = opts.reportPath
    ? ` The full list is in the JSON report (<code>${esc(opts.reportPath)}</code>, also in the step's <code>report</code> output).`
    : ' Write the JSON report (<code>report</code> input) for the full list.'
  return renderHtmlResults(run, outcome, opts, {
    columns: SUMMARY_COLUMNS,
    first: 'table',
    limit: "GitHub's summary size limit",
    rest,
  })
}

/** Head, input problems, the image table and the problem details, cut (worst kept) to the byte budget. */
export function renderHtmlResults(
  run: RunResult,
  outcome: Outcome,
  opts: SummaryOptions,
  layout: HtmlLayout,
): string {
  const budget = opts.budgetBytes ?? SUMMARY_BUDGET_BYTES
  const head = renderHead(run, outcome) + renderUnwritable(run, opts)
  const noticeBlock = renderNotices(run.notices, opts)
  const ordered = worstFirst(run.results)

  const detailed = ordered.filter(needsDetail)
  const detailBlocks = detailed.map((r) => renderDetail(r, opts))
  // Said once, after the images that point at them; kept whatever is cut (a few hundred bytes each).
  const explanations = explanationsOf(detailed)
    .map((e) => `<h4>ℹ️ ${esc(e.title)}</h4>\n<p>${esc(e.text, 4000)}</p>\n`)
    .join('')
  // The referrers column only when an image has referrers to show (not looked at: `referrers: off`, plan).
  const withReferrers = showsReferrers(run.results)
  const columns = layout.columns.filter((c) => c !== 'referrers' || withReferrers)
  const rows = ordered.map((r) => renderRow(r, opts, run.mode, columns))

  const tableOpen = `<h3>Images</h3>\n<table>\n<tr>${columns.map((c) => `<th>${COLUMN_HEADER[c]}</th>`).join('')}</tr>\n`
  const tableClose = '</table>\n'
  const reserve = 2048 // the notes about what was cut
  let left =
    budget -
    bytes(head) -
    bytes(noticeBlock) -
    bytes(tableOpen) -
    bytes(tableClose) -
    bytes(explanations) -
    reserve

  // Details of failures matter most, but must not crowd out the table: at most 40% of what is left.
  const detailShare = Math.floor(Math.max(0, left) * 0.4)
  const { kept: keptDetails, used } = fitting(detailBlocks, detailShare)
  left -= used
  const { kept: keptRows } = fitting(rows, left)

  let table = ''
  if (rows.length) {
    table = tableOpen + keptRows.join('') + tableClose
    if (keptRows.length < rows.length)
      table += `<p>✂️ <b>Showing ${keptRows.length} of ${rows.length} images</b> (worst first) to stay under ${layout.limit}.${layout.rest}</p>\n`
  }
  let details = ''
  if (detailBlocks.length) {
    details = `<h3>Problems and warnings</h3>\n${keptDetails.join('')}`
    if (keptDetails.length < detailBlocks.length)
      details += `<p>✂️ <b>Details shown for ${keptDetails.length} of ${detailBlocks.length} images.</b>${layout.rest}</p>\n`
    details += explanations
  }
  return head + noticeBlock + (layout.first === 'table' ? table + details : details + table)
}

/** Failed, invalid and unresolved images, and any with warnings, get a detail block. */
export function needsDetail(r: ImageResult): boolean {
  return PROBLEM_STATUSES.has(r.status) || r.warnings.length > 0
}

const PROBLEM_STATUSES = new Set(['failed', 'invalid', 'unresolved'])

function renderHead(run: RunResult, outcome: Outcome): string {
  const c = countResults(run.results)
  const title = headline(outcome)
  const facts: string[] = []
  if (run.zotUrl) facts.push(`<b>Zot</b> <code>${esc(run.zotUrl)}</code>`)
  // Zot builds without a release tag (e.g. `go install`) report no version.
  if (run.zot) facts.push(`version <code>${esc(run.zot.version ?? 'unknown', 100)}</code>`)
  facts.push(`mode <b>${run.mode}</b>`)
  facts.push(run.strict ? 'strict' : 'soft (strict: false)')
  facts.push(formatDuration(run.durationMs))
  facts.push(`${plural(run.files, 'file')} scanned`)
  if (run.cancelled) facts.push(`<b>stopped early: ${esc(run.cancelled)}</b>`)
  let out = `<h2>${CONCLUSION_ICON[outcome.conclusion]} zot-warm: ${esc(title, 400)}</h2>\n`
  out += `<p>${facts.join(' · ')}</p>\n`
  out +=
    '<table>\n<tr><th>total</th><th>✅ cached</th><th>🔥 warmed</th><th>❌ failed</th><th>⏭️ skipped</th><th>❓ unresolved</th><th>⛔ invalid</th></tr>\n'
  out += `<tr>${[c.total, c.cached, c.warmed, c.failed, c.skipped, c.unresolved, c.invalid].map((n) => `<td>${n}</td>`).join('')}</tr>\n</table>\n`
  const referrers = countReferrers(run.results)
  if (referrers) out += `<p>${esc(referrersLine(referrers))}</p>\n`
  if (run.hardFailure) {
    out += `<p><b>${esc(run.hardFailure.message)}</b>${run.hardFailure.hint ? `<br>${esc(run.hardFailure.hint)}` : ''}</p>\n`
  }
  if (run.rewrite) out += `<p>📝 ${esc(describeRewrite(run.rewrite))}</p>\n`
  return out
}

function renderNotices(notices: readonly Notice[], opts: SummaryOptions): string {
  const shown = notices.filter((n) => n.level !== 'notice')
  if (!shown.length) return ''
  const items = shown.slice(0, 200).map((n) => {
    const where = n.line ? linkTo({ file: n.file, line: n.line, column: n.column ?? 1 }, opts) : esc(n.file)
    return `<li>${n.level === 'error' ? '❌' : '⚠️'} ${where}: ${esc(n.message, 1000)}</li>`
  })
  const more = shown.length > 200 ? `<li>… and ${shown.length - 200} more in the report</li>` : ''
  return `<h3>Input problems</h3>\n<ul>\n${items.join('\n')}${more ? `<li>… and ${more} more</li>` : ''}\n</ul>\n`
}

/** Places `rewrite` cannot replace, at most this many listed (all are in the log and the annotations). */
const UNWRITABLE_SHOWN = 20

/** Which places `rewrite` could not replace a summary lists, and with which mark: each fails a strict run. */
export function unwritableShown(run: RunResult) {
  const places = run.rewrite?.unwritable ?? []
  return {
    icon: run.strict ? '❌' : '⚠️',
    shown: places.slice(0, UNWRITABLE_SHOWN),
    more: Math.max(0, places.length - UNWRITABLE_SHOWN),
  }
}

/** The places of warm images `rewrite` could not replace: each fails a strict run. */
function renderUnwritable(run: RunResult, opts: SummaryOptions): string {
  const { icon, shown, more } = unwritableShown(run)
  if (!shown.length) return ''
  const items = shown.map(
    (u) =>
      `<li>${icon} ${linkTo(u, opts)} <code>${breakable(esc(compactReference(literal(u.reference, 300))))}</code>: ${esc(u.why, 1000)}</li>`,
  )
  return `<p><b>${esc(unwritableHeading(run))}</b></p>\n<ul>\n${items.join('\n')}${more ? `<li>… and ${more} more</li>` : ''}\n</ul>\n`
}

/** Above the list of places `rewrite` could not replace: what it means for the deploy. */
export function unwritableHeading(run: RunResult): string {
  const n = run.rewrite?.unwritable.length ?? 0
  const these = n === 1 ? 'This reference' : `These ${n} references`
  return `${these} to warm images cannot be rewritten in place: the deploy would pull ${n === 1 ? 'it' : 'them'} from upstream${run.strict ? ' (strict: nothing was written)' : ''}.`
}

/** `Referrers in Zot: 3 of 5 images signed, 2 attested, 1 with an SBOM, 1 not verified.` */
export function referrersLine(c: ReferrerCounts): string {
  const parts = [`${c.signed} of ${plural(c.checked, 'image')} signed`, `${c.attested} attested`]
  parts.push(`${c.sbom} with an SBOM`)
  if (c.notVerified)
    parts.push(`${c.notVerified} not verified (Zot's search extension is off or cannot read them)`)
  return `Referrers in Zot: ${parts.join(', ')}.`
}

/** How a surface writes the pieces of a table cell (HTML in the job summary, Markdown on Forgejo). */
export interface CellMarkup {
  /** A reference, as code that may wrap. */
  reference(text: string): string
  /** A short code value (a digest). */
  code(text: string): string
  text(text: string): string
  /** Between the digest and the platforms. */
  platformBreak: string
  source(s: Source): string
  sourcesPerRow: number
}

/** One cell of an image row: the same content on every surface, each with its own markup. */
export function tableCell(r: ImageResult, column: Column, mode: string, m: CellMarkup): string {
  switch (column) {
    case 'status':
      // A no-break space: the icon never ends up alone on a line above its word.
      return `${statusIcon(r.status, mode)}\u00a0${statusLabel(r.status, mode)}`
    case 'image':
      return m.reference(compactReference(literal(r.reference, 300)))
    case 'zot':
      return r.zotReference ? m.reference(zotReferenceLabel(r.zotReference)) : ''
    case 'digest':
      return r.digest ? m.code(shortDigest(r.digest)) : ''
    case 'digestPlatforms':
      return [tableCell(r, 'digest', mode, m), r.platforms?.length ? m.text(r.platforms.join(', ')) : '']
        .filter(Boolean)
        .join(m.platformBreak)
    case 'referrers':
      return m.text(referrersLabel(r))
    case 'time':
      return r.status === 'cached' || r.status === 'warmed' || r.status === 'failed'
        ? formatDuration(r.durationMs)
        : ''
    case 'usedIn': {
      const perRow = m.sourcesPerRow
      const sources = r.sources.slice(0, perRow).map(m.source)
      if (r.sources.length > perRow) sources.push(`+${r.sources.length - perRow} more`)
      // One per line (both forges keep a `<br>` in a Markdown table cell too).
      return sources.join('<br>')
    }
  }
}

function renderRow(r: ImageResult, opts: SummaryOptions, mode: string, columns: readonly Column[]): string {
  const markup: CellMarkup = {
    reference: (t) => `<code>${breakable(esc(t))}</code>`,
    code: (t) => `<code>${esc(t)}</code>`,
    text: (t) => esc(t),
    platformBreak: '<br>',
    source: (s) => linkTo(s, opts),
    sourcesPerRow: opts.sourcesPerRow ?? 3,
  }
  return `<tr>${columns.map((c) => `<td>${tableCell(r, c, mode, markup)}</td>`).join('')}</tr>\n`
}

function renderDetail(r: ImageResult, opts: SummaryOptions): string {
  const lines: string[] = []
  if (r.error) lines.push(`<b>Error:</b> ${esc(r.error, 2000)}`)
  if (r.diagnosis) lines.push(`<b>Diagnosis:</b> ${esc(briefMessage(r.diagnosis, SEE_BELOW), 2000)}`)
  for (const w of r.warnings.slice(0, 10))
    lines.push(`<b>Warning:</b> ${esc(briefMessage(w, SEE_BELOW), 1000)}`)
  if (r.zotReference)
    lines.push(`<b>Zot reference:</b> <code>${esc(zotReferenceLabel(r.zotReference))}</code>`)
  if (r.rewrittenAs)
    lines.push(`<b>Rewritten as:</b> <code>${breakable(esc(compactReference(r.rewrittenAs)))}</code>`)
  const sources = r.sources.slice(0, 10).map((s) => linkTo(s, opts))
  if (r.sources.length > 10) sources.push(`+${r.sources.length - 10} more`)
  lines.push(`<b>Used in:</b> ${sources.join(', ')}`)
  const ref = breakable(esc(compactReference(literal(r.reference, 300))))
  return `<h4>${STATUS_ICON[r.status]} ${STATUS_LABEL[r.status]}: <code>${ref}</code></h4>\n<p>${lines.join('<br>\n')}</p>\n`
}

function linkTo(s: Source, opts: SummaryOptions): string {
  const label = breakable(esc(sourceLabel(s)))
  if (!opts.repo || !isWorkspaceFile(s)) return label
  const path = repoPath(opts.repo, opts.workspace, s.file)
  return path
    ? `<a href="${esc(fileUrl(opts.repo, path, s.line), Number.MAX_SAFE_INTEGER)}">${label}</a>`
    : label
}

/**
 * Lets a browser wrap a long reference or path after each `/` and before `@` (`<wbr>`, which GitHub's and
 * Forgejo's sanitizers keep): otherwise one unbreakable name sets a column's width and pushes the table's
 * last columns off the screen. For text that is already escaped; copying it copies no extra characters.
 */
export function breakable(escaped: string): string {
  return escaped.replace(/\//g, '/<wbr>').replace(/@/g, '<wbr>@')
}
