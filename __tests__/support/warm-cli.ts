// The bundled CLI warming images against a Zot URL, read back through its JSON report: the exit code and
// output, the report, and each image's entry by reference. Never a stack trace on stderr.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { newRunDir, runBundle } from './runner.js'
import { tempDir } from './temp.js'

export interface ReportImage {
  reference: string
  status: string
  digest: string | null
  platforms: string[]
  attempts: number
  error: string | null
  diagnosis: string | null
  warnings: string[]
}

export interface WarmReport {
  outcome: { exitCode: number; reason: string }
  images: ReportImage[]
}

const STACK = /^\s+at .+:\d+:\d+\)?$/m

/** dist/cli.js in an empty workspace with `--zot-url`, `--registry-map`, `--report`, `args`, then `images`. */
export async function warmWithCli(
  zotUrl: string,
  images: string[],
  opts: { map: string; args?: string[]; env?: Record<string, string> },
) {
  const dir = newRunDir()
  const reportPath = join(dir, 'report.json')
  const run = await runBundle({
    node: process.execPath,
    script: 'dist/cli.js',
    dir,
    cwd: tempDir('zot-warm-empty-ws-'),
    args: [
      '--zot-url',
      zotUrl,
      '--registry-map',
      opts.map,
      '--report',
      reportPath,
      ...(opts.args ?? []),
      ...images,
    ],
    env: opts.env ?? {},
    reportPath,
    timeoutMs: 110_000,
  })
  expect(run.stderr).not.toMatch(STACK)
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as WarmReport
  const byRef = new Map(report.images.map((i) => [i.reference, i]))
  const image = (ref: string): ReportImage => {
    const img = byRef.get(ref)
    if (!img) throw new Error(`${ref} missing from the report: ${JSON.stringify(report.images)}`)
    return img
  }
  return { ...run, report, image }
}
