// Builds test images from random bytes and pushes them through the OCI distribution API: single manifests
// (OCI, Docker v2), indexes (OCI, Docker list, buildkit attestations, OCI index over Docker children).
// Layers are real tar.gz files (one random file each, gzip "stored" so MB-sized layers cost no compression CPU)
// and each config names its platform and the layers' diff_ids, so the images are valid for any client.
import { createHash, randomFillSync } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { Dispatcher } from 'undici'
import { getManifest, MEDIA, type RegistryAccess, registryAgent, registryRequest } from './registry.js'

export type ImageKind = 'oci' | 'docker' | 'oci-index' | 'docker-list' | 'attestation-index' | 'mixed-index'

export interface PushImageOptions {
  repo: string
  /** Default 'latest'. */
  tag?: string
  /** Push the top manifest by digest only (no tag). */
  untagged?: boolean
  kind: ImageKind
  /** `os/arch[/variant]`. Single-manifest kinds use the first (default linux/amd64); indexes default to
   * linux/amd64, linux/arm64, linux/arm/v7. */
  platforms?: string[]
  /** Layers per platform image (default 1). */
  layers?: number
  /** Random bytes in each layer's file (default 1024); the blob is that plus ~1.6 KB of tar/gzip framing. */
  layerSize?: number
}

export interface PushedManifest {
  digest: string
  /** Bytes of the manifest (for descriptors that point at it, e.g. a referrer's subject). */
  size: number
  /** `os/arch[/variant]`; `unknown/unknown` for attestation manifests. */
  platform?: string
  mediaType: string
}

export interface PushedImage {
  repo: string
  tag?: string
  /** Digest of the top manifest (the index for index kinds). */
  digest: string
  mediaType: string
  /** Bytes of the top manifest. */
  size: number
  /** Index kinds: every child in index order (attestations included). Single kinds: the manifest itself. */
  manifests: PushedManifest[]
  /** Bytes uploaded: blobs + manifests. */
  bytes: number
  /** Every blob (layers and configs) of the image. */
  blobs: { digest: string; size: number }[]
}

export const DEFAULT_INDEX_PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm/v7']

interface Platform {
  os: string
  architecture: string
  variant?: string
}

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, extra] = text.split('/')
  if (!os || !architecture || extra !== undefined)
    throw new Error(`bad platform "${text}": use os/arch[/variant]`)
  return variant ? { os, architecture, variant } : { os, architecture }
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`

/** A one-file tar (ustar) of `size` random bytes, gzip-wrapped without compression. */
function randomLayer(name: string, size: number): { gz: Buffer; diffId: string } {
  const padded = Math.ceil(size / 512) * 512
  const tar = Buffer.alloc(512 + padded + 1024)
  const field = (offset: number, length: number, value: string) => tar.write(value, offset, length, 'ascii')
  field(0, 100, name)
  field(100, 8, '0000644\0')
  field(108, 8, '0000000\0')
  field(116, 8, '0000000\0')
  field(124, 12, `${size.toString(8).padStart(11, '0')}\0`)
  field(
    136,
    12,
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
  )
  field(148, 8, '        ')
  field(156, 1, '0')
  field(257, 6, 'ustar\0')
  field(263, 2, '00')
  let sum = 0
  for (let i = 0; i < 512; i++) sum += tar[i] ?? 0
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `)
  if (size > 0) randomFillSync(tar, 512, size)
  return { gz: gzipSync(tar, { level: 0 }), diffId: sha256(tar) }
}

interface Blob {
  digest: string
  size: number
}

/** Pushes blobs and manifests of one image through one connection pool. */
class Pusher {
  bytes = 0
  blobs: Blob[] = []
  private readonly registry: RegistryAccess
  private readonly repo: string
  private readonly dispatcher: Dispatcher

  constructor(registry: RegistryAccess, repo: string, dispatcher: Dispatcher) {
    this.registry = registry
    this.repo = repo
    this.dispatcher = dispatcher
  }

  private fail(what: string, status: number, body: Buffer): never {
    throw new Error(
      `push to ${this.registry.url}/${this.repo}: ${what} answered ${status}: ${body.toString('utf8').slice(0, 300)}`,
    )
  }

