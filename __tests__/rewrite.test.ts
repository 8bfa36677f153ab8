// The rewrite stage without Zot: the extraction corpus and generated YAML/JSON are rewritten with results
// made up here (every valid image "cached" under a fixed digest). What must hold: a rewrite to the text as
// written leaves every file byte-identical; a real rewrite changes the text at the references' spans and
// nowhere else, the files still parse to the same data with only the image values replaced, and reading the
// output again finds every rewritten reference where it was written.
import { createHash } from 'node:crypto'
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Document, parseAllDocuments, type Scalar, visit } from 'yaml'
import { Extractor, extract, formatReference, parseReference } from '../src/extract/index.js'
import type { Extraction, ImageResult, ImageStatus, Referrer } from '../src/model.js'
import { planImages } from '../src/plan/plan.js'
import { describeRewrite } from '../src/report/format.js'
import { applyEdits, unsafeHere } from '../src/rewrite/edit.js'
import { rewriteManifests, type TargetRule } from '../src/rewrite/index.js'
import { destination, prepareOutputDir } from '../src/rewrite/output.js'
import { upstreamReferrer } from '../src/rewrite/stored.js'
import { digestTarget, unconvertedEvidence, zotTarget } from '../src/rewrite/target.js'
import { withFix } from '../src/rewrite/unwritable.js'
import { tempDir } from './support/temp.js'

