// Scenario 5 — scale: 10 000 distinct references in plan mode; peak RSS of the whole CLI process.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../harness/cli.mjs'
import { progress } from '../harness/log.mjs'
import { mixedReferences, renderDeployments } from '../harness/manifests.mjs'
import { summarise } from '../harness/stats.mjs'

const TARGET_MB = 200
const COUNT = 10_000

/** @param {{ quick: boolean, cliMissing?: string }} ctx */
export async function scale(ctx) {
  if (ctx.cliMissing) return { skipped: ctx.cliMissing, pass: null }
  const runs = ctx.quick ? 1 : 3
  const dir = mkdtempSync(join(tmpdir(), 'zot-warm-bench-scale-'))
  try {
    const file = join(dir, 'rendered.yaml')
    writeFileSync(file, renderDeployments(mixedReferences(COUNT), { perDeployment: 5 }))
    const inputMb = statSync(file).size / 1e6
    const rss = []
    const wall = []
    let found
    let failure
    let method
    for (let i = 0; i < runs; i++) {
      const report = join(dir, `report-${i}.json`)
      const r = await runCli(['--mode', 'plan', '--report', report, '--workspace', dir, 'rendered.yaml'], {
        cwd: dir,
        usage: 'time',
        timeoutMs: 120_000,
      })
      if (r.code !== 0 && !failure)
        failure = `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`
      if (r.maxRssKb !== undefined) rss.push(r.maxRssKb / 1024)
      method = r.usageMethod
      wall.push(r.wallMs)
      if (existsSync(report)) found = countImages(JSON.parse(readFileSync(report, 'utf8')))
    }
    const peak = summarise(rss)
    progress(`scale: ${COUNT} refs, peak RSS median ${peak.median} MB, wall ${summarise(wall).median} ms`)
    return {
      references: COUNT,
      inputMb: Number(inputMb.toFixed(2)),
      imagesInReport: found ?? null,
      peakRssMb: peak,
      usageMethod: method,
      wallMs: summarise(wall),
      exitCode: failure ?? 0,
      target: `peak RSS ≤ ${TARGET_MB} MB`,
      pass: peak.median <= TARGET_MB && !failure && found === COUNT,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Distinct images in a CLI report (`images: [...]`). */
function countImages(report) {
  if (Array.isArray(report?.images)) return report.images.length
  return null
}