  async blob(data: Buffer): Promise<Blob> {
    const digest = sha256(data)
    const start = await registryRequest(this.registry, 'POST', `/v2/${this.repo}/blobs/uploads/`, {
      dispatcher: this.dispatcher,
    })
    const location = start.headers.location
    if (start.status !== 202 || typeof location !== 'string')
      this.fail('blob upload POST', start.status, start.body)
    const url = new URL(location, this.registry.url)
    url.searchParams.set('digest', digest)
    const put = await registryRequest(this.registry, 'PUT', url.pathname + url.search, {
      headers: { 'content-type': 'application/octet-stream' },
      body: data,
      dispatcher: this.dispatcher,
    })
    if (put.status !== 201) this.fail(`blob PUT ${digest}`, put.status, put.body)
    this.bytes += data.length
    const blob = { digest, size: data.length }
    this.blobs.push(blob)
    return blob
  }

  async manifest(reference: string | undefined, mediaType: string, manifest: object): Promise<Blob> {
    const body = Buffer.from(JSON.stringify(manifest))
    const digest = sha256(body)
    const res = await registryRequest(
      this.registry,
      'PUT',
      `/v2/${this.repo}/manifests/${reference ?? digest}`,
      {
        headers: { 'content-type': mediaType },
        body,
        dispatcher: this.dispatcher,
      },
    )
    if (res.status !== 201)
      this.fail(`manifest PUT ${reference ?? digest} (${mediaType})`, res.status, res.body)
    const answered = res.headers['docker-content-digest']
    if (answered !== undefined && answered !== digest) {
      throw new Error(
        `push to ${this.registry.url}/${this.repo}: registry stored ${answered}, expected ${digest}`,
      )
    }
    this.bytes += body.length
    return { digest, size: body.length }
  }
}

type Format = 'oci' | 'docker'

/** Pushes the layers + config + manifest of one platform image (by digest unless `tag`); returns the manifest. */
async function pushPlatformImage(
  p: Pusher,
  format: Format,
  platform: Platform,
  layers: number,
  layerSize: number,
  tag?: string,
) {
  const layerBlobs: { mediaType: string; digest: string; size: number }[] = []
  const diffIds: string[] = []
  for (let i = 0; i < layers; i++) {
    const layer = randomLayer(`layer-${i}.bin`, layerSize)
    diffIds.push(layer.diffId)
    const blob = await p.blob(layer.gz)
    layerBlobs.push({ mediaType: format === 'oci' ? MEDIA.ociLayer : MEDIA.dockerLayer, ...blob })
  }
  const config = {
    created: new Date().toISOString(),
    ...platform,
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created_by: 'zot-warm test image' })),
  }
  const configBlob = await p.blob(Buffer.from(JSON.stringify(config)))
  const mediaType = format === 'oci' ? MEDIA.ociManifest : MEDIA.dockerManifest
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: format === 'oci' ? MEDIA.ociConfig : MEDIA.dockerConfig, ...configBlob },
    layers: layerBlobs,
  }
  return { mediaType, ...(await p.manifest(tag, mediaType, manifest)) }
}

/** A buildkit-style attestation manifest (in-toto SPDX statement) for `subject`. */
async function pushAttestation(p: Pusher, subject: string) {
  const statement = Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://spdx.dev/Document',
      subject: [{ name: 'zot-warm-test', digest: { sha256: subject.slice('sha256:'.length) } }],
      predicate: { spdxVersion: 'SPDX-2.3', name: 'zot-warm test sbom', packages: [] },
    }),
  )
  const layer = await p.blob(statement)
  const config = await p.blob(
    Buffer.from(
      JSON.stringify({
        architecture: 'unknown',
        os: 'unknown',
        config: {},
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    ),
  )
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, ...config },
    layers: [
      {
        mediaType: MEDIA.inToto,
        ...layer,
        annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' },
      },
    ],
  }
  return { mediaType: MEDIA.ociManifest, ...(await p.manifest(undefined, MEDIA.ociManifest, manifest)) }
}

const platformText = (p: Platform) => [p.os, p.architecture, p.variant].filter(Boolean).join('/')

