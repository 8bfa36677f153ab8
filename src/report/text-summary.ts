// The job summary for Forgejo: its runner has no summary page and prints the file into the log, so the
// summary is Markdown that reads well as plain text: the aligned table in a fenced block, then the problems
// as a list with Markdown links to the lines (rendered, should the instance ever render summaries).
import { formatDuration } from '../inputs/duration.js'
import type { ImageResult, Source } from '../model.js'
import { literal, logText, markdownCode, markdownText as md } from './escape.js'
import { describeRewrite, isWorkspaceFile, plural, STATUS_LABEL, sourceLabel, worstFirst } from './format.js'
import { fileUrl, type RepoContext, repoPath } from './links.js'
import { countReferrers, countResults, type Outcome } from './outcome.js'
import { referrersLine, SUMMARY_BUDGET_BYTES } from './summary.js'
import { renderTable } from './table.js'
import type { RunResult } from './types.js'

export interface TextSummaryOptions {
  repo?: RepoContext
  workspace?: string
  reportPath?: string
  budgetBytes?: number
}

export function renderTextSummary(run: RunResult, outcome: Outcome, opts: TextSummaryOptions = {}): string {
  const c = countResults(run.results)
  const facts = [
    run.zotUrl ? `Zot ${md(run.zotUrl)}` : undefined,
    run.zot ? `version ${md(run.zot.version ?? 'unknown', 100)}` : undefined,
    `mode ${run.mode}`,
    run.strict ? 'strict' : 'soft',
    formatDuration(run.durationMs),
    `${plural(run.files, 'file')} scanned`,
    run.cancelled ? `stopped early: ${md(run.cancelled)}` : undefined,
  ].filter(Boolean)
  let head = `## zot-warm: ${outcome.conclusion}: ${md(outcome.reason)}\n\n${facts.join(' · ')}\n\n`
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

  const budget = (opts.budgetBytes ?? SUMMARY_BUDGET_BYTES) - 2048
  const where = opts.reportPath ? ` (${md(opts.reportPath)})` : ''
  // Inside the fence nothing is Markdown, but a line must not close the fence: the table's cells are escaped
  // like the log's, so no line starts with anything but a status.
  const table = logText(renderTable(run.results, run.mode)).split('\n')
  const problems = worstFirst(run.results)
    .filter(
      (r) =>
        r.status === 'failed' || r.status === 'invalid' || r.status === 'unresolved' || r.warnings.length,
    )
    .map((r) => problemItem(r, opts))

  // Table rows (worst first) get 60% of the budget, the problem list the rest; both say when they are cut.
  let room = Math.floor(budget * 0.6) - bytes(head)
  let kept = 0
  for (const line of table) {
    room -= bytes(line) + 1
    if (room < 0 && kept > 1) break
    kept++
  }
  let out = run.results.length ? `${head}\`\`\`text\n${table.slice(0, kept).join('\n')}\n\`\`\`\n` : head
  if (kept < table.length)
    out += `\nShowing ${kept - 1} of ${table.length - 1} images (worst first); the full list is in the JSON report${where}.\n`
  if (problems.length) {
    out += '\n### Problems and warnings\n\n'
    let shown = 0
    let size = bytes(out)
    for (const item of problems) {
      if (size + bytes(item) > budget) break
      out += item
      size += bytes(item)
      shown++
    }
    if (shown < problems.length)
      out += `\nDetails shown for ${shown} of ${problems.length} images; the rest are in the JSON report${where}.\n`
  }
  return out
}

function problemItem(r: ImageResult, opts: TextSummaryOptions): string {
  const lines = [`- ${STATUS_LABEL[r.status]}: ${markdownCode(literal(r.reference, 300))}`]
  if (r.error) lines.push(`  - error: ${md(r.error, 2000)}`)
  if (r.diagnosis) lines.push(`  - diagnosis: ${md(r.diagnosis, 2000)}`)
  if (r.rewrittenAs) lines.push(`  - rewritten as: ${markdownCode(r.rewrittenAs)}`)
  for (const w of r.warnings.slice(0, 10)) lines.push(`  - warning: ${md(w, 1000)}`)
  const sources = r.sources.slice(0, 10).map((s) => link(s, opts))
  if (r.sources.length > 10) sources.push(`+${r.sources.length - 10} more`)
  lines.push(`  - used in: ${sources.join(', ')}`)
  return `${lines.join('\n')}\n`
}

function link(s: Source, opts: TextSummaryOptions): string {
  const label = md(sourceLabel(s))
  if (!opts.repo || !opts.workspace || !isWorkspaceFile(s)) return label
  const path = repoPath(opts.repo, opts.workspace, s.file)
  return path ? `[${label}](${fileUrl(opts.repo, path, s.line)})` : label
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}
