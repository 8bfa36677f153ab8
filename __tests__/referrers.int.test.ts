// Signatures, attestations and SBOMs against real Zot v2.1.20: what Zot copies for each referrer form (the
// facts src/warm/referrers.ts and docs/zot.md rest on), then the engine and the pipeline warming them with
// the images. Presence in the cache is checked with requests that never sync (blob HEAD, tags/list, search);
// upstream request counts come from the upstream Zot's own metrics.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseConfig } from '../src/inputs/config.js'
import type { Logger } from '../src/logger.js'
import type { FoundImage, ImageResult, Referrer } from '../src/model.js'
import { runPipeline } from '../src/pipeline.js'
import { planImages } from '../src/plan/plan.js'
import { parseRegistryMap } from '../src/plan/registry-map.js'
import { planAnnotations } from '../src/report/annotations.js'
import { referrersLabel } from '../src/report/format.js'
import { countReferrers, decideOutcome } from '../src/report/outcome.js'
import { ZotClient } from '../src/warm/client.js'
import { EXPLANATIONS, explained } from '../src/warm/diagnose.js'
import { warmImages } from '../src/warm/engine.js'
import type { WarmOptions } from '../src/warm/options.js'
import { type FaultRelay, startFaultRelay } from './support/fault-relay.js'
import {
  ARTIFACT,
  digestTag,
  type PushedImage,
  type PushedReferrer,
  pushImage,
  pushReferrer,
} from './support/images.js'
import { found } from './support/references.js'
import { getManifest, listTags, MEDIA, registryRequest } from './support/registry.js'
import { tempDir } from './support/temp.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const MAP = parseRegistryMap('docker.io: hub\n')
const COSIGN = ARTIFACT.cosignSignature

let hub: ZotServer
let cache: ZotServer

beforeAll(async () => {
  hub = await startZot({ name: 'hub' })
  cache = await startZot({ name: 'cache', upstreams: [{ url: hub.url, destination: 'hub' }] })
})

afterAll(async () => {
  await Promise.all([hub?.stop(), cache?.stop()])
})

/** Upstream requests made while `fn` runs. */
async function upstreamCost<T>(
  fn: () => Promise<T>,
  upstream = hub,
): Promise<{ result: T; upstream: number }> {
  const before = await upstream.requestCount()
  const result = await fn()
  return { result, upstream: (await upstream.requestCount()) - before }
}

async function warm(
  server: ZotServer,
  images: FoundImage[],
  opts: Partial<WarmOptions> = {},
): Promise<ImageResult[]> {
  const client = new ZotClient({ url: server.url })
  try {
    const plan = planImages(images, MAP)
    return await warmImages(plan.images, client, {
      mode: 'warm',
      refresh: false,
      concurrency: 4,
      imageTimeoutMs: 60_000,
      referrers: 'warm',
      ...opts,
    })
  } finally {
    await client.close()
  }
}

const subjectOf = (m: { digest: string; mediaType: string; size: number }) => ({
  digest: m.digest,
  mediaType: m.mediaType,
  size: m.size,
})

/** Is the artifact in the server's storage? Blob HEAD and tags/list: neither ever syncs. */
async function stored(server: ZotServer, repo: string, r: PushedReferrer): Promise<boolean> {
  const blob = await registryRequest(server.registry(), 'HEAD', `/v2/${repo}/blobs/${r.digest}`)
  if (r.form !== 'tag') return blob.status === 200
  const tags = await listTags(server.registry(), repo)
  return blob.status === 200 && (tags.tags ?? []).includes(r.tag as string)
}

async function storedAll(server: ZotServer, repo: string, rs: PushedReferrer[]): Promise<boolean[]> {
  return Promise.all(rs.map((r) => stored(server, repo, r)))
}

async function search(server: ZotServer, query: string) {
  const res = await registryRequest(server.registry(), 'POST', '/v2/_zot/ext/search', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  })
  return JSON.parse(res.body.toString('utf8'))
}

/** A signed multi-platform image: an OCI 1.1 cosign signature on the index, an attestation on each child. */
async function pushSigned(registry: ZotServer, repo: string) {
  const image = await pushImage(registry.registry(), {
    repo,
    tag: '1',
    kind: 'oci-index',
    platforms: ['linux/amd64', 'linux/arm64'],
  })
  const signature = await pushReferrer(registry.registry(), {
    repo,
    subject: subjectOf(image),
    what: 'cosign-signature',
    form: 'referrer',
  })
  const attestations = await Promise.all(
    image.manifests.map((child) =>
      pushReferrer(registry.registry(), { repo, subject: child, what: 'attestation', form: 'referrer' }),
    ),
  )
  return { image, signature, attestations }
}

/**
 * A legacy `.sig` manifest with Docker media types, as older cosign wrote them (the upstream test Zot has
 * compat on, so it accepts it).
 */
async function dockerTypedLegacySignature(repo: string, image: PushedImage): Promise<PushedReferrer> {
  const legacy = await pushReferrer(hub.registry(), {
    repo,
    subject: subjectOf(image),
    what: 'cosign-signature',
    form: 'tag',
  })
  const got = await getManifest(hub.registry(), repo, legacy.tag as string)
  const docker = {
    ...got.json,
    mediaType: MEDIA.dockerManifest,
    config: { ...got.json.config, mediaType: MEDIA.dockerConfig },
  }
  const put = await registryRequest(hub.registry(), 'PUT', `/v2/${repo}/manifests/${legacy.tag}`, {
    headers: { 'content-type': MEDIA.dockerManifest },
    body: JSON.stringify(docker),
  })
  expect(put.status).toBe(201)
  return { ...legacy, digest: String(put.headers['docker-content-digest']), mediaType: MEDIA.dockerManifest }
}