/** Pushes one generated image; see PushImageOptions. */
export async function pushImage(
  registry: RegistryAccess,
  opts: PushImageOptions,
  dispatcher?: Dispatcher,
): Promise<PushedImage> {
  const own = dispatcher ? undefined : registryAgent(registry)
  try {
    return await push(registry, opts, dispatcher ?? (own as Dispatcher))
  } finally {
    await own?.close()
  }
}

async function push(
  registry: RegistryAccess,
  opts: PushImageOptions,
  dispatcher: Dispatcher,
): Promise<PushedImage> {
  const p = new Pusher(registry, opts.repo, dispatcher)
  const tag = opts.untagged ? undefined : (opts.tag ?? 'latest')
  const layers = opts.layers ?? 1
  const layerSize = opts.layerSize ?? 1024
  const single = opts.kind === 'oci' || opts.kind === 'docker'
  const platformTexts = opts.platforms ?? (single ? ['linux/amd64'] : DEFAULT_INDEX_PLATFORMS)
  if (single && platformTexts.length !== 1) throw new Error(`kind ${opts.kind} takes exactly one platform`)
  const platforms = platformTexts.map(parsePlatform)

  const done = (
    top: { digest: string; mediaType: string; size: number },
    manifests: PushedManifest[],
  ): PushedImage => {
    const image: PushedImage = {
      repo: opts.repo,
      digest: top.digest,
      mediaType: top.mediaType,
      size: top.size,
      manifests,
      bytes: p.bytes,
      blobs: p.blobs,
    }
    if (tag !== undefined) image.tag = tag
    return image
  }

  if (single) {
    const platform = platforms[0] as Platform
    const format: Format = opts.kind === 'oci' ? 'oci' : 'docker'
    const m = await pushPlatformImage(p, format, platform, layers, layerSize, tag)
    const body = { digest: m.digest, size: m.size, mediaType: m.mediaType, platform: platformText(platform) }
    return done(m, [body])
  }

  const childFormat: Format = opts.kind === 'docker-list' || opts.kind === 'mixed-index' ? 'docker' : 'oci'
  const entries: object[] = []
  const manifests: PushedManifest[] = []
  for (const platform of platforms) {
    const m = await pushPlatformImage(p, childFormat, platform, layers, layerSize)
    entries.push({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform })
    manifests.push({
      digest: m.digest,
      size: m.size,
      mediaType: m.mediaType,
      platform: platformText(platform),
    })
  }
  if (opts.kind === 'attestation-index') {
    for (const child of [...manifests]) {
      const a = await pushAttestation(p, child.digest)
      entries.push({
        mediaType: a.mediaType,
        digest: a.digest,
        size: a.size,
        annotations: {
          'vnd.docker.reference.digest': child.digest,
          'vnd.docker.reference.type': 'attestation-manifest',
        },
        platform: { architecture: 'unknown', os: 'unknown' },
      })
      manifests.push({ digest: a.digest, size: a.size, mediaType: a.mediaType, platform: 'unknown/unknown' })
    }
  }
  const mediaType = opts.kind === 'docker-list' ? MEDIA.dockerList : MEDIA.ociIndex
  const index = await p.manifest(tag, mediaType, { schemaVersion: 2, mediaType, manifests: entries })
  return done({ digest: index.digest, size: index.size, mediaType }, manifests)
}

/** Pushes many images with bounded concurrency over one connection pool; results in input order. */
export async function pushImages(
  registry: RegistryAccess,
  specs: PushImageOptions[],
  concurrency = 4,
): Promise<PushedImage[]> {
  const agent = registryAgent(registry)
  const results: PushedImage[] = new Array(specs.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < specs.length; i = next++) {
      results[i] = await pushImage(registry, specs[i] as PushImageOptions, agent)
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, specs.length)) }, worker))
  } finally {
    await agent.close()
  }
  return results
}

// ---- referrers: signatures, attestations and SBOMs, built by hand as the tools that make them do -------------

