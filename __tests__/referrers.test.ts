// The referrers module's pure parts and how the report shows referrers. What Zot really copies and lists is
// in referrers.int.test.ts.
import { describe, expect, test } from 'vitest'
import type { ImageResult, Referrer, ReferrersResult } from '../src/model.js'
import { planAnnotations } from '../src/report/annotations.js'
import { referrersLabel } from '../src/report/format.js'
import { countReferrers } from '../src/report/outcome.js'
import { buildReport } from '../src/report/report.js'
import { renderSummary } from '../src/report/summary.js'
import { renderTable } from '../src/report/table.js'
import { renderTextSummary } from '../src/report/text-summary.js'
import type { RunResult } from '../src/report/types.js'
import { kindOf, legacyTags } from '../src/warm/referrers.js'
import { batchQuery, parseImage } from '../src/warm/search.js'

const d = (c: string) => `sha256:${c.repeat(64)}`
const hex = (c: string) => c.repeat(64)

describe('kindOf: what an artifact type says', () => {
  test.each([
    ['application/vnd.dev.cosign.artifact.sig.v1+json', {}, 'signature'],
    ['application/vnd.cncf.notary.signature', {}, 'signature'],
    ['application/vnd.dev.sigstore.bundle.v0.3+json', {}, 'signature'],
    [
      'application/vnd.dev.sigstore.bundle.v0.3+json',
      { 'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1' },
      'signature',
    ],
    [
      'application/vnd.dev.sigstore.bundle.v0.3+json',
      { 'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1' },
      'attestation',
    ],
    ['application/vnd.in-toto+json', {}, 'attestation'],
    ['application/vnd.dsse.envelope.v1+json', {}, 'attestation'],
    // Buildkit attestations Zot moved out of a converted index: an image config type and this annotation.
    [
      'application/vnd.oci.image.config.v1+json',
      { 'vnd.docker.reference.type': 'attestation-manifest' },
      'attestation',
    ],
    ['application/spdx+json', {}, 'sbom'],
    ['text/spdx+json', {}, 'sbom'],
    ['application/vnd.cyclonedx+json', {}, 'sbom'],
    ['application/vnd.syft+json', {}, 'sbom'],
    ['application/vnd.cncf.helm.config.v1+json', {}, 'other'],
    [undefined, {}, 'other'],
  ] as const)('%s %j → %s', (type, annotations, kind) => {
    expect(kindOf(type, annotations)).toBe(kind)
  })
})

test('legacyTags: cosign tags of the image and its platforms only, kind from the suffix', () => {
  const tags = new Set([
    '1.0',
    `sha256-${hex('a')}.sig`,
    `sha256-${hex('a')}.sbom`,
    `sha256-${hex('b')}.att`,
    `sha256-${hex('c')}.sig`, // another image's
    `sha256-${hex('a')}`, // the referrers tag schema's index: not an artifact itself
    `sha256-${hex('a')}.sig.bak`,
  ])
  expect(legacyTags(tags, [d('a'), d('b')])).toEqual([
    { kind: 'signature', subject: d('a'), form: 'tag', tag: `sha256-${hex('a')}.sig`, tool: 'cosign' },
    { kind: 'sbom', subject: d('a'), form: 'tag', tag: `sha256-${hex('a')}.sbom` },
    { kind: 'attestation', subject: d('b'), form: 'tag', tag: `sha256-${hex('b')}.att` },
  ])
})