describe('what Zot v2.1.20 copies, for each referrer form', () => {
  let image: PushedImage
  let index: PushedReferrer[]
  let child: PushedReferrer
  let ofReferrer: PushedReferrer

  beforeAll(async () => {
    image = await pushImage(hub.registry(), {
      repo: 'facts/app',
      tag: '1',
      kind: 'oci-index',
      platforms: ['linux/amd64', 'linux/arm64'],
    })
    const on = subjectOf(image)
    const push = (what: Parameters<typeof pushReferrer>[1]['what'], form: 'referrer' | 'tag') =>
      pushReferrer(hub.registry(), { repo: 'facts/app', subject: on, what, form })
    index = [
      await push('cosign-signature', 'referrer'),
      await push('notation-signature', 'referrer'),
      await push('spdx', 'referrer'),
      await push('cosign-signature', 'tag'),
      await push('attestation', 'tag'),
      await push('spdx', 'tag'),
    ]
    child = await pushReferrer(hub.registry(), {
      repo: 'facts/app',
      subject: image.manifests[0] as PushedImage['manifests'][0],
      what: 'attestation',
      form: 'referrer',
    })
    // A signature of the SBOM: a referrer of a referrer.
    ofReferrer = await pushReferrer(hub.registry(), {
      repo: 'facts/app',
      subject: subjectOf(index[2] as PushedReferrer),
      what: 'cosign-signature',
      form: 'referrer',
    })
  })

  test('a tag GET through the cache copies the image without any referrer', async () => {
    expect((await getManifest(cache.registry(), 'hub/facts/app', '1')).digest).toBe(image.digest)
    expect(await storedAll(cache, 'hub/facts/app', [...index, child, ofReferrer])).toEqual(
      Array(8).fill(false),
    )
    expect((await listTags(cache.registry(), 'hub/facts/app')).tags).toEqual(['1'])
  })

  test("a referrers request copies the subject's OCI 1.1 referrers and its legacy tags, one level deep", async () => {
    const { result, upstream } = await upstreamCost(() =>
      registryRequest(cache.registry(), 'GET', `/v2/hub/facts/app/referrers/${image.digest}`),
    )
    expect(result.status).toBe(200)
    // The answer lists the OCI 1.1 referrers (signatures included); legacy tags have no subject field.
    const listed = JSON.parse(result.body.toString('utf8')).manifests.map(
      (m: { digest: string; artifactType: string }) => [m.digest, m.artifactType],
    )
    expect(listed.sort()).toEqual(
      index
        .filter((r) => r.form === 'referrer')
        .map((r) => [r.digest, r.artifactType])
        .sort(),
    )
    expect(await storedAll(cache, 'hub/facts/app', index)).toEqual(Array(6).fill(true))
    // Not the children's referrers, not the referrers of a referrer.
    expect(await storedAll(cache, 'hub/facts/app', [child, ofReferrer])).toEqual([false, false])
    expect(upstream).toBeGreaterThan(0)

    // Asking again asks upstream again, although everything is there: a referrers request is never a free read.
    const again = await upstreamCost(() =>
      registryRequest(cache.registry(), 'GET', `/v2/hub/facts/app/referrers/${image.digest}`),
    )
    expect(again.upstream).toBeGreaterThan(0)

    // A child's referrers come with a request for the child's digest.
    await registryRequest(
      cache.registry(),
      'GET',
      `/v2/hub/facts/app/referrers/${image.manifests[0]?.digest}`,
    )
    expect(await stored(cache, 'hub/facts/app', child)).toBe(true)
  })

  test('search lists referrers with digests, but signatures only as "signed by <tool>"; no request reaches upstream', async () => {
    const { result, upstream } = await upstreamCost(() =>
      search(
        cache,
        `{ Image(image: "hub/facts/app:1") { Digest IsSigned SignatureInfo { Tool } Referrers { Digest ArtifactType }
           Manifests { Digest IsSigned Referrers { Digest ArtifactType } } } }`,
      ),
    )
    expect(upstream).toBe(0)
    const summary = result.data.Image
    expect(summary.IsSigned).toBe(true)
    // One entry per signature layer: the OCI 1.1 cosign signature, the legacy .sig tag, the notation one.
    expect(summary.SignatureInfo.map((s: { Tool: string }) => s.Tool).sort()).toEqual([
      'cosign',
      'cosign',
      'notation',
    ])
    // Signatures are not among the referrers: only the SBOM is.
    const sbom = index[2] as PushedReferrer
    expect(summary.Referrers).toEqual([{ Digest: sbom.digest, ArtifactType: ARTIFACT.spdx }])
    expect(summary.Manifests).toContainEqual({
      Digest: image.manifests[0]?.digest,
      IsSigned: false,
      Referrers: [{ Digest: child.digest, ArtifactType: ARTIFACT.inToto }],
    })
    // Legacy tags: `.att` and `.sbom` are tags search can read; `.sig` is filed as a signature, not a tag.
    const [sig, att, sbomTag] = index.slice(3) as PushedReferrer[]
    const tags = await search(
      cache,
      `{ a: Image(image: "hub/facts/app:${att?.tag}") { Digest } b: Image(image: "hub/facts/app:${sbomTag?.tag}") { Digest } }`,
    )
    expect(tags.data).toEqual({ a: { Digest: att?.digest }, b: { Digest: sbomTag?.digest } })
    const sigTag = await search(cache, `{ Image(image: "hub/facts/app:${sig?.tag}") { Digest } }`)
    expect(sigTag.data).toBeNull()
    expect(sigTag.errors[0].message).toMatch(/can't find image/)
  })

  test('an upstream without the referrers API: Zot reads the referrers tag schema instead (the tag itself stays upstream)', async () => {
    const relay = await startFaultRelay(hub.url)
    relay.inject({ match: /\/referrers\//, fault: { kind: 'status', status: 404 } })
    const viaTags = await startZot({
      name: 'cache-tagschema',
      upstreams: [{ url: relay.url, destination: 'hub' }],
    })
    try {
      const single = await pushImage(hub.registry(), { repo: 'facts/tagschema', tag: '1', kind: 'oci' })
      const pushed = [
        await pushReferrer(hub.registry(), {
          repo: 'facts/tagschema',
          subject: subjectOf(single),
          what: 'cosign-signature',
          form: 'tag-schema',
        }),
        await pushReferrer(hub.registry(), {
          repo: 'facts/tagschema',
          subject: subjectOf(single),
          what: 'cyclonedx',
          form: 'tag-schema',
        }),
      ]
      await getManifest(viaTags.registry(), 'hub/facts/tagschema', '1')
      const res = await registryRequest(
        viaTags.registry(),
        'GET',
        `/v2/hub/facts/tagschema/referrers/${single.digest}`,
      )
      expect(
        JSON.parse(res.body.toString('utf8')).manifests.map((m: { digest: string }) => m.digest),
      ).toEqual(pushed.map((p) => p.digest))
      expect(relay.requests(/\/referrers\//).map((r) => r.status)).toEqual([404])
      expect(relay.requests(new RegExp(`manifests/${digestTag(single.digest)}$`))).toHaveLength(1)
      expect((await listTags(viaTags.registry(), 'hub/facts/tagschema')).tags).toEqual(['1'])
    } finally {
      await viaTags.stop()
      await relay.stop()
    }
  })

  test('a converted image (preserveDigest off) gets a new digest, which no upstream signature refers to', async () => {
    const preserve = await startZot({
      name: 'cache-preserve',
      upstreams: [{ url: hub.url, destination: 'hub', preserveDigest: true }],
    })
    try {
      const docker = await pushImage(hub.registry(), { repo: 'facts/docker', tag: '1', kind: 'docker-list' })
      const sig = await pushReferrer(hub.registry(), {
        repo: 'facts/docker',
        subject: subjectOf(docker),
        what: 'cosign-signature',
        form: 'referrer',
      })
      const seen = async (server: ZotServer) => {
        const m = await getManifest(server.registry(), 'hub/facts/docker', '1')
        const res = await registryRequest(
          server.registry(),
          'GET',
          `/v2/hub/facts/docker/referrers/${m.digest}`,
        )
        return [m.digest === docker.digest, JSON.parse(res.body.toString('utf8')).manifests.length]
      }
      expect(await seen(cache)).toEqual([false, 0])
      expect(await seen(preserve)).toEqual([true, 1])
      expect(await stored(preserve, 'hub/facts/docker', sig)).toBe(true)
    } finally {
      await preserve.stop()
    }
  })

  test('an untagged image: no search query lists its signatures (Referrers(repo, digest) leaves them out)', async () => {
    const single = await pushImage(hub.registry(), { repo: 'facts/untagged', untagged: true, kind: 'oci' })
    const on = subjectOf(single)
    const sig = await pushReferrer(hub.registry(), {
      repo: 'facts/untagged',
      subject: on,
      what: 'cosign-signature',
      form: 'referrer',
    })
    const sbom = await pushReferrer(hub.registry(), {
      repo: 'facts/untagged',
      subject: on,
      what: 'spdx',
      form: 'referrer',
    })
    await getManifest(cache.registry(), 'hub/facts/untagged', single.digest)
    await registryRequest(cache.registry(), 'GET', `/v2/hub/facts/untagged/referrers/${single.digest}`)
    expect(await storedAll(cache, 'hub/facts/untagged', [sig, sbom])).toEqual([true, true])
    const { result, upstream } = await upstreamCost(() =>
      search(
        cache,
        `{ r: Referrers(repo: "hub/facts/untagged", digest: "${single.digest}") { Digest }
           d: ImageListForDigest(id: "${single.digest}") { Results { RepoName IsSigned } } }`,
      ),
    )
    expect(upstream).toBe(0)
    expect(result.data).toEqual({ r: [{ Digest: sbom.digest }], d: { Results: [] } })
  })

  test('"syncLegacyCosignTags": false: the referrers request leaves legacy tags upstream', async () => {
    const noLegacy = await startZot({
      name: 'cache-nolegacy',
      upstreams: [{ url: hub.url, destination: 'hub', syncLegacyCosignTags: false }],
    })
    try {
      await getManifest(noLegacy.registry(), 'hub/facts/app', '1')
      await registryRequest(noLegacy.registry(), 'GET', `/v2/hub/facts/app/referrers/${image.digest}`)
      expect(await storedAll(noLegacy, 'hub/facts/app', index)).toEqual([
        true,
        true,
        true,
        false,
        false,
        false,
      ])
    } finally {
      await noLegacy.stop()
    }
  })

  test('a referrer Zot rejects (a Docker-typed legacy signature, a cache without compat) is left out; the others are copied', async () => {
    const single = await pushImage(hub.registry(), { repo: 'facts/rejected', tag: '1', kind: 'oci' })
    const legacy = await dockerTypedLegacySignature('facts/rejected', single)
    const oci = await pushReferrer(hub.registry(), {
      repo: 'facts/rejected',
      subject: subjectOf(single),
      what: 'cosign-signature',
      form: 'referrer',
    })
    await getManifest(cache.registry(), 'hub/facts/rejected', '1')
    const mark = cache.logMark()
    const res = await registryRequest(
      cache.registry(),
      'GET',
      `/v2/hub/facts/rejected/referrers/${single.digest}`,
    )
    expect(res.status).toBe(200)
    expect(await stored(cache, 'hub/facts/rejected', oci)).toBe(true)
    expect(await stored(cache, 'hub/facts/rejected', legacy)).toBe(false)
    const log = cache.logSince(mark).join('\n')
    expect(log).toContain('failed to sync image referrers')
    expect(log).toContain('invalid manifest content')
  })

  test('onlySigned: an image needs a signature on its own digest upstream, and Zot still copies it without it', async () => {
    const strict = await startZot({
      name: 'cache-onlysigned',
      upstreams: [{ url: hub.url, destination: 'hub', onlySigned: true }],
    })
    try {
      const make = async (repo: string, attach?: (s: PushedImage) => Promise<unknown>) => {
        const img = await pushImage(hub.registry(), {
          repo,
          tag: '1',
          kind: 'oci-index',
          platforms: ['linux/amd64'],
        })
        await attach?.(img)
        return (await getManifest(strict.registry(), `hub/${repo}`, '1')).status
      }
      const on = (
        img: PushedImage,
        what: 'cosign-signature' | 'notation-signature' | 'attestation',
        form: 'referrer' | 'tag',
        subject = subjectOf(img),
      ) => pushReferrer(hub.registry(), { repo: img.repo, subject, what, form })
      let signature: PushedReferrer | undefined
      const statuses = {
        unsigned: await make('only/unsigned'),
        cosign: await make('only/cosign', async (i) => {
          signature = await on(i, 'cosign-signature', 'referrer')
        }),
        legacySig: await make('only/legacy', (i) => on(i, 'cosign-signature', 'tag')),
        notation: await make('only/notation', (i) => on(i, 'notation-signature', 'referrer')),
        attestationOnly: await make('only/attested', (i) => on(i, 'attestation', 'referrer')),
        childSignedOnly: await make('only/child', (i) =>
          on(i, 'cosign-signature', 'referrer', i.manifests[0] as PushedImage['manifests'][0]),
        ),
      }
      expect(statuses).toEqual({
        unsigned: 404,
        cosign: 200,
        legacySig: 200,
        notation: 200,
        attestationOnly: 404,
        childSignedOnly: 404,
      })
      expect(strict.logLines(/skipping image without mandatory signature/).length).toBeGreaterThanOrEqual(3)
      expect(await stored(strict, 'hub/only/cosign', signature as PushedReferrer)).toBe(false)
    } finally {
      await strict.stop()
    }
  })
})

/** Five images, one per referrer situation, pushed once: what each should report. */
interface Zoo {
  /** OCI 1.1 cosign signature on the index, an in-toto attestation on each platform. */
  index: Awaited<ReturnType<typeof pushSigned>>
  /** Only cosign's legacy `.sig` tag. */
  legacy: { image: PushedImage; signature: PushedReferrer }
  /** An SPDX SBOM artifact and a notation signature. */
  sbom: { image: PushedImage; sbom: PushedReferrer; signature: PushedReferrer }
  unsigned: PushedImage
  refs: FoundImage[]
}

async function pushZoo(prefix: string): Promise<Zoo> {
  const index = await pushSigned(hub, `${prefix}/index`)
  const legacyImage = await pushImage(hub.registry(), { repo: `${prefix}/legacy`, tag: '1', kind: 'oci' })
  const legacySig = await pushReferrer(hub.registry(), {
    repo: `${prefix}/legacy`,
    subject: subjectOf(legacyImage),
    what: 'cosign-signature',
    form: 'tag',
  })
  const sbomImage = await pushImage(hub.registry(), { repo: `${prefix}/sbom`, tag: '1', kind: 'oci' })
  const sbom = await pushReferrer(hub.registry(), {
    repo: `${prefix}/sbom`,
    subject: subjectOf(sbomImage),
    what: 'spdx',
    form: 'referrer',
  })
  const sbomSig = await pushReferrer(hub.registry(), {
    repo: `${prefix}/sbom`,
    subject: subjectOf(sbomImage),
    what: 'notation-signature',
    form: 'referrer',
  })
  const unsigned = await pushImage(hub.registry(), {
    repo: `${prefix}/unsigned`,
    tag: '1',
    kind: 'oci-index',
    platforms: ['linux/amd64', 'linux/arm64'],
  })
  const refs = ['index', 'legacy', 'sbom', 'unsigned'].map((name, i) =>
    found('docker.io', `${prefix}/${name}`, { tag: '1', line: 10 * (i + 1) }),
  )
  return {
    index,
    legacy: { image: legacyImage, signature: legacySig },
    sbom: { image: sbomImage, sbom, signature: sbomSig },
    unsigned,
    refs,
  }
}

/** What the report must list for each zoo image (search on). */
function expected(z: Zoo): Referrer[][] {
  const [amd, arm] = z.index.image.manifests
  return [
    [
      { kind: 'signature', subject: z.index.image.digest, form: 'referrer', tool: 'cosign' },
      ...z.index.attestations.map((a, i) => ({
        kind: 'attestation' as const,
        artifactType: ARTIFACT.inToto,
        digest: a.digest,
        subject: (i === 0 ? amd : arm)?.digest as string,
        form: 'referrer' as const,
      })),
    ],
    [
      {
        kind: 'signature',
        subject: z.legacy.image.digest,
        form: 'tag',
        tag: z.legacy.signature.tag as string,
        tool: 'cosign',
      },
    ],
    [
      { kind: 'signature', subject: z.sbom.image.digest, form: 'referrer', tool: 'notation' },
      {
        kind: 'sbom',
        artifactType: ARTIFACT.spdx,
        digest: z.sbom.sbom.digest,
        subject: z.sbom.image.digest,
        form: 'referrer',
      },
    ],
    [],
  ]
}

/** Every referrer of the zoo, with the repository it lives in. */
function zooReferrers(z: Zoo): [string, PushedReferrer][] {
  return [
    [`hub/${z.index.image.repo}`, z.index.signature],
    ...z.index.attestations.map((a): [string, PushedReferrer] => [`hub/${z.index.image.repo}`, a]),
    [`hub/${z.legacy.image.repo}`, z.legacy.signature],
    [`hub/${z.sbom.image.repo}`, z.sbom.sbom],
    [`hub/${z.sbom.image.repo}`, z.sbom.signature],
  ]
}

const withoutTimes = (results: ImageResult[]) => results.map(({ durationMs: _, ...r }) => r)

describe('warming referrers with the images', () => {
  let zoo: Zoo
  beforeAll(async () => {
    zoo = await pushZoo('zoo')
  })

  test('warm copies every referrer, and the second run reports the same with no upstream request', async () => {
    const first = await warm(cache, zoo.refs)
    expect(first.map((r) => r.status)).toEqual(['warmed', 'warmed', 'warmed', 'warmed'])
    expect(first.map((r) => r.referrers?.items)).toEqual(expected(zoo))
    expect(first.map((r) => r.referrers?.state)).toEqual(Array(4).fill('verified'))
    expect(first.every((r) => r.warnings.length === 0)).toBe(true)
    // Really in the cache's storage (blob HEAD and tags/list never sync).
    for (const [repo, r] of zooReferrers(zoo))
      expect(await stored(cache, repo, r), `${repo} ${r.digest}`).toBe(true)

    const second = await upstreamCost(() => warm(cache, zoo.refs))
    expect(second.upstream).toBe(0)
    expect(second.result.map((r) => r.status)).toEqual(Array(4).fill('cached'))
    expect(withoutTimes(second.result).map((r) => r.referrers)).toEqual(
      withoutTimes(first).map((r) => r.referrers),
    )
  })

  test('the hot path costs the cache nothing extra: tags/list per repository and one batched search', async () => {
    const before = await cache.requestCount()
    const results = await warm(cache, zoo.refs)
    expect(results.map((r) => r.referrers?.items)).toEqual(expected(zoo))
    expect((await cache.requestCount()) - before).toBe(4 + 1)
  })

  test('check mode reads what the cache holds and never syncs, referrers included', async () => {
    const fresh = await pushSigned(hub, 'zoo/check')
    const ref = found('docker.io', 'zoo/check', { tag: '1' })
    // The image alone is in the cache (a node pulled it through the cache): no referrer of it.
    expect((await getManifest(cache.registry(), 'hub/zoo/check', '1')).status).toBe(200)
    const { result, upstream } = await upstreamCost(() => warm(cache, [ref], { mode: 'check' }))
    expect(upstream).toBe(0)
    expect(result[0]).toMatchObject({ status: 'cached', referrers: { state: 'verified', items: [] } })
    const strict = await upstreamCost(() =>
      warm(cache, [ref], { mode: 'check', referrers: 'require-signed' }),
    )
    expect(strict.upstream).toBe(0)
    expect(strict.result[0]).toMatchObject({
      status: 'failed',
      digest: fresh.image.digest,
      error: `no signature of hub/zoo/check@${fresh.image.digest} in Zot (referrers: require-signed)`,
    })
    expect(strict.result[0]?.diagnosis).toMatch(/check mode never asks Zot to copy referrers/)
    expect(await stored(cache, 'hub/zoo/check', fresh.signature)).toBe(false)
  })

  test('require-signed: a cached image without its signature gets one referrers request, then none', async () => {
    const fresh = await pushSigned(hub, 'zoo/late')
    const ref = found('docker.io', 'zoo/late', { tag: '1' })
    await getManifest(cache.registry(), 'hub/zoo/late', '1')
    // Plain warm leaves a cached image alone (it cannot tell "unsigned" from "signatures never copied").
    const plain = await upstreamCost(() => warm(cache, [ref]))
    expect(plain.upstream).toBe(0)
    expect(plain.result[0]?.referrers?.items).toEqual([])
    const strict = await upstreamCost(() => warm(cache, [ref], { referrers: 'require-signed' }))
    expect(strict.upstream).toBeGreaterThan(0)
    expect(strict.result[0]).toMatchObject({ status: 'cached' })
    expect(strict.result[0]?.referrers?.items.map((i) => i.kind)).toEqual([
      'signature',
      'attestation',
      'attestation',
    ])
    expect(await stored(cache, 'hub/zoo/late', fresh.signature)).toBe(true)
    const again = await upstreamCost(() => warm(cache, [ref], { referrers: 'require-signed' }))
    expect(again.upstream).toBe(0)
  })

  test('require-signed: a signature of one platform only does not sign the image (an admission policy verifies the index)', async () => {
    const image = await pushImage(hub.registry(), {
      repo: 'zoo/childsigned',
      tag: '1',
      kind: 'oci-index',
      platforms: ['linux/amd64', 'linux/arm64'],
    })
    const child = image.manifests[0] as PushedImage['manifests'][0]
    await pushReferrer(hub.registry(), {
      repo: 'zoo/childsigned',
      subject: child,
      what: 'cosign-signature',
      form: 'referrer',
    })
    const [r] = await warm(cache, [found('docker.io', 'zoo/childsigned', { tag: '1' })], {
      referrers: 'require-signed',
    })
    // Copied and listed with its subject, but the image's own digest has no signature.
    expect(r?.referrers?.items).toEqual([
      { kind: 'signature', subject: child.digest, form: 'referrer', tool: 'cosign' },
    ])
    expect(r).toMatchObject({
      status: 'failed',
      digest: image.digest,
      error: `no signature of hub/zoo/childsigned@${image.digest} in Zot (referrers: require-signed)`,
    })
    expect(r?.diagnosis).toBe(
      explained(
        "Zot holds signatures of the image's platform manifests only, not of its own digest.",
        EXPLANATIONS.platformsSigned,
      ),
    )
    expect(referrersLabel(r as ImageResult)).toBe('—')
    expect(countReferrers([r as ImageResult])).toMatchObject({ signed: 0, unsigned: 1 })
  })

  test('a digest-only reference: listed by the run that copies, "not verified" later; require-signed asks Zot every run', async () => {
    const single = await pushImage(hub.registry(), { repo: 'zoo/untagged', untagged: true, kind: 'oci' })
    await pushReferrer(hub.registry(), {
      repo: 'zoo/untagged',
      subject: subjectOf(single),
      what: 'cosign-signature',
      form: 'referrer',
    })
    const ref = found('docker.io', 'zoo/untagged', { digest: single.digest })
    const [first] = await warm(cache, [ref])
    expect(first?.referrers).toMatchObject({ state: 'verified', items: [{ kind: 'signature' }] })
    const later = await upstreamCost(() => warm(cache, [ref]))
    expect(later.upstream).toBe(0)
    expect(later.result[0]?.referrers).toMatchObject({ state: 'not-verified', items: [] })
    for (let run = 0; run < 2; run++) {
      const gate = await upstreamCost(() => warm(cache, [ref], { referrers: 'require-signed' }))
      expect(gate.result[0]).toMatchObject({ status: 'cached', referrers: { state: 'verified' } })
      expect(gate.upstream).toBeGreaterThan(0)
    }
  })

  test('refresh copies the referrers of cached images too (a signature added upstream later)', async () => {
    const later = await pushReferrer(hub.registry(), {
      repo: 'zoo/unsigned',
      subject: subjectOf(zoo.unsigned),
      what: 'cosign-signature',
      form: 'referrer',
    })
    const ref = zoo.refs[3] as FoundImage
    expect((await warm(cache, [ref]))[0]?.referrers?.items).toEqual([])
    const refreshed = await warm(cache, [ref], { refresh: true })
    expect(refreshed[0]?.referrers?.items).toEqual([
      { kind: 'signature', subject: zoo.unsigned.digest, form: 'referrer', tool: 'cosign' },
    ])
    expect(await stored(cache, 'hub/zoo/unsigned', later)).toBe(true)
  })

  test("a multi-platform image's referrers cost one upstream tag list: the image's request goes before its platforms'", async () => {
    const image = await pushImage(hub.registry(), {
      repo: 'once/app',
      tag: '1',
      kind: 'oci-index',
      platforms: ['linux/amd64', 'linux/arm64'],
    })
    const mark = hub.logMark()
    const [r] = await warm(cache, [found('docker.io', 'once/app', { tag: '1' })])
    expect(r).toMatchObject({ status: 'warmed', referrers: { state: 'verified', items: [] } })
    const upstream = (what: string) =>
      hub.logSince(mark).filter((l) => l.includes(`"path":"/v2/once/app/${what}`))
    // Zot reads the upstream tag list (for cosign's legacy tags) on a referrers request and keeps it for 30
    // minutes: asked one after the other, the three subjects share it; asked at once, each fetched it.
    expect(upstream('tags/list')).toHaveLength(1)
    expect(upstream('referrers/')).toHaveLength(1 + image.manifests.length)
  })

  test('referrers: off asks nothing about them', async () => {
    const before = await cache.requestCount()
    const results = await warm(cache, zoo.refs, { referrers: 'off' })
    expect(results.map((r) => r.referrers)).toEqual(Array(4).fill(undefined))
    expect((await cache.requestCount()) - before).toBe(4 + 1)
  })
})

describe('require-signed through the pipeline', () => {
  let zoo: Zoo
  let ws: string
  beforeAll(async () => {
    zoo = await pushZoo('gate')
    ws = tempDir('zot-warm-referrers-')
    const containers = zoo.refs
      .map((r, i) => `    - name: c${i}\n      image: ${r.reference?.path}:1\n`)
      .join('')
    writeFileSync(join(ws, 'pod.yaml'), `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n${containers}`)
  })

  const silent: Logger = {
    info: () => {},
    warning: () => {},
    debug: () => {},
    group: (_, fn) => fn(),
    progress: () => {},
  }
  const run = (inputs: Record<string, string>) =>
    runPipeline(
      parseConfig(
        (n) => ({ 'zot-url': cache.url, 'registry-map': 'docker.io: hub', paths: 'pod.yaml', ...inputs })[n],
        {
          workspace: ws,
        },
      ).config,
      { logger: silent },
    )

  test('the unsigned image alone fails (exit 2), annotated at its line; warm passes the same images', async () => {
    const gate = await run({ referrers: 'require-signed' })
    expect(gate.results.map((r) => [r.reference.replace('docker.io/gate/', ''), r.status])).toEqual([
      ['index:1', 'warmed'],
      ['legacy:1', 'warmed'],
      ['sbom:1', 'warmed'],
      ['unsigned:1', 'failed'],
    ])
    const unsigned = gate.results[3] as ImageResult
    expect(unsigned.error).toBe(
      `no signature of hub/gate/unsigned@${zoo.unsigned.digest} in Zot (referrers: require-signed)`,
    )
    expect(unsigned.diagnosis).toBe(
      `Zot holds no signature of the image's digest after copying its referrers. ${EXPLANATIONS.unsigned.text}`,
    )
    // The image itself is in the cache: only the signature requirement failed.
    expect(unsigned).toMatchObject({ digest: zoo.unsigned.digest, platforms: ['linux/amd64', 'linux/arm64'] })
    const outcome = decideOutcome(gate)
    expect(outcome).toMatchObject({ exitCode: 2, reason: '1 image failed' })
    const annotations = planAnnotations(gate)
    expect(annotations).toEqual([
      expect.objectContaining({
        level: 'error',
        title: 'image not signed',
        file: 'pod.yaml',
        line: 12,
        column: 14,
      }),
    ])
    // The annotation says what is wrong for this image and points at the causes, said once in the summary.
    expect(annotations[0]?.message).toBe(
      `docker.io/gate/unsigned:1 failed: ${unsigned.error}. Zot holds no signature of the image's digest after copying its referrers. See “Why an image has no signature in Zot” in the job summary.`,
    )
    const again = await upstreamCost(() => run({ referrers: 'require-signed' }))
    expect(again.result.results.map((r) => r.status)).toEqual(['cached', 'cached', 'cached', 'failed'])

    const plain = await run({})
    expect(decideOutcome(plain).exitCode).toBe(0)
    expect(plain.results.map((r) => r.referrers?.items.length)).toEqual([3, 1, 2, 0])
  })
})

describe('caches that limit what can be read or copied', () => {
  test('without the search extension: the warm run lists what Zot answered, later runs say "not verified"', async () => {
    const plain = await startZot({
      name: 'cache-nosearch',
      search: false,
      upstreams: [{ url: hub.url, destination: 'hub' }],
    })
    try {
      const zoo = await pushZoo('nosearch')
      const first = await warm(plain, zoo.refs)
      expect(first.map((r) => r.referrers?.state)).toEqual(Array(4).fill('verified'))
      // The referrers answers name signatures by digest and artifact type.
      expect(first[0]?.referrers?.items[0]).toEqual({
        kind: 'signature',
        artifactType: COSIGN,
        digest: zoo.index.signature.digest,
        subject: zoo.index.image.digest,
        form: 'referrer',
        tool: 'cosign',
      })
      expect(first.map((r) => r.referrers?.items.length)).toEqual([3, 1, 2, 0])
      // A pinned reference: its digest is known without search, so its legacy tags can be matched.
      const pinned = found('docker.io', 'nosearch/legacy', { tag: '1', digest: zoo.legacy.image.digest })
      const second = await upstreamCost(() => warm(plain, [...zoo.refs, pinned]))
      expect(second.upstream).toBe(0)
      // "Not verified", never "unsigned": without search a cached tag's digest (and OCI 1.1 referrers) cannot
      // be read locally; only legacy tags of a known digest can.
      expect(second.result.map((r) => [r.status, r.referrers?.state, r.referrers?.items.length])).toEqual([
        ['cached', 'not-verified', 0],
        ['cached', 'not-verified', 0],
        ['cached', 'not-verified', 0],
        ['cached', 'not-verified', 0],
        ['cached', 'not-verified', 1],
      ])
      expect(second.result[0]?.referrers?.note).toMatch(
        /^referrers not verified: Zot's search extension is off/,
      )
    } finally {
      await plain.stop()
    }
  })

  test('onlySigned: zot-warm copies the signature Zot checked but left upstream; unsigned images are explained', async () => {
    const strict = await startZot({
      name: 'cache-onlysigned',
      upstreams: [{ url: hub.url, destination: 'hub', onlySigned: true }],
    })
    try {
      const signed = await pushSigned(hub, 'os/signed')
      await pushImage(hub.registry(), { repo: 'os/unsigned', tag: '1', kind: 'oci' })
      const results = await warm(strict, [
        found('docker.io', 'os/signed', { tag: '1' }),
        found('docker.io', 'os/unsigned', { tag: '1' }),
      ])
      expect(results.map((r) => r.status)).toEqual(['warmed', 'failed'])
      expect(results[0]?.referrers?.items.map((i) => i.kind)).toEqual([
        'signature',
        'attestation',
        'attestation',
      ])
      expect(await stored(strict, 'hub/os/signed', signed.signature)).toBe(true)
      expect(results[1]?.diagnosis).toContain('"skipping image without mandatory signature" onlySigned')
      expect(
        strict.logLines(/skipping image without mandatory signature/).some((l) => l.includes('os/unsigned')),
      ).toBe(true)
    } finally {
      await strict.stop()
    }
  })

  test('a converted image fails require-signed with the preserveDigest advice; a preserving cache passes it', async () => {
    const preserve = await startZot({
      name: 'cache-preserve',
      upstreams: [{ url: hub.url, destination: 'hub', preserveDigest: true }],
    })
    try {
      const docker = await pushImage(hub.registry(), { repo: 'conv/docker', tag: '1', kind: 'docker-list' })
      await pushReferrer(hub.registry(), {
        repo: 'conv/docker',
        subject: subjectOf(docker),
        what: 'cosign-signature',
        form: 'tag',
      })
      const ref = found('docker.io', 'conv/docker', { tag: '1' })
      const [converted] = await warm(cache, [ref], { referrers: 'require-signed' })
      expect(converted?.status).toBe('failed')
      expect(converted?.digest).not.toBe(docker.digest)
      expect(converted?.diagnosis).toContain('"preserveDigest": true')
      const [kept] = await warm(preserve, [ref], { referrers: 'require-signed' })
      expect(kept).toMatchObject({ status: 'warmed', digest: docker.digest })
      expect(kept?.referrers?.items).toEqual([
        {
          kind: 'signature',
          subject: docker.digest,
          form: 'tag',
          tag: `${digestTag(docker.digest)}.sig`,
          tool: 'cosign',
        },
      ])
    } finally {
      await preserve.stop()
    }
  })

  test('a signature Zot rejects: require-signed fails the image and names the log line and the compat setting', async () => {
    const single = await pushImage(hub.registry(), { repo: 'gate/rejected', tag: '1', kind: 'oci' })
    await dockerTypedLegacySignature('gate/rejected', single)
    const [r] = await warm(cache, [found('docker.io', 'gate/rejected', { tag: '1' })], {
      referrers: 'require-signed',
    })
    expect(r).toMatchObject({
      status: 'failed',
      digest: single.digest,
      referrers: { state: 'verified', items: [] },
    })
    expect(r?.diagnosis).toContain('"failed to sync image referrers"')
    expect(r?.diagnosis).toContain('"invalid manifest content"')
    expect(r?.diagnosis).toContain('"compat": ["docker2s2"]')
    expect(cache.logLines(/failed to sync image referrers/).some((l) => l.includes('gate/rejected'))).toBe(
      true,
    )
  })

  test('an upstream without the referrers API: the referrers come through the tag schema and are reported', async () => {
    let relay: FaultRelay | undefined
    let viaTags: ZotServer | undefined
    try {
      relay = await startFaultRelay(hub.url)
      relay.inject({ match: /\/referrers\//, fault: { kind: 'status', status: 404 } })
      viaTags = await startZot({
        name: 'cache-tagschema',
        upstreams: [{ url: relay.url, destination: 'hub' }],
      })
      const single = await pushImage(hub.registry(), { repo: 'old/registry', tag: '1', kind: 'oci' })
      const [sig, sbom] = [
        await pushReferrer(hub.registry(), {
          repo: 'old/registry',
          subject: subjectOf(single),
          what: 'cosign-signature',
          form: 'tag-schema',
        }),
        await pushReferrer(hub.registry(), {
          repo: 'old/registry',
          subject: subjectOf(single),
          what: 'cyclonedx',
          form: 'tag-schema',
        }),
      ]
      const [r] = await warm(viaTags, [found('docker.io', 'old/registry', { tag: '1' })], {
        referrers: 'require-signed',
      })
      expect(r?.status).toBe('warmed')
      expect(r?.referrers?.items).toEqual([
        { kind: 'signature', subject: single.digest, form: 'referrer', tool: 'cosign' },
        {
          kind: 'sbom',
          artifactType: ARTIFACT.cyclonedx,
          digest: sbom?.digest,
          subject: single.digest,
          form: 'referrer',
        },
      ])
      expect(await stored(viaTags, 'hub/old/registry', sig as PushedReferrer)).toBe(true)
    } finally {
      await viaTags?.stop()
      await relay?.stop()
    }
  })
})