/** Media and artifact types of the artifacts below (as cosign, notation, in-toto and SBOM tools write them). */
export const ARTIFACT = {
  empty: 'application/vnd.oci.empty.v1+json',
  cosignSignature: 'application/vnd.dev.cosign.artifact.sig.v1+json',
  cosignSimpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
  notationSignature: 'application/vnd.cncf.notary.signature',
  jose: 'application/jose+json',
  inToto: 'application/vnd.in-toto+json',
  dsse: 'application/vnd.dsse.envelope.v1+json',
  spdx: 'application/spdx+json',
  cyclonedx: 'application/vnd.cyclonedx+json',
  /** cosign attach sbom --type spdxjson (legacy `.sbom` tag). */
  spdxText: 'text/spdx+json',
} as const

export type ArtifactWhat = 'cosign-signature' | 'notation-signature' | 'attestation' | 'spdx' | 'cyclonedx'

export type ReferrerForm =
  /** OCI 1.1: a manifest whose `subject` is the image (found through the referrers API). */
  | 'referrer'
  /** cosign's legacy tag `sha256-<hex>.sig` / `.att` / `.sbom`, no `subject` field. */
  | 'tag'
  /**
   * The referrers tag schema (registries without the referrers API): the manifest has a `subject`, and an
   * index tagged `sha256-<hex>` lists every referrer of the subject.
   */
  | 'tag-schema'

export interface PushReferrerOptions {
  repo: string
  /** The manifest the artifact refers to. */
  subject: { digest: string; mediaType: string; size: number }
  what: ArtifactWhat
  form: ReferrerForm
}

export interface PushedReferrer {
  digest: string
  mediaType: string
  /** The manifest's artifactType, else its config media type (what a registry reports). */
  artifactType: string
  subject: string
  form: ReferrerForm
  /** The legacy tag (`tag`) or the referrers tag schema's tag (`tag-schema`). */
  tag?: string
  size: number
}

const LEGACY_SUFFIX: Record<ArtifactWhat, string> = {
  'cosign-signature': 'sig',
  'notation-signature': 'sig',
  attestation: 'att',
  spdx: 'sbom',
  cyclonedx: 'sbom',
}

/** `sha256:abc…` → `sha256-abc…`: the tag cosign and the referrers tag schema derive from a digest. */
export const digestTag = (digest: string) => digest.replace(':', '-')

/** The artifact's one layer: what the tool would store, with the annotations it sets. */
function artifactLayer(what: ArtifactWhat, form: ReferrerForm, subject: string, repo: string) {
  const signature = randomFillSync(Buffer.alloc(70)).toString('base64')
  switch (what) {
    case 'cosign-signature':
      return {
        mediaType: ARTIFACT.cosignSimpleSigning,
        data: {
          critical: {
            identity: { 'docker-reference': repo },
            image: { 'docker-manifest-digest': subject },
            type: 'cosign container image signature',
          },
          optional: null,
        },
        annotations: { 'dev.cosignproject.cosign/signature': signature },
      }
    case 'notation-signature':
      return {
        mediaType: ARTIFACT.jose,
        data: { payload: Buffer.from(subject).toString('base64'), protected: 'e30', signature },
        annotations: {},
      }
    case 'attestation': {
      const statement = {
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: repo, digest: { sha256: subject.slice('sha256:'.length) } }],
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: { buildDefinition: { buildType: 'https://example.com/zot-warm-test' } },
      }
      // cosign's legacy `.att` wraps the statement in a DSSE envelope; OCI 1.1 attestations carry in-toto.
      return form === 'tag'
        ? {
            mediaType: ARTIFACT.dsse,
            data: {
              payloadType: ARTIFACT.inToto,
              payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
              signatures: [{ sig: signature }],
            },
            annotations: { predicateType: statement.predicateType },
          }
        : {
            mediaType: ARTIFACT.inToto,
            data: statement,
            annotations: { 'in-toto.io/predicate-type': statement.predicateType },
          }
    }
    case 'spdx':
      return {
        mediaType: form === 'tag' ? ARTIFACT.spdxText : ARTIFACT.spdx,
        data: { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: repo, packages: [] },
        annotations: {},
      }
    case 'cyclonedx':
      return {
        mediaType: ARTIFACT.cyclonedx,
        data: { bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] },
        annotations: {},
      }
  }
}