describe('search: signatures and referrers of an image and of its manifests', () => {
  test('the fragment asks for them only when wanted', () => {
    expect(batchQuery(['a:1']).query).not.toContain('Referrers')
    const query = batchQuery(['a:1'], { referrers: true }).query
    expect(query).toContain('IsSigned SignatureInfo { Tool } Referrers { Digest ArtifactType MediaType')
    // Both on the image and on each manifest.
    expect(query.match(/IsSigned/g)).toHaveLength(2)
  })

  test('parsed into signed + signing tools + referrers; bad digests left out', () => {
    const image = parseImage({
      Digest: d('a'),
      MediaType: 'application/vnd.oci.image.index.v1+json',
      IsSigned: true,
      SignatureInfo: [{ Tool: 'cosign' }, { Tool: 'cosign' }, { Tool: 'notation' }, null],
      Referrers: [
        {
          Digest: d('c'),
          ArtifactType: 'application/spdx+json',
          MediaType: 'application/vnd.oci.image.manifest.v1+json',
          Annotations: [{ Key: 'org.opencontainers.image.created', Value: 'now' }, { Key: 1 }],
        },
        { Digest: 'nope', ArtifactType: 'x' },
      ],
      Manifests: [
        {
          Digest: d('b'),
          ArtifactType: 'application/vnd.oci.image.config.v1+json',
          Platform: { Os: 'linux', Arch: 'amd64' },
          IsSigned: false,
          SignatureInfo: [],
          Referrers: [{ Digest: d('e'), ArtifactType: 'application/vnd.in-toto+json', Annotations: [] }],
        },
      ],
    })
    expect(image?.attached).toEqual({
      signed: true,
      signers: ['cosign', 'notation'],
      referrers: [
        {
          digest: d('c'),
          artifactType: 'application/spdx+json',
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          annotations: { 'org.opencontainers.image.created': 'now' },
        },
      ],
    })
    expect(image?.manifests[0]?.attached).toEqual({
      signed: false,
      signers: [],
      referrers: [{ digest: d('e'), artifactType: 'application/vnd.in-toto+json', annotations: {} }],
    })
    // Not asked: nothing parsed.
    expect(parseImage({ Digest: d('a'), Manifests: [] })?.attached).toBeUndefined()
  })
})

const SIG: Referrer = { kind: 'signature', subject: d('a'), form: 'referrer', tool: 'cosign' }
const SBOM: Referrer = {
  kind: 'sbom',
  artifactType: 'application/spdx+json',
  digest: d('c'),
  subject: d('a'),
  form: 'referrer',
}
const ATT: Referrer = {
  kind: 'attestation',
  artifactType: 'application/vnd.in-toto+json',
  digest: d('e'),
  subject: d('b'),
  form: 'referrer',
}

function img(reference: string, referrers?: ReferrersResult, extra: Partial<ImageResult> = {}): ImageResult {
  return {
    reference,
    status: 'cached',
    zotReference: `hub/${reference}`,
    digest: d('a'),
    attempts: 1,
    durationMs: 10,
    warnings: [],
    sources: [{ file: 'deploy/app.yaml', line: 7, column: 16 }],
    ...(referrers ? { referrers } : {}),
    ...extra,
  }
}

function runOf(results: ImageResult[]): RunResult {
  return {
    mode: 'warm',
    strict: true,
    failOnUnresolved: true,
    unmapped: 'skip',
    zotUrl: 'https://zot.example.com',
    results,
    notices: [],
    files: 1,
    bytes: 100,
    startedAt: '2026-11-30T10:00:00.000Z',
    durationMs: 1000,
  }
}

const SIGNED = img('a:1', { state: 'verified', items: [SIG, SBOM, ATT] })
const PLAIN = img('b:1', { state: 'verified', items: [] })
const UNSEEN = img('c:1', { state: 'not-verified', items: [], note: 'referrers not verified: …' })