const CORPUS = fileURLToPath(new URL('./fixtures/extract/corpus', import.meta.url))
const CORPUS_PATHS = ['.', 'lists/images.txt', 'lists/prewarm']
const MAP = [
  { registry: 'docker.io', prefix: 'docker-images' },
  { registry: 'ghcr.io', prefix: 'ghcr-images' },
  { registry: 'quay.io', prefix: 'quay-images' },
  { registry: 'registry.k8s.io', prefix: 'k8s-images' },
  { registry: 'gcr.io', prefix: 'gcr-images' },
  { registry: 'localhost:5000', prefix: '' },
]
const PULL_HOST = 'zot.example:5000'

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`

const workDir = (label: string) => tempDir(`zot-warm-rewrite-${label}-`)

/** Results as the warm stage would make them: valid mapped images cached under a digest of their name. */
function fakeRun(ex: Extraction, statuses: Record<string, ImageStatus> = {}) {
  const plan = planImages(
    ex.images.filter((i) => i.status === 'ok'),
    MAP,
    { pullHost: PULL_HOST },
  )
  const planned = new Set(plan.images.map((p) => p.reference))
  const results: ImageResult[] = ex.images.map((img) => {
    const base = { attempts: 1, durationMs: 0, warnings: [], sources: img.sources }
    if (img.status !== 'ok') return { ...base, reference: img.raw, status: img.status }
    const status: ImageStatus = statuses[img.key] ?? (planned.has(img.key) ? 'cached' : 'skipped-unmapped')
    const digest = img.reference?.digest ?? digestOf(img.key)
    return { ...base, reference: img.key, status, ...(status === 'cached' ? { digest } : {}) }
  })
  return { results, planned: plan.images }
}

const zotOptions = (workspace: string, output: string) => ({
  mode: 'zot' as const,
  pullHost: PULL_HOST,
  output,
  workspace,
})

/** `file:line:col` of every place a warm image's warnings say was not rewritten. */
function leftAt(r: ImageResult): Set<string> {
  const out = new Set<string>()
  for (const w of r.warnings) {
    const m = /^not rewritten at (.*?): /.exec(w)
    if (m?.[1]) for (const place of m[1].split(', ')) out.add(place)
  }
  return out
}

/** The places of a file rewritten for a cached image, with the text each became. */
function placesIn(results: ImageResult[], file: string) {
  const out: { span: { start: number; end: number }; text: string; result: ImageResult }[] = []
  for (const r of results) {
    const left = leftAt(r)
    for (const s of r.sources)
      if (
        s.file === file &&
        s.span &&
        r.rewrittenAs !== undefined &&
        !left.has(`${s.file}:${s.line}:${s.column}`)
      )
        out.push({ span: s.span, text: r.rewrittenAs, result: r })
  }
  return out.sort((a, b) => a.span.start - b.span.start)
}

/** Where each place starts in the rewritten text (earlier replacements on the way shift it). */
function newStarts(places: ReturnType<typeof placesIn>): Map<number, number> {
  const out = new Map<number, number>()
  let shift = 0
  for (const p of places) {
    out.set(p.span.start, p.span.start + shift)
    shift += p.text.length - (p.span.end - p.span.start)
  }
  return out
}

/** The image found at each start offset when the text is read again. */
function keysAt(ex: Extraction, file: string): Map<number, string> {
  const out = new Map<number, string>()
  for (const img of ex.images)
    for (const s of img.sources) if (s.file === file && s.span) out.set(s.span.start, img.key)
  return out
}

/** Walks original and rewritten text together: equal outside the spans, the target inside them. */
function expectOnlySpansChanged(
  original: string,
  rewritten: string,
  places: ReturnType<typeof placesIn>,
  file: string,
) {
  let a = 0
  let b = 0
  for (const p of places) {
    const between = original.slice(a, p.span.start)
    expect(rewritten.slice(b, b + between.length), `${file} before offset ${p.span.start}`).toBe(between)
    b += between.length
    expect(rewritten.slice(b, b + p.text.length), `${file} at offset ${p.span.start}`).toBe(p.text)
    b += p.text.length
    a = p.span.end
  }
  expect(rewritten.slice(b), `${file} after the last reference`).toBe(original.slice(a))
}

const YAML_OPTIONS = { merge: true, uniqueKeys: false, logLevel: 'silent' } as const

/** The data of a YAML/JSON text with the scalars at `edits` set to their new text. */
function dataWith(text: string, edits: { span: { start: number; end: number }; text: string }[]) {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const docs = parseAllDocuments(text.slice(bom), YAML_OPTIONS)
  const list = Array.isArray(docs) ? docs : [docs]
  for (const doc of list)
    visit(doc, {
      Scalar(_k, node: Scalar) {
        if (!node.range) return
        const [from, to] = node.range
        const e = edits.find((x) => x.span.start - bom >= from && x.span.end - bom <= to)
        // A span is the value's tail: all of it for an image field, the part after `--flag=` for a flag.
        if (e && typeof node.value === 'string')
          node.value = node.value.slice(0, node.value.length - (e.span.end - e.span.start)) + e.text
      },
    })
  return list.map((d) => d.toJS({ maxAliasCount: -1 }))
}

describe('rewrite over the extraction corpus', () => {
  it('a rewrite to the text as written leaves every file byte-identical', async () => {
    const ex = await extract({ workspace: CORPUS, paths: CORPUS_PATHS })
    const { results, planned } = fakeRun(ex)
    const out = workDir('identity')
    const same: TargetRule = (r) =>
      r.status === 'cached' ? (written) => ({ text: written }) : 'not a cached image'
    const summary = await rewriteManifests(zotOptions(CORPUS, out), { results, planned, read: ex.read }, same)
    expect(summary.problems).toEqual([])
    // Every place went through the rewrite (not left), and none changed.
    expect(summary.unchanged).toBeGreaterThan(100)
    expect(summary.rewritten).toBe(0)
    expect(ex.read.length).toBeGreaterThanOrEqual(40)
    for (const file of ex.read)
      expect(readFileSync(join(out, file)).equals(readFileSync(join(CORPUS, file))), file).toBe(true)
  })

  it('with real targets changes only the references, keeps the data, and reads back as the cache', async () => {
    const ex = await extract({ workspace: CORPUS, paths: CORPUS_PATHS })
    const { results, planned } = fakeRun(ex)
    const out = workDir('zot')
    const summary = await rewriteManifests(zotOptions(CORPUS, out), { results, planned, read: ex.read })
    expect(summary.problems).toEqual([])
    expect(summary.files).toBe(ex.read.length)

    let checked = 0
    for (const file of ex.read) {
      const original = readFileSync(join(CORPUS, file), 'utf8')
      const rewritten = readFileSync(join(out, file), 'utf8')
      const places = placesIn(results, file)
      expectOnlySpansChanged(original, rewritten, places, file)
      if (/\.(ya?ml|json)$/.test(file) && !file.startsWith('templated/')) {
        expect(dataWith(rewritten, []), file).toEqual(dataWith(original, places))
        checked++
      }
    }
    expect(checked).toBeGreaterThan(30)

    // Every rewritten place reads back as the cache's reference, where it was written.
    const again = await extract({ workspace: out, paths: CORPUS_PATHS })
    let rewrittenPlaces = 0
    for (const file of ex.read) {
      const places = placesIn(results, file)
      const starts = newStarts(places)
      const keys = keysAt(again, file)
      for (const p of places) {
        rewrittenPlaces++
        expect(keys.get(starts.get(p.span.start) as number), `${file}@${p.span.start}`).toBe(
          formatReference(parseReference(p.text)),
        )
      }
    }
    // Aliases of rewritten anchors count as rewritten too (they read the anchored text).
    const followers = results.flatMap((r) =>
      r.rewrittenAs
        ? r.sources.filter(
            (s) => s.aliasOf && !r.warnings.some((w) => w.includes(`${s.file}:${s.line}:${s.column}`)),
          )
        : [],
    )
    // 5 image fields, and 2 runtime images (runtime/positions.yaml: an aliased args list and env value).
    expect(followers.length).toBe(7)
    expect(rewrittenPlaces + followers.length).toBe(summary.rewritten)
    expect(again.images.length).toBe(ex.images.length)

    // The targets: the cache host, the prefix, the full Docker Hub path, tag and digest.
    const nginx = results.find((r) => r.reference === 'docker.io/library/nginx:latest')
    expect(nginx?.rewrittenAs).toBe(
      `${PULL_HOST}/docker-images/library/nginx:latest@${digestOf('docker.io/library/nginx:latest')}`,
    )
    const local = results.find((r) => r.reference.startsWith('localhost:5000/'))
    if (local) expect(local.rewrittenAs).toMatch(new RegExp(`^${PULL_HOST}/[a-z]`))
  })

  it('says what it left and why: aliases without an image anchor, escapes, folded text, unmapped, invalid', async () => {
    const ex = await extract({ workspace: CORPUS, paths: CORPUS_PATHS })
    const { results, planned } = fakeRun(ex, { 'ghcr.io/cloudnative-pg/postgresql:16.4': 'failed' })
    const summary = await rewriteManifests(zotOptions(CORPUS, workDir('left')), {
      results,
      planned,
      read: ex.read,
    })
    const left = (ref: string) =>
      summary.left.filter((l) => l.reference === ref).map((l) => `${l.where} ${l.why}`)
    expect(left('ghcr.io/example/base:1.0')).toEqual([
      'compose/docker-compose.yml:13:9 reached through the alias *common, whose anchored text is not an image field rewritten here; write the reference itself in place of the alias, or put the anchor on the image field it copies',
    ])
    expect(left('ghcr.io/example/escaped:1.0')).toEqual([
      'formats/escapes.yaml:8:14 written with escapes inside double quotes; write the reference without escapes, as a plain or quoted value',
    ])
    expect(left('ghcr.io/example/single:1.0')).toEqual([])
    expect(left('ghcr.io/cloudnative-pg/postgresql:16.4')[0]).toMatch(/the image failed$/)
    expect(summary.left.some((l) => /not a valid image reference/.test(l.why))).toBe(true)
    expect(summary.left.some((l) => /unresolved/.test(l.why))).toBe(true)
    // The anchored containers are rewritten, so their aliases follow: none of them is left.
    expect(left('ghcr.io/example/app:1.0')).toEqual([])
    const app = results.find((r) => r.reference === 'ghcr.io/example/app:1.0')
    expect(app?.rewrittenAs).toMatch(/^zot\.example:5000\/ghcr-images\/example\/app:1\.0@sha256:/)
    // Warm images left somewhere say so in their warnings; failed ones carry their failure instead.
    const base = results.find((r) => r.reference === 'ghcr.io/example/base:1.0')
    expect(base?.warnings).toEqual([
      'not rewritten at compose/docker-compose.yml:13:9: reached through the alias *common, whose anchored text is not an image field rewritten here; write the reference itself in place of the alias, or put the anchor on the image field it copies',
    ])
    expect(results.find((r) => r.reference === 'ghcr.io/cloudnative-pg/postgresql:16.4')?.warnings).toEqual(
      [],
    )
  })
})

// ---------------------------------------------------------------------------------------------------------
// Generated manifests

const REFS = [
  'nginx',
  'nginx:1.27',
  'docker.io/library/redis:7',
  'ghcr.io/acme/api:1.4.2',
  `quay.io/x/y@sha256:${'a'.repeat(64)}`,
  `ghcr.io/acme/pinned:2@sha256:${'b'.repeat(64)}`,
  'localhost:5000/app:dev',
  'registry.k8s.io/pause:3.10',
  'example.org/unmapped:1',
]
const SCALARS = ['PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'] as const
const COMMENTS = [' a comment', ' image: not-this:1', " it's # fine", ' {"x": [1]}']

const container = fc.record({
  name: fc.constantFrom('web', 'api', 'side'),
  image: fc.constantFrom(...REFS),
  args: fc.array(fc.constantFrom('--port=80', 'nginx:1.27', '-v', 'a: b'), { maxLength: 3 }),
})
const workload = fc.oneof(
  fc.record({
    apiVersion: fc.constant('apps/v1'),
    kind: fc.constantFrom('Deployment', 'StatefulSet'),
    metadata: fc.record({ name: fc.constantFrom('a', 'b'), labels: fc.constant({ app: 'x' }) }),
    spec: fc.record({
      template: fc.record({
        spec: fc.record({
          containers: fc.array(container, { minLength: 1, maxLength: 3 }),
          initContainers: fc.array(container, { maxLength: 1 }),
        }),
      }),
    }),
  }),
  fc.record({
    apiVersion: fc.constant('v1'),
    kind: fc.constant('ConfigMap'),
    metadata: fc.record({ name: fc.constant('cfg') }),
    data: fc.record({ image: fc.constantFrom(...REFS), 'values.yaml': fc.constant('image: nginx:1.27\n') }),
  }),
)
const stream = fc
  .record({
    docs: fc.array(workload, { minLength: 1, maxLength: 3 }),
    seed: fc.array(fc.nat(1000), { minLength: 32, maxLength: 32 }),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    indent: fc.constantFrom(2, 4),
    json: fc.boolean(),
  })
  .map(({ docs, seed, crlf, bom, indent, json }) => {
    let n = 0
    const pick = () => seed[n++ % seed.length] as number
    let text: string
    if (json) {
      text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }, null, indent)
    } else {
      text = docs
        .map((obj) => {
          const doc = new Document(obj)
          visit(doc, {
            Scalar(k, s) {
              if (typeof s.value !== 'string') return
              s.type = k === 'key' ? 'PLAIN' : SCALARS[pick() % SCALARS.length]
              if (pick() % 6 === 0) s.comment = COMMENTS[pick() % COMMENTS.length] as string
            },
            Map(_k, m) {
              if (pick() % 5 === 0) m.flow = true
              if (pick() % 7 === 0) m.commentBefore = COMMENTS[pick() % COMMENTS.length] as string
            },
            Seq(_k, s) {
              if (pick() % 4 === 0) s.flow = true
            },
          })
          return doc.toString({ indent, lineWidth: 0 })
        })
        .join(pick() % 2 ? '---\n' : '--- # next\n')
    }
    if (crlf) text = text.replace(/\n/g, '\r\n')
    return (bom ? '\ufeff' : '') + text
  })

describe('rewrite of generated YAML and JSON (random quoting, comments, flow style, CRLF, BOM)', () => {
  for (const pullHost of [PULL_HOST, '[::1]:5000'])
    it(`changes only the references and keeps the data (pull host ${pullHost})`, {
      timeout: 120_000,
    }, async () => {
      let written = 0
      let refused = 0
      await fc.assert(
        fc.asyncProperty(stream, async (text) => {
          const ex = new Extractor()
          ex.addText(text, '-')
          ex.read.push('-')
          const extraction = ex.result()
          fc.pre(extraction.notices.every((n) => n.level !== 'error'))
          const { results, planned } = fakeRun(extraction)
          let out = ''
          const summary = await rewriteManifests(
            { mode: 'zot', pullHost, output: '-', workspace: tmpdir() },
            { results, planned, read: ['-'], stdin: text, stdout: (t) => (out += t) },
          )
          expect(summary.problems).toEqual([])
          const places = placesIn(results, '-')
          written += places.length
          refused += summary.left.filter((l) => l.why.includes('IPv6')).reduce((n, l) => n + l.places, 0)
          expectOnlySpansChanged(text, out, places, 'generated')
          expect(dataWith(out, [])).toEqual(dataWith(text, places))
          // Reading the output finds each rewritten reference, as the cache's, where it was written.
          const again = new Extractor()
          again.addText(out, '-')
          const keys = keysAt(again.result(), '-')
          const starts = newStarts(places)
          for (const p of places)
            expect(keys.get(starts.get(p.span.start) as number)).toBe(formatReference(parseReference(p.text)))
        }),
        { numRuns: 150 },
      )
      expect(written).toBeGreaterThan(150)
      // A bracketed host goes between quotes only: plain places are refused, quoted ones written. The count
      // of refused places varies with the random streams (30–54 in 150 runs), so the assertion is that the
      // refusal was exercised at all, not a threshold a random draw can miss.
      if (pullHost === PULL_HOST) expect(refused).toBe(0)
      else expect(refused).toBeGreaterThan(0)
    })

  it('generates every style it claims to', () => {
    const samples = fc.sample(stream, { numRuns: 200, seed: 7 }).join('\n')
    for (const marker of ['|', '>', '"', "'", '{', '[', '#', '\r\n', '\ufeff', 'kind: ConfigMap'])
      expect(samples).toContain(marker)
  })
})

// ---------------------------------------------------------------------------------------------------------
// Targets, contexts and the output directory

describe('targets', () => {
  const D = `sha256:${'c'.repeat(64)}`
  const P = `sha256:${'d'.repeat(64)}`
  it('zot: pull host, Zot repository, tag and the digest Zot serves; digest alone for digest-only references', () => {
    expect(zotTarget('zot.example', 'docker-images/library/nginx', parseReference('nginx'), D)).toEqual({
      text: `zot.example/docker-images/library/nginx:latest@${D}`,
    })
    expect(zotTarget('127.0.0.1:5000', 'ghcr-images/a/b', parseReference(`ghcr.io/a/b:1@${P}`), P)).toEqual({
      text: `127.0.0.1:5000/ghcr-images/a/b:1@${P}`,
    })
    expect(zotTarget('zot.example', 'q/x/y', parseReference(`quay.io/x/y@${P}`), P)).toEqual({
      text: `zot.example/q/x/y@${P}`,
    })
    expect(zotTarget('[::1]:5000', 'a/b', parseReference('ghcr.io/a/b:1'), D)).toEqual({
      text: `[::1]:5000/a/b:1@${D}`,
    })
  })

  it('digest: the text as written plus the pin; a written pin stays as it is', () => {
    expect(digestTarget('nginx', D)).toEqual({ text: `nginx@${D}` })
    expect(digestTarget('nginx:1.27', D)).toEqual({ text: `nginx:1.27@${D}` })
    expect(digestTarget('localhost:5000/app', D)).toEqual({ text: `localhost:5000/app@${D}` })
    expect(digestTarget(`ghcr.io/a/b:1@${P}`, D)).toEqual({ text: `ghcr.io/a/b:1@${P}` })
  })

  it('digest: only what Zot cannot have converted proves the digest is upstream’s', () => {
    const m = (over: object) =>
      ({
        digest: D,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        kind: 'index',
        children: [],
        ...over,
      }) as Parameters<typeof unconvertedEvidence>[0]
    expect(
      unconvertedEvidence(m({ mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json' })),
    ).toMatch(/Docker media types/)
    expect(
      unconvertedEvidence(
        m({
          children: [
            { digest: P, mediaType: 'application/vnd.oci.image.manifest.v1+json', attestation: true },
          ],
        }),
      ),
    ).toMatch(/attestation/)
    expect(
      unconvertedEvidence(
        m({
          kind: 'manifest',
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { digest: P, mediaType: 'application/vnd.docker.container.image.v1+json' },
        }),
      ),
    ).toMatch(/config/)
    expect(
      unconvertedEvidence(
        m({
          children: [
            { digest: P, mediaType: 'application/vnd.oci.image.manifest.v1+json', attestation: false },
          ],
        }),
      ),
    ).toBeUndefined()
  })

  it('digest: a referrer of the digest itself proves it is upstream’s; one of a platform manifest does not', () => {
    const C = `sha256:${'e'.repeat(64)}`
    const verified = (items: Referrer[]) => ({ digest: D, referrers: { state: 'verified' as const, items } })
    // The attestations Zot moves out of a converted index hang on its platform manifests.
    expect(
      upstreamReferrer(verified([{ kind: 'attestation', subject: C, form: 'referrer', digest: P }])),
    ).toBe(undefined)
    expect(upstreamReferrer({ digest: D })).toBeUndefined()
    expect(upstreamReferrer(verified([]))).toBeUndefined()
    const sbom: Referrer = { kind: 'sbom', subject: D, form: 'referrer', digest: P }
    const legacy: Referrer = {
      kind: 'signature',
      subject: D,
      form: 'tag',
      tag: `${D.replace(':', '-')}.sig`,
      tool: 'cosign',
    }
    const notation: Referrer = { kind: 'signature', subject: D, form: 'referrer', tool: 'notation' }
    expect(upstreamReferrer(verified([sbom]))).toEqual({
      by: 'upstream-referrer',
      detail: 'Zot holds an SBOM of this digest, and copies referrers from upstream for the digest it holds',
    })
    // A signature is named before other kinds, an OCI 1.1 referrer before a legacy tag.
    expect(upstreamReferrer(verified([sbom, legacy]))?.detail).toBe(
      `Zot holds cosign's legacy tag ${legacy.tag}, which it copies from upstream by the name of this digest`,
    )
    expect(upstreamReferrer(verified([legacy, sbom, notation]))?.detail).toBe(
      'Zot holds a signature (notation) of this digest, and copies referrers from upstream for the digest it holds',
    )
  })

  it('a bracketed host is written only as the whole of a quoted string', () => {
    const t = 'a: nginx\nb: "nginx"\nc: \'nginx\'\nd: ["nginx"]\ne: [nginx]\nf: "--image=nginx"\n'
    const at = (needle: string) => {
      const i = t.indexOf(needle)
      return [i, i + 5] as const
    }
    const v6 = '[::1]:5000/x:1'
    expect(unsafeHere(t, ...at('nginx\nb'), v6)).toMatch(/IPv6/)
    expect(unsafeHere(t, ...at('nginx"\nc'), v6)).toBeUndefined()
    expect(unsafeHere(t, ...at("nginx'"), v6)).toBeUndefined()
    expect(unsafeHere(t, ...at('nginx"]'), v6)).toBeUndefined()
    expect(unsafeHere(t, ...at('nginx]'), v6)).toMatch(/IPv6/)
    expect(unsafeHere(t, ...at('nginx"\n'), v6)).toBeUndefined()
    expect(unsafeHere(t, t.lastIndexOf('nginx'), t.lastIndexOf('nginx') + 5, v6)).toMatch(/IPv6/)
    expect(unsafeHere(t, ...at('nginx\nb'), 'zot.example/x:1')).toBeUndefined()
  })

  it('applies edits in any order and refuses overlapping ones', () => {
    expect(
      applyEdits('abcdef', [
        { start: 4, end: 5, text: 'E' },
        { start: 0, end: 1, text: 'AA' },
      ]),
    ).toBe('AAbcdEf')
    expect(() =>
      applyEdits('abcdef', [
        { start: 0, end: 3, text: 'x' },
        { start: 2, end: 4, text: 'y' },
      ]),
    ).toThrow(RangeError)
  })
})

