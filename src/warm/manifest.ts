// Reading manifests Zot returns: single image or index, children with their platforms, attestation entries.
import { createHash } from 'node:crypto'
import { record } from './json.js'
import { normalizePlatform, type Platform } from './platforms.js'

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const

/** Every manifest kind a warmer accepts; Zot answers with what it stores. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.dockerManifest,
].join(', ')

const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList])
const IMAGE_CONFIG_TYPES = new Set([
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
])

export interface ManifestChild {
  digest: string
  mediaType: string
  platform?: Platform
  /** Buildkit attestation entry (`unknown/unknown`, reference type `attestation-manifest`): not a platform. */
  attestation: boolean
}

export interface ManifestInfo {
  digest: string
  mediaType: string
  kind: 'index' | 'manifest'
  children: ManifestChild[]
  /** Image config descriptor of a single manifest, when it is an image (not an artifact). */
  config?: { digest: string; mediaType: string }
}

/** An image config media type (OCI or Docker), as opposed to an artifact's. */
export function isImageConfigType(mediaType: string | undefined): boolean {
  return IMAGE_CONFIG_TYPES.has(mediaType ?? '')
}

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return INDEX_TYPES.has(mediaType ?? '')
}

/** Docker's own media types (manifest, list, config, layers): Zot's conversion replaces every one of them. */
export function isDockerMediaType(mediaType: string): boolean {
  return mediaType.startsWith('application/vnd.docker.')
}

export function sha256(body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`
}

/** A body that is not a manifest: `message` completes "… that is" (e.g. `not JSON`). */
export class ManifestError extends Error {
  override readonly name = 'ManifestError'
  constructor(
    readonly reason: 'not-json' | 'bad-shape',
    message: string,
  ) {
    super(message)
  }
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined)

/**
 * Parse a manifest body. `contentType` and `digestHeader` come from Zot's answer; the digest is computed from
 * the bytes when the header is missing. Throws a ManifestError on anything that is not a manifest or index;
 * fields of the wrong type count as absent.
 */
export function parseManifest(body: Buffer, contentType?: string, digestHeader?: string): ManifestInfo {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    throw new ManifestError('not-json', 'not JSON')
  }
  const json = record(parsed)
  if (!json) throw new ManifestError('bad-shape', 'not a JSON object')
  const mediaType = text(json.mediaType) || contentType?.split(';')[0]?.trim() || ''
  const digest = digestHeader || sha256(body)
  const config = record(json.config)
  if (INDEX_TYPES.has(mediaType) || (Array.isArray(json.manifests) && !config)) {
    const entries = Array.isArray(json.manifests) ? json.manifests : []
    const children: ManifestChild[] = entries.flatMap((entry) => {
      const m = record(entry)
      const childDigest = text(m?.digest)
      if (!m || !childDigest) return []
      const p = record(m.platform)
      const os = text(p?.os)
      const architecture = text(p?.architecture)
      const platform =
        os && architecture ? normalizePlatform({ os, architecture, variant: text(p?.variant) }) : undefined
      const attestation =
        record(m.annotations)?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
        (platform?.os === 'unknown' && platform.architecture === 'unknown')
      return [{ digest: childDigest, mediaType: text(m.mediaType) ?? '', platform, attestation }]
    })
    return { digest, mediaType: mediaType || MEDIA_TYPES.ociIndex, kind: 'index', children }
  }
  const configDigest = text(config?.digest)
  if (configDigest) {
    const configType = text(config?.mediaType) ?? ''
    return {
      digest,
      mediaType,
      kind: 'manifest',
      children: [],
      config: IMAGE_CONFIG_TYPES.has(configType)
        ? { digest: configDigest, mediaType: configType }
        : undefined,
    }
  }
  throw new ManifestError('bad-shape', `not an image manifest or index (media type "${mediaType || 'none'}")`)
}

/** The platform an image config declares. */
export function configPlatform(body: Buffer): Platform | undefined {
  try {
    const c = record(JSON.parse(body.toString('utf8')))
    const os = text(c?.os)
    const architecture = text(c?.architecture)
    if (!os || !architecture) return undefined
    return normalizePlatform({ os, architecture, variant: text(c?.variant) })
  } catch {
    return undefined
  }
}
