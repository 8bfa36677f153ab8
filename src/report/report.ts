// The JSON report (schemaVersion 2; 2 added referrers, rewrittenAs and sources[].runtime / runtimeName). Every image appears, invalid and unresolved ones included, with every
// place it is used. Absent values are `null` (never missing keys), so consumers can rely on the shape.
import type { ImageStatus, NoticeLevel, ReferrersResult, Source } from '../model.js'
import { safeJson } from './escape.js'
import { fitting, worstFirst } from './format.js'
import { type Counts, countReferrers, countResults, type Outcome, type ReferrerCounts } from './outcome.js'
import type { RunResult } from './types.js'

export const REPORT_SCHEMA_VERSION = 2
/** Kept equal to package.json's version by a test (the bundle cannot read package.json). */
export const TOOL_VERSION = '0.1.0'

export interface ReportSource {
  file: string
  line: number
  column: number
  document: number | null
  kind: string | null
  namespace: string | null
  name: string | null
  container: string | null
  field: string | null
  chartSource: string | null
  /** `arg` / `env` when the workload starts the image later (operator flag, env var); null otherwise. */
  runtime: 'arg' | 'env' | null
  /** With `runtime`: the flag as written (`--prometheus-config-reloader`) or the variable (`RELATED_IMAGE_DB`). */
  runtimeName: string | null
}

export interface ReportImage {
  reference: string
  status: ImageStatus
  zotReference: string | null
  digest: string | null
  platforms: string[]
  sources: ReportSource[]
  error: string | null
  diagnosis: string | null
  warnings: string[]
  attempts: number
  durationMs: number
  /** Referrers in the cache; null where not looked at (plan mode, unwarmed images). */
  referrers: {
    state: ReferrersResult['state']
    items: {
      kind: string
      artifactType: string | null
      digest: string | null
      subject: string
      form: string
      tag: string | null
      tool: string | null
    }[]
    note: string | null
  } | null
  /** What `rewrite` wrote in place of the reference; null when not rewritten. */
  rewrittenAs: string | null
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION
  tool: { name: 'zot-warm'; version: string }
  startedAt: string
  durationMs: number
  mode: RunResult['mode']
  strict: boolean
  zot: { url: string | null; version: string | null }
  outcome: { exitCode: number; conclusion: Outcome['conclusion']; reason: string }
  /** `referrers`: images by what the cache holds of their referrers; null when none was looked at. */
  summary: Counts & { files: number; bytes: number; referrers: ReferrerCounts | null }
  images: ReportImage[]
  notices: { level: NoticeLevel; file: string; line: number | null; column: number | null; message: string }[]
}

export function buildReport(run: RunResult, outcome: Outcome): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'zot-warm', version: TOOL_VERSION },
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    mode: run.mode,
    strict: run.strict,
    zot: { url: run.zotUrl ?? null, version: run.zot?.version ?? null },
    outcome: { exitCode: outcome.exitCode, conclusion: outcome.conclusion, reason: outcome.reason },
    summary: {
      ...countResults(run.results),
      files: run.files,
      bytes: run.bytes,
      referrers: countReferrers(run.results) ?? null,
    },
    images: run.results.map((r) => ({
      reference: r.reference,
      status: r.status,
      zotReference: r.zotReference ?? null,
      digest: r.digest ?? null,
      platforms: r.platforms ?? [],
      sources: r.sources.map(reportSource),
      error: r.error ?? null,
      diagnosis: r.diagnosis ?? null,
      warnings: r.warnings,
      attempts: r.attempts,
      durationMs: r.durationMs,
      referrers: r.referrers
        ? {
            state: r.referrers.state,
            items: r.referrers.items.map((i) => ({
              kind: i.kind,
              artifactType: i.artifactType ?? null,
              digest: i.digest ?? null,
              subject: i.subject,
              form: i.form,
              tag: i.tag ?? null,
              tool: i.tool ?? null,
            })),
            note: r.referrers.note ?? null,
          }
        : null,
      rewrittenAs: r.rewrittenAs ?? null,
    })),
    notices: run.notices.map((n) => ({
      level: n.level,
      file: n.file,
      line: n.line ?? null,
      column: n.column ?? null,
      message: n.message,
    })),
  }
}

function reportSource(s: Source): ReportSource {
  return {
    file: s.file,
    line: s.line,
    column: s.column,
    document: s.document ?? null,
    kind: s.kind ?? null,
    namespace: s.namespace ?? null,
    name: s.name ?? null,
    container: s.container ?? null,
    field: s.field ?? null,
    chartSource: s.chartSource ?? null,
    runtime: s.runtime ?? null,
    runtimeName: s.runtimeName ?? null,
  }
}

/** The report as written to its file or to stdout. */
export function reportJson(report: Report): string {
  return `${safeJson(report, 2)}\n`
}

/** GitHub keeps at most 1 MB per step output: the `images` output stays below this. */
export const OUTPUT_BUDGET_BYTES = 900 * 1024

export interface ImagesOutput {
  /** JSON array `[{reference, status, zotReference, digest, platforms}]`. */
  json: string
  /** Images in it, and images in the run: fewer when the budget cut it (worst kept, in run order). */
  shown: number
  total: number
}

/** The `images` output: compact, without sources (outputs are small; the report has everything). */
export function imagesOutput(run: RunResult, budgetBytes = OUTPUT_BUDGET_BYTES): ImagesOutput {
  const entries = run.results.map((r) =>
    safeJson({
      reference: r.reference,
      status: r.status,
      zotReference: r.zotReference ?? null,
      digest: r.digest ?? null,
      platforms: r.platforms ?? [],
    }),
  )
  const total = entries.length
  // The worst images first, as many as fit (2 bytes of brackets, a comma each), shown in run order.
  const index = new Map(run.results.map((r, i) => [r, i]))
  const order = worstFirst(run.results).map((r) => index.get(r) ?? 0)
  const { kept } = fitting(
    order.map((i) => entries[i] ?? ''),
    budgetBytes - 2,
    1,
  )
  const keep = new Set(order.slice(0, kept.length))
  return { json: `[${entries.filter((_, i) => keep.has(i)).join(',')}]`, shown: keep.size, total }
}