const ARTIFACT_TYPE: Record<ArtifactWhat, string> = {
  'cosign-signature': ARTIFACT.cosignSignature,
  'notation-signature': ARTIFACT.notationSignature,
  attestation: ARTIFACT.inToto,
  spdx: ARTIFACT.spdx,
  cyclonedx: ARTIFACT.cyclonedx,
}

/**
 * Pushes one signature, attestation or SBOM of `subject`, in the given form:
 * - `referrer`: OCI 1.1 artifact manifest (`artifactType`, empty config, `subject`), as `cosign sign
 *   --registry-referrers-mode=oci-1-1`, `notation sign`, `oras attach` write it;
 * - `tag`: cosign's legacy layout, an image manifest with an image config and no `subject`, tagged
 *   `sha256-<hex>.sig` / `.att` / `.sbom` (several artifacts of one kind share the tag in cosign; one here);
 * - `tag-schema`: the OCI 1.1 manifest, plus the `sha256-<hex>` tag index that lists the subject's referrers
 *   (merged with what the tag already lists), as clients maintain it for registries without the API.
 */
export async function pushReferrer(
  registry: RegistryAccess,
  opts: PushReferrerOptions,
): Promise<PushedReferrer> {
  const own = registryAgent(registry)
  try {
    const p = new Pusher(registry, opts.repo, own)
    const layer = artifactLayer(opts.what, opts.form, opts.subject.digest, opts.repo)
    const layerBlob = await p.blob(Buffer.from(JSON.stringify(layer.data)))
    const layers = [
      {
        mediaType: layer.mediaType,
        ...layerBlob,
        ...(Object.keys(layer.annotations).length ? { annotations: layer.annotations } : {}),
      },
    ]
    const created = new Date().toISOString()
    if (opts.form === 'tag') {
      // cosign's legacy layout: a regular image config naming the layer, tagged after the subject.
      const config = await p.blob(
        Buffer.from(
          JSON.stringify({
            architecture: '',
            os: '',
            created: '0001-01-01T00:00:00Z',
            config: {},
            rootfs: { type: 'layers', diff_ids: [layerBlob.digest] },
            history: [{ created: '0001-01-01T00:00:00Z' }],
          }),
        ),
      )
      const tag = `${digestTag(opts.subject.digest)}.${LEGACY_SUFFIX[opts.what]}`
      const manifest = {
        schemaVersion: 2,
        mediaType: MEDIA.ociManifest,
        config: { mediaType: MEDIA.ociConfig, ...config },
        layers,
      }
      const m = await p.manifest(tag, MEDIA.ociManifest, manifest)
      return {
        digest: m.digest,
        size: m.size,
        mediaType: MEDIA.ociManifest,
        artifactType: MEDIA.ociConfig,
        subject: opts.subject.digest,
        form: 'tag',
        tag,
      }
    }
    const empty = await p.blob(Buffer.from('{}'))
    const artifactType = ARTIFACT_TYPE[opts.what]
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      artifactType,
      config: { mediaType: ARTIFACT.empty, ...empty, data: 'e30=' },
      layers,
      subject: { mediaType: opts.subject.mediaType, digest: opts.subject.digest, size: opts.subject.size },
      annotations: { 'org.opencontainers.image.created': created },
    }
    const m = await p.manifest(undefined, MEDIA.ociManifest, manifest)
    const pushed: PushedReferrer = {
      digest: m.digest,
      size: m.size,
      mediaType: MEDIA.ociManifest,
      artifactType,
      subject: opts.subject.digest,
      form: opts.form,
    }
    if (opts.form === 'tag-schema') {
      const tag = digestTag(opts.subject.digest)
      const existing = await getManifest(registry, opts.repo, tag, { dispatcher: own })
      const listed = existing.status === 200 ? (existing.json?.manifests ?? []) : []
      const index = {
        schemaVersion: 2,
        mediaType: MEDIA.ociIndex,
        manifests: [
          ...listed,
          {
            mediaType: MEDIA.ociManifest,
            digest: m.digest,
            size: m.size,
            artifactType,
            annotations: manifest.annotations,
          },
        ],
      }
      await p.manifest(tag, MEDIA.ociIndex, index)
      pushed.tag = tag
    }
    return pushed
  } finally {
    await own.close()
  }
}