describe('the output directory', () => {
  function workspaceWith(files: Record<string, string>) {
    const ws = workDir('ws')
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(join(ws, f, '..'), { recursive: true })
      writeFileSync(join(ws, f), text)
    }
    return ws
  }
  const POD =
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p # keep\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27 # the web server\n'
  const CM = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  image: nginx:1.27\n'

  async function run(
    ws: string,
    output: string,
    paths = ['.'],
    statuses: Record<string, ImageStatus> = {},
    hold?: string,
  ) {
    const ex = await extract({ workspace: ws, paths })
    const { results, planned } = fakeRun(ex, statuses)
    const summary = await rewriteManifests(zotOptions(ws, output), {
      results,
      planned,
      read: ex.read,
      ...(hold ? { hold } : {}),
    })
    return { ex, results, summary }
  }

  it('receives every scanned file at its relative path, rewritten or not', async () => {
    const ws = workspaceWith({ 'deploy/app.yaml': POD, 'deploy/cm.yaml': CM, 'other/empty.yaml': '' })
    const out = join(workDir('out'), 'nested', 'dir')
    const { summary } = await run(ws, out)
    expect(readdirSync(join(out, 'deploy')).sort()).toEqual(['app.yaml', 'cm.yaml'])
    expect(readFileSync(join(out, 'deploy/cm.yaml'), 'utf8')).toBe(CM)
    expect(readFileSync(join(out, 'other/empty.yaml'), 'utf8')).toBe('')
    expect(readFileSync(join(out, 'deploy/app.yaml'), 'utf8')).toBe(
      POD.replace(
        'nginx:1.27 #',
        `${PULL_HOST}/docker-images/library/nginx:1.27@${digestOf('docker.io/library/nginx:1.27')} #`,
      ),
    )
    expect(summary).toMatchObject({ written: true, files: 3, changedFiles: 1, rewritten: 1, inPlace: false })
    // The originals are untouched.
    expect(readFileSync(join(ws, 'deploy/app.yaml'), 'utf8')).toBe(POD)
  })

  it('in place: changes only the files with references to rewrite, keeping their mode', async () => {
    const ws = workspaceWith({ 'app.yaml': POD, 'cm.yaml': CM })
    chmodSync(join(ws, 'app.yaml'), 0o640)
    utimesSync(join(ws, 'cm.yaml'), new Date(0), new Date(0))
    const { summary } = await run(ws, ws)
    expect(summary).toMatchObject({ inPlace: true, files: 1, changedFiles: 1 })
    expect(readFileSync(join(ws, 'app.yaml'), 'utf8')).toContain(
      `${PULL_HOST}/docker-images/library/nginx:1.27@`,
    )
    expect(statSync(join(ws, 'app.yaml')).mode & 0o777).toBe(0o640)
    expect(statSync(join(ws, 'cm.yaml')).mtimeMs).toBe(0)
    expect(readdirSync(ws).sort()).toEqual(['app.yaml', 'cm.yaml'])
    // A second run finds the cache's references already there: nothing changes, no file is touched, and the
    // summary says so rather than claiming a rewrite.
    const before = readFileSync(join(ws, 'app.yaml'), 'utf8')
    utimesSync(join(ws, 'app.yaml'), new Date(0), new Date(0))
    const second = await run(ws, ws)
    expect(second.summary).toMatchObject({ left: [], rewritten: 0, unchanged: 1, changedFiles: 0, files: 0 })
    // The reference now names the cache; what the deploy pulls is still reported.
    expect(second.results.map((r) => r.rewrittenAs)).toEqual([before.match(/image: (\S+)/)?.[1]])
    expect(readFileSync(join(ws, 'app.yaml'), 'utf8')).toBe(before)
    expect(statSync(join(ws, 'app.yaml')).mtimeMs).toBe(0)
    expect(describeRewrite(second.summary)).toBe(
      'rewrite zot: 0 references rewritten in 0 files, 0 files written in place; 1 reference already as verified',
    )
  })

  it('refuses to write outside the directory: paths leaving the workspace and symbolic links', async () => {
    const outside = workspaceWith({ 'x.yaml': POD })
    const ws = workspaceWith({ 'app.yaml': POD, 'sub/b.yaml': POD.replace('nginx:1.27', 'redis:7') })
    const out = workDir('out')
    const victim = workDir('victim')
    mkdirSync(join(out, 'sub'), { recursive: true })
    rmSync(join(out, 'sub'), { recursive: true })
    symlinkSync(victim, join(out, 'sub'))
    symlinkSync(join(victim, 'app.yaml'), join(out, 'app.yaml'))
    const { summary, results } = await run(ws, out, ['.', `../${outside.split('/').pop()}/x.yaml`])
    expect(summary.problems.map((p) => [p.file, p.message]).sort()).toEqual([
      [
        `../${outside.split('/').pop()}/x.yaml`,
        'its path leaves the workspace, so it would land outside the output directory',
      ],
      ['app.yaml', 'the target is a symbolic link in the output directory; links are not followed'],
      ['sub/b.yaml', '"sub" is a symbolic link in the output directory; links are not followed'],
    ])
    expect(readdirSync(victim)).toEqual([])
    expect(lstatSync(join(out, 'app.yaml')).isSymbolicLink()).toBe(true)
    // Their references count as not rewritten.
    expect(results.find((r) => r.reference === 'docker.io/library/redis:7')?.rewrittenAs).toBeUndefined()
    expect(summary.left.map((l) => l.why)).toContain(
      'the file was not written (the target is a symbolic link in the output directory; links are not followed)',
    )
    await expect(destination(await prepareOutputDir(out), 'a/../../b.yaml')).rejects.toThrow(
      /leaves the workspace/,
    )
  })

  it('a failed run writes nothing; failed, unmapped, invalid and unresolved images keep their text', async () => {
    const text = `${POD}    - name: b\n      image: example.org/unmapped:1\n    - name: c\n      image: "{{ .Values.x }}"\n    - name: d\n      image: Bad/Name\n    - name: e\n      image: redis:7\n`
    const ws = workspaceWith({ 'app.yaml': text })
    const out = workDir('out')
    const held = await run(ws, out, ['.'], {}, 'the run failed (1 image failed)')
    expect(held.summary).toMatchObject({ written: false, held: 'the run failed (1 image failed)', files: 0 })
    expect(readdirSync(out)).toEqual([])
    expect(held.results.every((r) => r.rewrittenAs === undefined)).toBe(true)

    const soft = await run(ws, out, ['.'], { 'docker.io/library/redis:7': 'failed' })
    const written = readFileSync(join(out, 'app.yaml'), 'utf8')
    expect(written).toContain('image: example.org/unmapped:1\n')
    expect(written).toContain('image: "{{ .Values.x }}"\n')
    expect(written).toContain('image: Bad/Name\n')
    expect(written).toContain('image: redis:7\n')
    expect(written).toContain(`image: ${PULL_HOST}/docker-images/library/nginx:1.27@`)
    expect(soft.summary.left.map((l) => [l.reference, l.why])).toEqual([
      ['example.org/unmapped:1', 'its registry is not in registry-map'],
      ['{{ .Values.x }}', 'an unresolved (templated or empty) reference'],
      ['Bad/Name', 'not a valid image reference'],
      ['docker.io/library/redis:7', 'the image failed'],
    ])
  })

  it('replaces a reference inside a larger value (a runtime image in `--flag=REF`) and only that', async () => {
    const text =
      'spec:\n  containers:\n    - name: op\n      image: nginx:1.27\n      args:\n        - --sidecar-image=ghcr.io/acme/side:2 # keep\n        - "--init-image=ghcr.io/acme/side:2"\n      env:\n        - {name: RELATED_IMAGE_X, value: ghcr.io/acme/side:2}\n'
    const ws = workspaceWith({ 'op.yaml': text })
    const ex = await extract({ workspace: ws, paths: ['.'] })
    const { results, planned } = fakeRun(ex)
    // The extraction's runtime sources: each span covers the reference inside the value.
    const side = results.find((r) => r.reference === 'ghcr.io/acme/side:2')
    expect(side?.sources.map((s) => [s.runtime, s.span && text.slice(s.span.start, s.span.end)])).toEqual([
      ['arg', 'ghcr.io/acme/side:2'],
      ['arg', 'ghcr.io/acme/side:2'],
      ['env', 'ghcr.io/acme/side:2'],
    ])
    const out = workDir('out')
    for (const pullHost of [PULL_HOST, '[::1]:5000']) {
      const summary = await rewriteManifests(
        { mode: 'zot', pullHost, output: out, workspace: ws },
        { results: results.map((r) => ({ ...r, warnings: [] })), planned, read: ex.read },
      )
      const written = readFileSync(join(out, 'op.yaml'), 'utf8')
      const target = `${pullHost}/ghcr-images/acme/side:2@${digestOf('ghcr.io/acme/side:2')}`
      if (pullHost === PULL_HOST) {
        expect(summary.left).toEqual([])
        expect(written).toBe(
          text
            .replaceAll('ghcr.io/acme/side:2', target)
            .replace(
              'image: nginx:1.27',
              `image: ${PULL_HOST}/docker-images/library/nginx:1.27@${digestOf('docker.io/library/nginx:1.27')}`,
            ),
        )
      } else {
        // A bracket inside a plain or partly quoted value could end it: every such place keeps its text.
        expect(summary.left.find((l) => l.reference === 'ghcr.io/acme/side:2')).toMatchObject({ places: 3 })
        expect(written).toContain('--sidecar-image=ghcr.io/acme/side:2 # keep')
        expect(written).toContain('"--init-image=ghcr.io/acme/side:2"')
      }
    }
  })

  it('leaves a place whose file changed since it was read', async () => {
    const ws = workspaceWith({ 'app.yaml': POD })
    const ex = await extract({ workspace: ws, paths: ['.'] })
    const { results, planned } = fakeRun(ex)
    writeFileSync(join(ws, 'app.yaml'), POD.replace('nginx:1.27', 'nginx:9.99'))
    const out = workDir('out')
    const summary = await rewriteManifests(zotOptions(ws, out), { results, planned, read: ex.read })
    expect(summary.left.map((l) => l.why)).toEqual(['the file changed since it was read'])
    expect(readFileSync(join(out, 'app.yaml'), 'utf8')).toBe(POD.replace('nginx:1.27', 'nginx:9.99'))
  })
  it('strict: a warm image’s place that cannot be rewritten fails before anything is written; soft writes the rest', async () => {
    const app = `${POD}    - name: b\n      image: "ghcr.io/acme/api\\u003a2"\n`
    const json =
      '{"kind": "Pod", "spec": {"containers": [{"name": "j", "image": "ghcr.io/acme/j\\u003a3"}]}}\n'
    const ws = workspaceWith({ 'app.yaml': app, 'pod.json': json, 'ok.yaml': POD })
    const ex = await extract({ workspace: ws, paths: ['.'] })
    const out = workDir('out')
    const logged: string[] = []
    const fix = 'write the reference without escapes, as a plain or quoted value'
    const input = (strict: boolean) => {
      const { results, planned } = fakeRun(ex)
      return {
        results,
        planned,
        read: ex.read,
        strict,
        log: (l: string, m: string) => logged.push(`${l} ${m}`),
      }
    }
    const strict = await rewriteManifests(zotOptions(ws, out), input(true))
    expect(strict).toMatchObject({
      written: false,
      held: '2 references to warm images cannot be rewritten in place',
      files: 0,
    })
    const why = `written with escapes inside double quotes; ${fix}`
    expect(strict.unwritable).toEqual([
      { reference: 'ghcr.io/acme/api:2', file: 'app.yaml', line: 10, column: 14, why },
      { reference: 'ghcr.io/acme/j:3', file: 'pod.json', line: 1, column: 64, why },
    ])
    // Nothing at all: not the file with only good references either.
    expect(readdirSync(out)).toEqual([])
    expect(logged).toEqual([
      'info Nothing written: 2 references to warm images cannot be rewritten in place.',
      `warning cannot be rewritten: ghcr.io/acme/api:2 (app.yaml:10:14): ${why}`,
      `warning cannot be rewritten: ghcr.io/acme/j:3 (pod.json:1:64): ${why}`,
    ])

    const soft = await rewriteManifests(zotOptions(ws, out), input(false))
    expect(soft).toMatchObject({ written: true, files: 3, changedFiles: 2 })
    expect(soft.unwritable.map((u) => `${u.file}:${u.line}:${u.column}`)).toEqual([
      'app.yaml:10:14',
      'pod.json:1:64',
    ])
    expect(readFileSync(join(out, 'app.yaml'), 'utf8')).toContain('image: "ghcr.io/acme/api\\u003a2"\n')
    expect(readFileSync(join(out, 'ok.yaml'), 'utf8')).toContain(
      `image: ${PULL_HOST}/docker-images/library/nginx:1.27@`,
    )
  })

  it('every reason the extraction gives for an unwritable place comes with what to write instead', async () => {
    // The places a valid reference can have without a span: escapes (YAML, JSON, an escaped line break), an
    // alias of text that is no image field, image-sync's source and tag written apart.
    const files: Record<string, string> = {
      'escapes.yaml': 'spec:\n  containers:\n    - image: "ghcr.io/a/escaped\\x3a1"\n',
      'continued.yaml': 'spec:\n  containers:\n    - image: "ghcr.io/a/\\\n        continued:1"\n',
      'alias.yaml': 'x: &img ghcr.io/a/alias:1\nspec:\n  containers:\n    - image: *img\n',
      'sync.yaml': 'images:\n  - source: ghcr.io/a/sync\n    tag: "1"\n',
      'json.json': '{"spec": {"containers": [{"image": "ghcr.io/a/json\\u003a1"}]}}\n',
    }
    const ws = workspaceWith(files)
    const ex = await extract({ workspace: ws, paths: ['.'] })
    const { results, planned } = fakeRun(ex)
    const summary = await rewriteManifests(zotOptions(ws, workDir('out')), {
      results,
      planned,
      read: ex.read,
    })
    const noEscapes = 'write the reference without escapes, as a plain or quoted value'
    expect(Object.fromEntries(summary.unwritable.map((u) => [u.file, u.why]))).toEqual({
      'escapes.yaml': `written with escapes inside double quotes; ${noEscapes}`,
      'continued.yaml': `written with escapes inside double quotes; ${noEscapes}`,
      'alias.yaml':
        'reached through the alias *img, whose anchored text is not an image field rewritten here; write the reference itself in place of the alias, or put the anchor on the image field it copies',
      'sync.yaml':
        'its source and tag are written apart; write source as one reference (source: name:tag, no tag key), or leave this image-sync file out of paths',
      'json.json': `written with escapes inside double quotes; ${noEscapes}`,
    })
    // The other reasons come with invalid references (folding adds a space, a doubled quote a quote), which
    // keep their text anyway; they have their advice all the same.
    const oneLine = 'write the reference on one line, as a plain or quoted value'
    expect(
      [
        "written with a doubled quote ('') inside single quotes",
        'a plain value spread over several lines',
        'a quoted value spread over several lines',
        'a block scalar of several lines',
        'a block scalar whose text differs from its value (indentation or folding)',
        'internal: the text at its position is not its value',
        'a value of an unknown scalar style',
      ].map(withFix),
    ).toEqual([
      `written with a doubled quote ('') inside single quotes; ${noEscapes}`,
      `a plain value spread over several lines; ${oneLine}`,
      `a quoted value spread over several lines; ${oneLine}`,
      `a block scalar of several lines; ${oneLine}`,
      `a block scalar whose text differs from its value (indentation or folding); ${oneLine}`,
      'internal: the text at its position is not its value; this is a zot-warm bug: please report it with the file',
      'a value of an unknown scalar style; write the reference as a plain or quoted value on one line',
    ])
  })
})
