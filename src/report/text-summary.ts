// The job summary for Forgejo: its runner has no summary page and prints the file into the log, so the
// summary is Markdown that reads well as plain text: the aligned table in a fenced block, then the problems
// as a list with Markdown links to the lines (rendered, should the instance ever render summaries).
// The pull request comment on Forgejo is built from the same pieces (renderMarkdownResults), with a Markdown
// table that the forge renders, links included.
import { formatDuration } from '../inputs/duration.js'
import { type ImageResult, isWorkspaceFile, type Source } from '../model.js'
import { briefMessage, SEE_BELOW } from '../warm/diagnose.js'
import { plural } from '../words.js'
import { literal, logText, markdownCode, markdownText as md } from './escape.js'
import {
  bytes,
  compactReference,
  describeRewrite,
  explanationsOf,
  fitting,
  STATUS_LABEL,
  showsReferrers,
  sourceLabel,
  worstFirst,
} from './format.js'
import { fileUrl, type RepoContext, repoPath } from './links.js'
import { countReferrers, countResults, type Outcome } from './outcome.js'
import {
  breakable,
  type CellMarkup,
  COLUMN_HEADER,
  CONCLUSION_ICON,
  type Column,
  headline,
  needsDetail,
  referrersLine,
  SUMMARY_BUDGET_BYTES,
  tableCell,
  unwritableHeading,
  unwritableShown,
} from './summary.js'
import { tableLines } from './table.js'
import type { RunResult } from './types.js'

export interface TextSummaryOptions {
  repo?: RepoContext
  workspace?: string
  reportPath?: string
  budgetBytes?: number
}

/** How the results are laid out: the Forgejo job summary's way, or the pull request comment's. */
export interface MarkdownLayout {
  /** `fenced`: the aligned plain-text table (read in the log); `markdown`: a table the forge renders. */
  table: 'fenced' | { columns: readonly Column[] }
  first: 'table' | 'problems'
  /** The limit that made rows go, for the cut notes. */
  limit: string
  /** Markdown appended to a cut note: where the rest can be read (starts with a space or is empty). */
  rest: string
}

export function renderTextSummary(run: RunResult, outcome: Outcome, opts: TextSummaryOptions = {}): string {
  const where = opts.reportPath ? ` (${md(opts.reportPath)})` : ''
  return renderMarkdownResults(run, outcome, opts, {
    table: 'fenced',
    first: 'table',
    limit: 'the summary size limit',
    rest: ` The full list is in the JSON report${where}.`,
  })
}

/** Head, the image table and the problem list, cut (worst kept) to the byte budget. */
export function renderMarkdownResults(
  run: RunResult,
  outcome: Outcome,
  opts: TextSummaryOptions,
  layout: MarkdownLayout,
): string {
  const c = countResults(run.results)
  const facts = [
    // In a code span: a forge would turn the bare URL into a link.
    run.zotUrl ? `Zot ${markdownCode(run.zotUrl)}` : undefined,
    run.zot ? `version ${md(run.zot.version ?? 'unknown', 100)}` : undefined,
    `mode ${run.mode}`,
    run.strict ? 'strict' : 'soft',
    formatDuration(run.durationMs),
    `${plural(run.files, 'file')} scanned`,
    run.cancelled ? `stopped early: ${md(run.cancelled)}` : undefined,
  ].filter(Boolean)
  let head = `## ${CONCLUSION_ICON[outcome.conclusion]} zot-warm: ${md(headline(outcome), 400)}\n\n${facts.join(' · ')}\n\n`
  head += `total ${c.total} · cached ${c.cached} · warmed ${c.warmed} · failed ${c.failed} · skipped ${c.skipped} · unresolved ${c.unresolved} · invalid ${c.invalid}\n\n`
  const referrers = countReferrers(run.results)
  if (referrers) head += `${md(referrersLine(referrers))}\n\n`
  if (run.hardFailure) {
    const { hint } = run.hardFailure
    // `****` alone would be a thematic break: no emphasis around nothing — judged on the rendered text, as
    // a message of only a line break (NEL, which trim() keeps) renders empty too.
    const message = md(run.hardFailure.message).trim()
    head += `${[message ? `**${message}**` : '', md(hint ?? '')].filter(Boolean).join(' ')}\n\n`
  }
  if (run.rewrite) head += `${md(describeRewrite(run.rewrite))}\n\n`
  head += unwritableList(run, opts)

  const ordered = worstFirst(run.results)
  const detailed = ordered.filter(needsDetail)
  const problems = detailed.map((r) => problemItem(r, opts))
  // Said once, after the images that point at them; kept whatever is cut.
  const explanations = explanationsOf(detailed)
    .map((e) => `\n**ℹ️ ${md(e.title)}**: ${md(e.text, 4000)}\n`)
    .join('')
  let tableHead: string[]
  let rows: string[]
  let legend: string[] = []
  if (layout.table === 'fenced') {
    // Inside the fence nothing is Markdown, but a line must not close the fence: the table's cells are escaped
    // like the log's, so no line starts with anything but a status.
    const lines = tableLines(run.results, run.mode)
    tableHead = ['```text', logText(lines.header)]
    rows = lines.rows.map(logText)
    legend = lines.legend.map(logText)
  } else {
    const withReferrers = showsReferrers(run.results)
    const columns = layout.table.columns.filter((col) => col !== 'referrers' || withReferrers)
    tableHead = [
      `| ${columns.map((col) => COLUMN_HEADER[col]).join(' | ')} |`,
      `|${columns.map(() => '---').join('|')}|`,
    ]
    rows = ordered.map((r) => markdownRow(r, opts, run.mode, columns))
  }
  // The legend of the table's marks, after an empty line, inside the fence.
  const fence = legend.length ? `\n${legend.join('\n')}\n${'```'}\n` : '```\n'
  const tableClose = layout.table === 'fenced' ? fence : ''

  const budget = opts.budgetBytes ?? SUMMARY_BUDGET_BYTES
  const reserve = 2048 // the notes about what was cut
  let left =
    budget - bytes(head) - bytes(tableHead.join('\n')) - bytes(tableClose) - bytes(explanations) - reserve
  // As in the HTML summary: problem details take at most 40% of what is left, the table rows the rest.
  const problemShare = Math.floor(Math.max(0, left) * 0.4)
  const { kept: keptProblems, used } = fitting(problems, problemShare)
  left -= used
  const { kept: keptRows } = fitting(rows, left, 1)

  let table = ''
  if (rows.length) {
    table = `${[...tableHead, ...keptRows].join('\n')}\n${tableClose}`
    if (keptRows.length < rows.length)
      table += `\nShowing ${keptRows.length} of ${rows.length} images (worst first) to stay under ${layout.limit}.${layout.rest}\n`
  }
  let details = ''
  if (problems.length) {
    details = `### Problems and warnings\n\n${keptProblems.join('')}`
    if (keptProblems.length < problems.length)
      details += `\nDetails shown for ${keptProblems.length} of ${problems.length} images.${layout.rest}\n`
    details += explanations
  }
  const sections = layout.first === 'table' ? [table, details] : [details, table]
  return head + sections.filter(Boolean).join('\n')
}

