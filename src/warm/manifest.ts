// Reading manifests Zot returns: single image or index, children with their platforms, attestation entries.
import { createHash } from 'node:crypto'
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

/**
 * Parse a manifest body. `contentType` and `digestHeader` come from Zot's answer; the digest is computed from
 * the bytes when the header is missing. Throws on anything that is not a manifest or index.
 */
export function parseManifest(body: Buffer, contentType?: string, digestHeader?: string): ManifestInfo {
  const json = JSON.parse(body.toString('utf8')) as {
    mediaType?: string
    manifests?: {
      digest?: string
      mediaType?: string
      platform?: { os?: string; architecture?: string; variant?: string }
      annotations?: Record<string, string>
    }[]
    config?: { digest?: string; mediaType?: string }
  }
  const mediaType = json.mediaType || contentType?.split(';')[0]?.trim() || ''
  const digest = digestHeader || sha256(body)
  if (INDEX_TYPES.has(mediaType) || (Array.isArray(json.manifests) && !json.config)) {
    const children: ManifestChild[] = (json.manifests ?? [])
      .filter((m) => typeof m.digest === 'string')
      .map((m) => {
        const p = m.platform
        const platform =
          p?.os && p.architecture
            ? normalizePlatform({ os: p.os, architecture: p.architecture, variant: p.variant })
            : undefined
        const attestation =
          m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
          (platform?.os === 'unknown' && platform.architecture === 'unknown')
        return { digest: m.digest as string, mediaType: m.mediaType ?? '', platform, attestation }
      })
    return { digest, mediaType: mediaType || MEDIA_TYPES.ociIndex, kind: 'index', children }
  }
  if (json.config && typeof json.config.digest === 'string') {
    const config = IMAGE_CONFIG_TYPES.has(json.config.mediaType ?? '')
      ? { digest: json.config.digest, mediaType: json.config.mediaType as string }
      : undefined
    return { digest, mediaType, kind: 'manifest', children: [], config }
  }
  throw new Error(`not an image manifest or index (media type "${mediaType || 'none'}")`)
}

/** The platform an image config declares. */
export function configPlatform(body: Buffer): Platform | undefined {
  try {
    const c = JSON.parse(body.toString('utf8')) as { os?: string; architecture?: string; variant?: string }
    if (!c.os || !c.architecture) return undefined
    return normalizePlatform({ os: c.os, architecture: c.architecture, variant: c.variant })
  } catch {
    return undefined
  }
}
