// `npm run bench`: the zot-warm benchmark. Real Zot servers on 127.0.0.1 (the test bed in __tests__/support),
// the bundled CLI/action in fresh `node` processes, and the seed warmers' algorithm as the baseline in the
// same run on the same Zot. Progress and a short table go to stderr, the JSON summary to stdout and to
// .bench/results.json. See bench/README.md.
//
//   node bench/run.mjs [--quick] [--only hot,cold,extraction,startup,scale,rewrite,referrers,crane] [--no-curve] [--out FILE] [--dist DIR]
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { snapshotDist } from './harness/cli.mjs'
import { progress } from './harness/log.mjs'
import { printTable } from './harness/table.mjs'
import { loadTestbed, ROOT } from './harness/testbed.mjs'
import { cold } from './scenarios/cold.mjs'
import { crane } from './scenarios/crane.mjs'
import { extraction } from './scenarios/extraction.mjs'
import { hot } from './scenarios/hot.mjs'
import { referrers } from './scenarios/referrers.mjs'
import { rewrite } from './scenarios/rewrite.mjs'
import { scale } from './scenarios/scale.mjs'
import { startup } from './scenarios/startup.mjs'

// Report order follows bench/README.md; run order puts the cheap, Zot-free scenarios first.
const SCENARIOS = { hot, cold, extraction, startup, scale, rewrite, referrers, crane }
const RUN_ORDER = ['startup', 'scale', 'extraction', 'rewrite', 'hot', 'cold', 'referrers', 'crane']

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-curve': { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, '.bench', 'results.json') },
    // Another build to measure (e.g. a copy of an older dist/), for before/after figures.
    dist: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help) {
  process.stderr.write(
    'usage: node bench/run.mjs [--quick] [--only hot,cold,extraction,startup,scale,rewrite,referrers,crane] [--no-curve] [--out FILE] [--dist DIR]\n',
  )
  process.exit(0)
}
const only = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(SCENARIOS)
const unknown = only.filter((s) => !(s in SCENARIOS))
if (unknown.length) {
  process.stderr.write(
    `unknown scenario(s): ${unknown.join(', ')}; choose from ${Object.keys(SCENARIOS).join(', ')}\n`,
  )
  process.exit(2)
}

// Ctrl-C: exit through 'exit' so the test bed's handler kills every Zot it started and removes its files.
process.once('SIGINT', () => process.exit(130))
process.once('SIGTERM', () => process.exit(143))

const started = Date.now()
const missing = await snapshotDist(values.dist ? resolve(values.dist) : undefined)
if (missing) progress(`CLI not benchmarkable: ${missing}; "ours" figures are skipped`)
const ctx = { quick: values.quick, noCurve: values['no-curve'], testbed: loadTestbed, cliMissing: missing }

const results = {}
for (const name of RUN_ORDER.filter((n) => only.includes(n))) {
  progress(`== ${name}`)
  const t = Date.now()
  const loadAtStart = loadavg()[0]
  try {
    results[name] = await SCENARIOS[name](ctx)
  } catch (err) {
    progress(`${name} failed: ${err?.stack ?? err}`)
    results[name] = { error: String(err?.message ?? err), pass: false }
  }
  results[name].scenarioSeconds = Math.round((Date.now() - t) / 100) / 10
  // 1-minute load average around the scenario: above the core count, other work competed for the CPU.
  results[name].loadAverage1m = {
    start: Number(loadAtStart.toFixed(2)),
    end: Number(loadavg()[0].toFixed(2)),
  }
}

const summary = {
  schemaVersion: 1,
  date: new Date().toISOString(),
  quick: values.quick,
  machine: {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
  },
  commit: gitCommit(),
  totalSeconds: Math.round((Date.now() - started) / 1000),
  scenarios: Object.fromEntries(
    Object.keys(SCENARIOS)
      .filter((n) => n in results)
      .map((n) => [n, results[n]]),
  ),
}
const out = resolve(values.out)
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`)
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
printTable(summary)
progress(`done in ${summary.totalSeconds}s; results in ${out}`)
// Keep-alive sockets or a stray timer must not keep the bench alive: it ends by itself. A missed target is
// a figure, not a failure; exit 1 only when a scenario could not be measured.
process.exit(Object.values(results).some((r) => r.error) ? 1 : 0)

function gitCommit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    const dirty =
      execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() !== ''
    return dirty ? `${sha}+dirty` : sha
  } catch {
    return undefined
  }
}
