// What text replaces a reference. Two modes:
//   zot     the reference a node pulls from the cache: `<pull host>/<zot repository>:<tag>@<digest Zot serves>`
//           (`@digest` alone for a digest-only reference). Docker Hub short names come out in full
//           (`library/nginx`), because that is the repository Zot holds.
//   digest  the reference as written, pinned: `<as written>@<digest>`, only where the digest Zot serves is
//           provably the one upstream serves; a reference that already carries a verified pin stays as it is.
import { formatReference, parseReference } from '../extract/reference.js'
import type { ImageReference, ReferrersResult } from '../model.js'
import { EXPLANATIONS, explained } from '../warm/diagnose.js'
import { isDockerMediaType, type ManifestInfo } from '../warm/manifest.js'

export interface DigestProof {
  /** `media-types`: the stored image holds what Zot's conversion removes; `upstream-referrer`: see upstreamReferrer. */
  by: 'media-types' | 'upstream-referrer'
  detail: string
}

/** How the log and the summaries name each kind of proof. */
export const PROOF_LABEL: Record<DigestProof['by'], string> = {
  'media-types': 'media types kept',
  'upstream-referrer': 'upstream referrer',
}

export type RewriteMode = 'zot' | 'digest'

/** The text to write, or why the reference keeps its text. */
export type Target = { text: string } | { left: string }

/** `zot` mode: the same text for every occurrence of the image. */
export function zotTarget(
  pullHost: string,
  zotRepository: string,
  ref: ImageReference,
  digest: string,
): Target {
  const tag = ref.tag !== undefined ? `:${ref.tag}` : ''
  return checked(`${pullHost}/${zotRepository}${tag}@${digest}`, {
    domain: pullHost,
    path: zotRepository,
    ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
    digest,
  })
}

/**
 * `digest` mode, per occurrence: `written` is the text at the occurrence (its own spelling, e.g. `nginx:1.27`).
 * A written pin was verified by the warm stage, so it stays as it is.
 */
export function digestTarget(written: string, digest: string): Target {
  let ref: ImageReference
  try {
    ref = parseReference(written)
  } catch (err) {
    return { left: `internal: "${written}" is not a valid reference (${(err as Error).message})` }
  }
  if (ref.digest !== undefined) return { text: written }
  // Without a written tag the implied `latest` is not written either: the text gains only the pin.
  const { tag: _implied, ...name } = ref
  return checked(
    `${written}@${digest}`,
    /[:@]/.test(written.slice(written.lastIndexOf('/') + 1)) ? { ...ref, digest } : { ...name, digest },
  )
}

/** The text must read back as the intended reference; anything else is a bug worth stopping for. */
function checked(text: string, want: ImageReference): Target {
  let got: ImageReference
  try {
    got = parseReference(text)
  } catch (err) {
    return { left: `internal: "${text}" is not a valid reference (${(err as Error).message})` }
  }
  const expected = formatReference(want)
  return formatReference(got) === expected
    ? { text }
    : { left: `internal: "${text}" reads as ${formatReference(got)}, not ${expected}` }
}

/**
 * Why the stored manifest is byte for byte what upstream serves, or undefined when it cannot be told.
 * Zot (v2.1.x, preserveDigest off) converts an image only when something in it is Docker-typed or an index
 * carries buildkit attestation entries, and then converts all of it: anything Docker-typed, or an attestation
 * entry still in the index, proves no conversion happened. An image holding only OCI types proves nothing:
 * it may have been published so, or be Zot's conversion.
 */
export function unconvertedEvidence(m: ManifestInfo): string | undefined {
  if (isDockerMediaType(m.mediaType)) return 'Zot stores it with Docker media types, as published'
  if (m.config && isDockerMediaType(m.config.mediaType))
    return 'Zot stores its config with a Docker media type, as published'
  if (m.children.some((c) => isDockerMediaType(c.mediaType)))
    return 'Zot stores its index with Docker-typed entries, as published'
  if (m.children.some((c) => c.attestation)) return 'Zot keeps the attestation entries in its index'
  return undefined
}

/**
 * The reason a tag's digest is not pinned in `digest` mode when nothing proves it is upstream's. `referrers`:
 * what the run read of the image's referrers (undefined: not read, `referrers: off`).
 */
export function unprovenDigest(digest: string, referrers: ReferrersResult | undefined): string {
  const read = !referrers
    ? 'its referrers were not read (referrers: off)'
    : referrers.state === 'verified'
      ? 'no signature, attestation or SBOM of this digest'
      : 'its referrers could not be read completely'
  return explained(
    `the digest Zot serves (${digest}) may not be upstream's: Zot holds this image with OCI media types only, and ${read}.`,
    EXPLANATIONS.digestUnproven,
  )
}
