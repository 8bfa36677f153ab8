// Cost of the rewrite stage on the extraction corpus (__tests__/support/corpus.mjs, ≥ 20 MB): every valid
// image is taken as cached under a made-up digest, then rewriteManifests() rewrites the whole corpus into a
// fresh output directory (`rewrite: zot`: every scanned file read again, spliced, written). Extraction of the
// same corpus is timed in the same loop, interleaved, so the two figures share the machine's load.
// Plain Node ESM over the compiled code (`npx tsc -p tsconfig.json` first). Not a test: nothing asserts a time.
//   node bench/rewrite.mjs [--runs N] [--mb N]
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { writeCorpus } from '../__tests__/support/corpus.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const PULL_HOST = 'zot.example.com'

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const round = (v, d = 2) => Number(v.toFixed(d))

async function lib(path) {
  const file = join(ROOT, 'lib', path)
  try {
    statSync(file)
  } catch {
    throw new Error(`lib/${path} is missing: run \`npx tsc -p tsconfig.json\` first`)
  }
  return import(pathToFileURL(file).href)
}

/** Results as the warm stage would make them: every valid image cached, under a digest of its name. */
function cachedResults(extraction, planImages) {
  const registries = [
    ...new Set(extraction.images.filter((i) => i.status === 'ok').map((i) => i.reference.domain)),
  ]
  const map = registries.map((registry) => ({
    registry,
    prefix: `${registry.replace(/[^a-z0-9]+/g, '-')}-images`,
  }))
  const plan = planImages(
    extraction.images.filter((i) => i.status === 'ok'),
    map,
  )
  const results = extraction.images.map((img) => ({
    reference: img.status === 'ok' ? img.key : img.raw,
    status: img.status === 'ok' ? 'cached' : img.status,
    digest:
      img.status === 'ok'
        ? (img.reference.digest ?? `sha256:${createHash('sha256').update(img.key).digest('hex')}`)
        : undefined,
    attempts: 1,
    durationMs: 0,
    warnings: [],
    sources: img.sources,
  }))
  return { results, planned: plan.images }
}

/** Options: runs (≥ 5 by default), mb (corpus size), quick (3 runs), log (progress lines). */
export async function benchRewrite(opts = {}) {
  const log = opts.log ?? ((m) => process.stderr.write(`${m}\n`))
  const { extract } = await lib('extract/index.js')
  const { planImages } = await lib('plan/plan.js')
  const { rewriteManifests } = await lib('rewrite/index.js')
  const runs = opts.runs ?? (opts.quick ? 3 : 5)
  const dir = mkdtempSync(join(tmpdir(), 'zot-warm-rewrite-bench-'))
  const corpus = join(dir, 'corpus')
  try {
    mkdirSync(corpus)
    const bytes = writeCorpus(corpus, opts.mb ?? 20)
    const mb = bytes / 1e6
    log(`rewrite bench: ${round(mb, 1)} MB corpus in ${readdirSync(corpus).length} files, ${runs} runs`)
    const rewriteSeconds = []
    const rewriteCpu = []
    const extractSeconds = []
    const extractCpu = []
    let summary
    for (let i = 0; i < runs; i++) {
      let t = process.hrtime.bigint()
      let cpu = process.cpuUsage()
      const extraction = await extract({ workspace: corpus, paths: ['.'] })
      extractSeconds.push(Number(process.hrtime.bigint() - t) / 1e9)
      const spent = process.cpuUsage(cpu)
      extractCpu.push((spent.user + spent.system) / 1e6)
      const { results, planned } = cachedResults(extraction, planImages)
      const out = join(dir, `out-${i}`)
      t = process.hrtime.bigint()
      cpu = process.cpuUsage()
      summary = await rewriteManifests(
        { mode: 'zot', pullHost: PULL_HOST, output: out, workspace: corpus },
        { results, planned, read: extraction.read },
      )
      rewriteSeconds.push(Number(process.hrtime.bigint() - t) / 1e9)
      const used = process.cpuUsage(cpu)
      rewriteCpu.push((used.user + used.system) / 1e6)
      rmSync(out, { recursive: true, force: true })
      log(
        `  run ${i + 1}: extract ${round(extractSeconds[i], 3)} s, rewrite ${round(rewriteSeconds[i], 3)} s`,
      )
    }
    const m = median(rewriteSeconds)
    return {
      mb: round(mb, 1),
      files: summary.files,
      referencesRewritten: summary.rewritten,
      filesChanged: summary.changedFiles,
      placesLeft: summary.left.reduce((n, l) => n + l.places, 0),
      runs,
      medianSeconds: round(m, 3),
      mbPerSecond: round(mb / m, 1),
      medianCpuSeconds: round(median(rewriteCpu), 3),
      secondsPerRun: rewriteSeconds.map((x) => round(x, 3)),
      extractMedianSeconds: round(median(extractSeconds), 3),
      extractMedianCpuSeconds: round(median(extractCpu), 3),
      // CPU time is less sensitive to other load on a shared machine than the wall clock.
      mbPerCpuSecond: round(mb / median(rewriteCpu), 1),
      ratioToExtraction: round(m / median(extractSeconds), 2),
      cpuRatioToExtraction: round(median(rewriteCpu) / median(extractCpu), 2),
      approach:
        'rewriteManifests(zot) into a fresh directory: each file read again, every span checked against the image it names, new texts spliced in, every file written (temp + rename); extraction of the same corpus timed in the same loop',
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export default benchRewrite

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: { runs: { type: 'string' }, mb: { type: 'string' }, quick: { type: 'boolean', default: false } },
  })
  const out = await benchRewrite({
    runs: values.runs ? Number(values.runs) : undefined,
    mb: values.mb ? Number(values.mb) : undefined,
    quick: values.quick,
  })
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
}