/** The places of warm images `rewrite` could not replace (the HTML summary's list, in Markdown). */
function unwritableList(run: RunResult, opts: TextSummaryOptions): string {
  const { icon, shown, more } = unwritableShown(run)
  if (!shown.length) return ''
  const items = shown.map(
    (u) =>
      `- ${icon} ${link(u, opts)} ${markdownCode(compactReference(literal(u.reference, 300)))}: ${md(u.why, 1000)}`,
  )
  if (more) items.push(`- … and ${more} more`)
  return `**${md(unwritableHeading(run))}**\n\n${items.join('\n')}\n\n`
}

function markdownRow(
  r: ImageResult,
  opts: TextSummaryOptions,
  mode: string,
  columns: readonly Column[],
): string {
  const markup: CellMarkup = {
    reference: htmlCode,
    code: cellCode,
    text: (t) => md(t),
    platformBreak: ' ',
    source: (s) => link(s, opts, true),
    sourcesPerRow: 3,
  }
  return `| ${columns.map((c) => tableCell(r, c, mode, markup)).join(' | ')} |`
}

function problemItem(r: ImageResult, opts: TextSummaryOptions): string {
  const lines = [`- ${STATUS_LABEL[r.status]}: ${markdownCode(compactReference(literal(r.reference, 300)))}`]
  if (r.error) lines.push(`  - error: ${md(r.error, 2000)}`)
  if (r.diagnosis) lines.push(`  - diagnosis: ${md(briefMessage(r.diagnosis, SEE_BELOW), 2000)}`)
  if (r.rewrittenAs) lines.push(`  - rewritten as: ${markdownCode(compactReference(r.rewrittenAs))}`)
  for (const w of r.warnings.slice(0, 10)) lines.push(`  - warning: ${md(briefMessage(w, SEE_BELOW), 1000)}`)
  const sources = r.sources.slice(0, 10).map((s) => link(s, opts))
  if (r.sources.length > 10) sources.push(`+${r.sources.length - 10} more`)
  lines.push(`  - used in: ${sources.join(', ')}`)
  return `${lines.join('\n')}\n`
}

function link(s: Source, opts: TextSummaryOptions, wrap = false): string {
  const label = wrap ? breakable(md(sourceLabel(s))) : md(sourceLabel(s))
  if (!opts.repo || !opts.workspace || !isWorkspaceFile(s)) return label
  const path = repoPath(opts.repo, opts.workspace, s.file)
  return path ? `[${label}](${fileUrl(opts.repo, path, s.line)})` : label
}

/** In a table cell `|` must be escaped even inside a code span: GFM splits the cells before parsing them. */
function cellCode(text: string): string {
  return markdownCode(text).replace(/\|/g, '\\|')
}

/**
 * Code that may wrap (see breakable): a code span cannot hold `<wbr>`, so the cell uses inline HTML `<code>`,
 * whose content Markdown still parses, hence escaped as Markdown.
 */
function htmlCode(text: string): string {
  return `<code>${breakable(md(text))}</code>`
}
