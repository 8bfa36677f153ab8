// Extraction throughput on a ≥ 20 MB mixed rendered corpus. Plain Node ESM over the compiled code:
// run `npx tsc -p tsconfig.json` first. Writes the corpus (__tests__/support/corpus.mjs) into a temp dir,
// then runs extract() several times and prints one JSON object:
//   { mb, medianSeconds, mbPerSecond, peakRssMb, images, ... }
// For comparison it times the plain full-AST parse of the same files with `yaml` (parseAllDocuments).
// Not a test: nothing here asserts a time. `node bench/extract.mjs [--runs N] [--mb N] [--keep]`
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { writeCorpus, writeWorkloadCorpus } from '../__tests__/support/corpus.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

// ---------------------------------------------------------------------------------------------------------
// Measurement

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const round = (v, d = 2) => Number(v.toFixed(d))

/**
 * Run the benchmark. Options: runs (≥ 5 by default), mb (corpus size), keep (leave the corpus), log
 * (progress lines), quick (3 runs), yamlBaseline (time the plain full parse too; default true).
 */
export async function benchExtract(opts = {}) {
  const log = opts.log ?? ((m) => process.stderr.write(`${m}\n`))
  const lib = join(ROOT, 'lib', 'extract', 'index.js')
  try {
    statSync(lib)
  } catch {
    throw new Error('lib/extract/index.js is missing: run `npx tsc -p tsconfig.json` first')
  }
  const { extract } = await import(pathToFileURL(lib).href)
  const runs = opts.runs ?? (opts.quick ? 3 : 5)
  const dir = mkdtempSync(join(tmpdir(), 'zot-warm-extract-bench-'))
  try {
    const bytes = writeCorpus(dir, opts.mb ?? 20)
    const mb = bytes / 1e6
    log(`extract bench: ${round(mb, 1)} MB corpus in ${readdirSync(dir).length} files, ${runs} runs`)
    let peakRss = process.memoryUsage().rss
    const seconds = []
    const cpuSeconds = []
    let result
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint()
      const cpu = process.cpuUsage()
      result = await extract({ workspace: dir, paths: ['.'] })
      seconds.push(Number(process.hrtime.bigint() - t) / 1e9)
      const used = process.cpuUsage(cpu)
      cpuSeconds.push((used.user + used.system) / 1e6)
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
      log(`  run ${i + 1}: ${round(seconds[i], 3)} s wall, ${round(cpuSeconds[i], 3)} s cpu`)
    }
    const medianSeconds = median(seconds)
    const sources = result.images.reduce((n, img) => n + img.sources.length, 0)
    const out = {
      mb: round(mb, 1),
      corpusMb: round(mb, 1),
      files: result.files,
      runs,
      medianSeconds: round(medianSeconds, 3),
      mbPerSecond: round(mb / medianSeconds, 1),
      secondsPerRun: seconds.map((x) => round(x, 3)),
      // CPU time is less sensitive to other load on a shared machine than the wall clock.
      medianCpuSeconds: round(median(cpuSeconds), 3),
      mbPerCpuSecond: round(mb / median(cpuSeconds), 1),
      peakRssMb: Math.round(peakRss / 2 ** 20),
      images: result.images.length,
      occurrences: sources,
      notices: result.notices.length,
      approach:
        'cut streams at ---/... lines without parsing; skip documents with no `image` text or whose column-0 kind/apiVersion name a kind without images (CRD, ConfigMap, Secret, Service, RBAC …); inside the rest drop block entries (JSON members) that provably hold no image; parse what is left one document at a time with yaml Parser+Composer; positions = kept-line offsets mapped back to the file',
    }
    // Worst case for the skipping: nothing but workloads, every document parsed.
    const wdir = join(dir, 'workloads-only')
    mkdirSync(wdir)
    const wbytes = writeWorkloadCorpus(wdir, opts.quick ? 2 : 5)
    await extract({ workspace: wdir, paths: ['.'] })
    const wt = process.hrtime.bigint()
    await extract({ workspace: wdir, paths: ['.'] })
    const ws = Number(process.hrtime.bigint() - wt) / 1e9
    out.workloadsOnly = {
      mb: round(wbytes / 1e6, 1),
      seconds: round(ws, 3),
      mbPerSecond: round(wbytes / 1e6 / ws, 1),
    }
    rmSync(wdir, { recursive: true, force: true })
    if (opts.yamlBaseline !== false) {
      const YAML = await import('yaml')
      const files = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'))
      const t = process.hrtime.bigint()
      let docs = 0
      for (const text of files) docs += YAML.parseAllDocuments(text).length
      const s = Number(process.hrtime.bigint() - t) / 1e9
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
      out.yamlFullParse = { seconds: round(s, 3), mbPerSecond: round(mb / s, 1), documents: docs }
      out.speedup = round(out.mbPerSecond / out.yamlFullParse.mbPerSecond, 1)
      out.peakRssMb = Math.round(peakRss / 2 ** 20)
    }
    return out
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true })
    else log(`corpus kept in ${dir}`)
  }
}

export default benchExtract

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      mb: { type: 'string' },
      keep: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'no-baseline': { type: 'boolean', default: false },
    },
  })
  const out = await benchExtract({
    runs: values.runs ? Number(values.runs) : undefined,
    mb: values.mb ? Number(values.mb) : undefined,
    keep: values.keep,
    quick: values.quick,
    yamlBaseline: !values['no-baseline'],
  })
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
}