describe('report', () => {
  test('the short label: kinds present, — for none, not verified', () => {
    expect(referrersLabel(SIGNED)).toBe('signed, attested, sbom')
    expect(referrersLabel(PLAIN)).toBe('—')
    expect(referrersLabel(UNSEEN)).toBe('not verified')
    expect(
      referrersLabel(img('x', { state: 'not-verified', items: [{ ...SIG, form: 'tag', tag: 't.sig' }] })),
    ).toBe('signed, not verified')
    // A signature of a platform manifest (subject b, the image is a) does not sign the image.
    const platformSigned = img('x', { state: 'verified', items: [{ ...SIG, subject: d('b') }, ATT] })
    expect(referrersLabel(platformSigned)).toBe('attested')
    expect(countReferrers([platformSigned])).toMatchObject({ signed: 0, attested: 1, unsigned: 1 })
    expect(referrersLabel(img('x', { state: 'off', items: [] }))).toBe('')
    expect(referrersLabel(img('x'))).toBe('')
  })

  test('counts: images signed, attested, with an SBOM, unsigned, not verified', () => {
    expect(countReferrers([SIGNED, PLAIN, UNSEEN, img('d:1')])).toEqual({
      checked: 3,
      signed: 1,
      attested: 1,
      sbom: 1,
      unsigned: 1,
      notVerified: 1,
    })
    expect(countReferrers([img('d:1'), img('e:1', { state: 'off', items: [] })])).toBeUndefined()
  })

  test('the log table gets a REFERRERS column only when some image has referrers to show', () => {
    const table = renderTable([SIGNED, PLAIN, UNSEEN])
    // (No image here has platforms: that column is left out.)
    expect(table.split('\n')[0]).toMatch(/DIGEST\s+REFERRERS\s+TIME/)
    expect(table).toMatch(/a:1 .* signed,attested,sbom /)
    expect(table).toMatch(/b:1 .* — /)
    expect(table).toMatch(/c:1 .* unverified /)
    expect(renderTable([UNSEEN]).split('\n')[0]).toContain('REFERRERS')
    // Not looked at, or nothing but "—": the column would only take width from the references.
    expect(renderTable([img('a:1')]).split('\n')[0]).not.toContain('REFERRERS')
    expect(renderTable([PLAIN, img('d:1')]).split('\n')[0]).not.toContain('REFERRERS')
  })

  test('job summaries: a column and a line of counts', () => {
    const html = renderSummary(runOf([SIGNED, PLAIN, UNSEEN]), outcome, { workspace: '/w' })
    expect(html).toContain('<th>Referrers</th>')
    expect(html).toContain('<td>signed, attested, sbom</td>')
    expect(html).toContain('<td>—</td>')
    expect(html).toContain(
      "Referrers in Zot: 1 of 3 images signed, 1 attested, 1 with an SBOM, 1 not verified (Zot's search extension is off or cannot read them).",
    )
    expect(renderSummary(runOf([img('a:1')]), outcome, { workspace: '/w' })).not.toContain('Referrers')
    const text = renderTextSummary(runOf([SIGNED, PLAIN]), outcome)
    expect(text).toContain('Referrers in Zot: 1 of 2 images signed, 1 attested, 1 with an SBOM.')
    expect(text).toContain('REFERRERS')
  })

  test('JSON report: every field, null where the cache names none', () => {
    const report = buildReport(runOf([SIGNED, img('d:1')]), outcome)
    expect(report.images[0]?.referrers).toEqual({
      state: 'verified',
      items: [
        {
          kind: 'signature',
          artifactType: null,
          digest: null,
          subject: d('a'),
          form: 'referrer',
          tag: null,
          tool: 'cosign',
        },
        {
          kind: 'sbom',
          artifactType: 'application/spdx+json',
          digest: d('c'),
          subject: d('a'),
          form: 'referrer',
          tag: null,
          tool: null,
        },
        {
          kind: 'attestation',
          artifactType: 'application/vnd.in-toto+json',
          digest: d('e'),
          subject: d('b'),
          form: 'referrer',
          tag: null,
          tool: null,
        },
      ],
      note: null,
    })
    expect(report.images[1]?.referrers).toBeNull()
    expect(report.summary.referrers).toEqual({
      checked: 1,
      signed: 1,
      attested: 1,
      sbom: 1,
      unsigned: 0,
      notVerified: 0,
    })
  })

  test('a require-signed failure is annotated at the image as "image not signed"', () => {
    const failed = img(
      'b:1',
      { state: 'verified', items: [] },
      {
        status: 'failed',
        error: `no signature of hub/b@${d('a')} in Zot (referrers: require-signed)`,
        diagnosis: 'Zot holds no signature …',
      },
    )
    const [a] = planAnnotations(runOf([SIGNED, failed]))
    expect(a).toMatchObject({
      level: 'error',
      title: 'image not signed',
      file: 'deploy/app.yaml',
      line: 7,
      column: 16,
    })
    expect(a?.message).toContain('(referrers: require-signed). Zot holds no signature')
  })
})

const outcome = {
  exitCode: 0 as const,
  conclusion: 'success' as const,
  reason: 'ok',
  problems: [],
  warnings: [],
}
