// The job summary (GITHUB_STEP_SUMMARY) as one string. HTML tables rather than Markdown ones: a reference
// or an error may contain `|`, backticks or `*`, and inside an HTML block only `& < > "` need escaping, as
// long as no text adds a line break (a blank line would end the block): every value goes through htmlText.
// GitHub refuses summaries over 1 MiB per step, so rows are cut (worst kept) to stay within a budget.
import { formatDuration } from '../inputs/duration.js'
import type { ImageResult, Notice, Source } from '../model.js'
import { htmlText as esc, literal } from './escape.js'
import {
  describeRewrite,
  isWorkspaceFile,
  plural,
  referrersLabel,
  STATUS_ICON,
  STATUS_LABEL,
  shortDigest,
  showsReferrers,
  sourceLabel,
  statusIcon,
  statusLabel,
  worstFirst,
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

const CONCLUSION_ICON = { success: '✅', warning: '⚠️', failure: '❌' } as const
const PROBLEM_STATUSES = new Set(['failed', 'invalid', 'unresolved'])

export function renderSummary(run: RunResult, outcome: Outcome, opts: SummaryOptions): string {
  const budget = opts.budgetBytes ?? SUMMARY_BUDGET_BYTES
  const head = renderHead(run, outcome)
  const noticeBlock = renderNotices(run.notices, opts)
  const ordered = worstFirst(run.results)

  const detailBlocks = ordered
    .filter((r) => PROBLEM_STATUSES.has(r.status) || r.warnings.length > 0)
    .map((r) => renderDetail(r, opts))
  const withReferrers = showsReferrers(run.results)
  const rows = ordered.map((r) => renderRow(r, opts, run.mode, withReferrers))

  const tableOpen = `<h3>Images</h3>\n<table>\n<tr><th>Status</th><th>Image</th><th>Zot reference</th><th>Digest · platforms</th>${withReferrers ? '<th>Referrers</th>' : ''}<th>Time</th><th>Used in</th></tr>\n`
  const tableClose = '</table>\n'
  const reserve = 2048 // the notes about what was cut
  let left = budget - bytes(head) - bytes(noticeBlock) - bytes(tableOpen) - bytes(tableClose) - reserve

  // Details of failures matter most, but must not crowd out the table: at most 40% of what is left.
  const detailShare = Math.floor(Math.max(0, left) * 0.4)
  const keptDetails: string[] = []
  let used = 0
  for (const block of detailBlocks) {
    if (used + bytes(block) > detailShare) break
    keptDetails.push(block)
    used += bytes(block)
  }
  left -= used
  const keptRows: string[] = []
  for (const row of rows) {
    if (bytes(row) > left) break
    keptRows.push(row)
    left -= bytes(row)
  }

  const reportHint = opts.reportPath
    ? ` The full list is in the JSON report (<code>${esc(opts.reportPath)}</code>, also in the step's <code>report</code> output).`
    : ' Write the JSON report (<code>report</code> input) for the full list.'
  let out = head + noticeBlock
  if (rows.length) {
    out += tableOpen + keptRows.join('') + tableClose
    if (keptRows.length < rows.length)
      out += `<p>✂️ <b>Showing ${keptRows.length} of ${rows.length} images</b> (worst first) to stay under GitHub's summary size limit.${reportHint}</p>\n`
  }
  if (detailBlocks.length) {
    out += `<h3>Problems and warnings</h3>\n${keptDetails.join('')}`
    if (keptDetails.length < detailBlocks.length)
      out += `<p>✂️ <b>Details shown for ${keptDetails.length} of ${detailBlocks.length} images.</b>${reportHint}</p>\n`
  }
  return out
}

function renderHead(run: RunResult, outcome: Outcome): string {
  const c = countResults(run.results)
  const title =
    outcome.conclusion === 'success'
      ? outcome.reason
      : `${outcome.conclusion === 'failure' ? 'failed' : 'warning'}: ${outcome.reason}`
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
  return `<h3>Input problems</h3>\n<ul>\n${items.join('\n')}${more}\n</ul>\n`
}

/** `Referrers in Zot: 3 of 5 images signed, 2 attested, 1 with an SBOM, 1 not verified.` */
export function referrersLine(c: ReferrerCounts): string {
  const parts = [`${c.signed} of ${plural(c.checked, 'image')} signed`, `${c.attested} attested`]
  parts.push(`${c.sbom} with an SBOM`)
  if (c.notVerified)
    parts.push(`${c.notVerified} not verified (Zot's search extension is off or cannot read them)`)
  return `Referrers in Zot: ${parts.join(', ')}.`
}

function renderRow(r: ImageResult, opts: SummaryOptions, mode: string, withReferrers: boolean): string {
  const perRow = opts.sourcesPerRow ?? 3
  const digest = r.digest ? `<code>${esc(shortDigest(r.digest))}</code>` : ''
  const platforms = r.platforms?.length ? esc(r.platforms.join(', ')) : ''
  const timed = r.status === 'cached' || r.status === 'warmed' || r.status === 'failed'
  const sources = r.sources.slice(0, perRow).map((s) => linkTo(s, opts))
  if (r.sources.length > perRow) sources.push(`+${r.sources.length - perRow} more`)
  const cells = [
    `${statusIcon(r.status, mode)} ${statusLabel(r.status, mode)}`,
    `<code>${esc(literal(r.reference, 300))}</code>`,
    r.zotReference ? `<code>${esc(r.zotReference)}</code>` : '',
    [digest, platforms].filter(Boolean).join('<br>'),
    ...(withReferrers ? [esc(referrersLabel(r))] : []),
    timed ? formatDuration(r.durationMs) : '',
    sources.join('<br>'),
  ]
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>\n`
}

function renderDetail(r: ImageResult, opts: SummaryOptions): string {
  const lines: string[] = []
  if (r.error) lines.push(`<b>Error:</b> ${esc(r.error, 2000)}`)
  if (r.diagnosis) lines.push(`<b>Diagnosis:</b> ${esc(r.diagnosis, 2000)}`)
  for (const w of r.warnings.slice(0, 10)) lines.push(`<b>Warning:</b> ${esc(w, 1000)}`)
  if (r.zotReference) lines.push(`<b>Zot reference:</b> <code>${esc(r.zotReference)}</code>`)
  if (r.rewrittenAs) lines.push(`<b>Rewritten as:</b> <code>${esc(r.rewrittenAs)}</code>`)
  const sources = r.sources.slice(0, 10).map((s) => linkTo(s, opts))
  if (r.sources.length > 10) sources.push(`+${r.sources.length - 10} more`)
  lines.push(`<b>Used in:</b> ${sources.join(', ')}`)
  return `<h4>${STATUS_ICON[r.status]} ${STATUS_LABEL[r.status]}: <code>${esc(literal(r.reference, 300))}</code></h4>\n<p>${lines.join('<br>\n')}</p>\n`
}

function linkTo(s: Source, opts: SummaryOptions): string {
  const label = esc(sourceLabel(s))
  if (!opts.repo || !isWorkspaceFile(s)) return label
  const path = repoPath(opts.repo, opts.workspace, s.file)
  return path
    ? `<a href="${esc(fileUrl(opts.repo, path, s.line), Number.MAX_SAFE_INTEGER)}">${label}</a>`
    : label
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}
