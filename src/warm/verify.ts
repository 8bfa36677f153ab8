// Confirms what Zot holds for a present digest: the manifest (read by digest, so local) and, for an index,
// that the manifests of the required platforms are there too. When the search extension already told what
// Zot holds (a batched lookup), that answer settles it without a request wherever it can.
import type { ZotClient } from './client.js'
import { failureFrom, ImageFailure, type Job, type Verified } from './job.js'
import {
  configPlatform,
  isImageConfigType,
  isIndexMediaType,
  type ManifestChild,
  type ManifestInfo,
} from './manifest.js'
import type { WarmMode } from './options.js'
import { formatPlatform, type Platform, platformMatches } from './platforms.js'
import { getBlob, getManifest, hasBlob, headManifest, type RegistryResult } from './registry.js'
import type { SearchedImage } from './search.js'

export interface VerifyContext {
  client: ZotClient
  mode: WarmMode
  /** undefined = every platform the image offers. */
  required?: Platform[]
}

/**
 * Read a present manifest (by digest: local) and confirm the required platforms' manifests. `searched`:
 * what the search extension holds for the tag, used when it is about this digest.
 */
export async function verifyImage(
  ctx: VerifyContext,
  job: Job,
  repo: string,
  digest: string,
  known?: ManifestInfo,
  searched?: SearchedImage,
): Promise<Verified> {
  const held = searched?.digest === digest ? searched : undefined
  let manifest = known && known.digest === digest ? known : undefined
  if (held && !manifest) {
    const settled = verifyFromSearch(held, ctx.required)
    if (settled) return settled
  }
  if (!manifest) {
    const answer = job.count(await getManifest(ctx.client, repo, digest, { signal: job.signal }))
    if (!answer.ok) throw failureFrom(ctx.client, answer, repo, digest)
    manifest = answer.value
  }
  if (manifest.kind === 'index') {
    const present = held ? new Set(held.manifests.map((m) => m.digest)) : undefined
    return { digest, ...(await verifyIndex(ctx, job, repo, manifest, present)) }
  }
  let platform: Platform | undefined
  if (manifest.config) {
    const config = job.count(await getBlob(ctx.client, repo, manifest.config.digest, job.signal))
    if (config.ok) platform = configPlatform(config.value)
  }
  if (!platform) {
    if (ctx.required) job.warn('platform unknown: the manifest has no image config to read it from')
    return { digest, platforms: [] }
  }
  return singlePlatform(digest, platform, ctx.required)
}

/**
 * The verdict from a search answer alone, or undefined when it cannot settle the question and the
 * manifests must be read. Search reports each platform from the image config (variant included, in Arch);
 * the index's own entries are what runtimes select by, so they are read when:
 * - a required platform has a variant (it must match the entry exactly, as containerd matches it);
 * - a 32-bit arm child has no variant (its config lacks it; arm entries carry v5/v6/v7, and which one
 *   matters to the node pulling it);
 * - a child is not a plain image (no platform, an artifact) or no platform child is known.
 * A single-platform image's platform is its config's either way, so search settles it when it has one.
 * Throws the platform-missing failure the manifest path would throw.
 */
export function verifyFromSearch(held: SearchedImage, required?: Platform[]): Verified | undefined {
  if (!isIndexMediaType(held.mediaType)) {
    const [only] = held.manifests
    if (held.manifests.length !== 1 || !only?.platform || only.digest !== held.digest) return undefined
    if (!isImageConfigType(only.artifactType)) return undefined
    return singlePlatform(held.digest, only.platform, required)
  }
  if (required?.some((r) => r.variant)) return undefined
  const children: { digest: string; platform: Platform }[] = []
  for (const m of held.manifests) {
    if (!m.platform || !isImageConfigType(m.artifactType)) return undefined
    // Buildkit attestation manifests: their config says unknown/unknown.
    if (m.platform.os === 'unknown' && m.platform.architecture === 'unknown') continue
    if (m.platform.architecture === 'arm' && !m.platform.variant) return undefined
    children.push({ digest: m.digest, platform: m.platform })
  }
  if (!children.length) return undefined
  const check = requiredEntries(children, required, held.digest)
  return {
    digest: held.digest,
    platforms: [...new Set(check.map((c) => formatPlatform(c.platform)))].sort(),
    children: check.map((c) => c.digest),
  }
}

function singlePlatform(digest: string, platform: Platform, required?: Platform[]): Verified {
  const missing = required?.filter((r) => !platformMatches(r, platform)) ?? []
  if (missing.length)
    throw new ImageFailure(
      `single-platform image (${formatPlatform(platform)}) lacks required ${missing.map(formatPlatform).join(', ')}`,
      {
        kind: 'platform-missing',
        missing: missing.map(formatPlatform),
        available: [formatPlatform(platform)],
      },
      digest,
    )
  return { digest, platforms: [formatPlatform(platform)] }
}

/** The entries to confirm: all of them, or those matching a required platform (each must have one). */
function requiredEntries<T extends { platform?: Platform }>(
  entries: T[],
  required: Platform[] | undefined,
  indexDigest: string,
): T[] {
  if (!required) return entries
  const available = [...new Set(entries.flatMap((c) => (c.platform ? [formatPlatform(c.platform)] : [])))]
  const missing = required.filter((r) => !entries.some((c) => c.platform && platformMatches(r, c.platform)))
  if (missing.length)
    throw new ImageFailure(
      `image does not offer ${missing.map(formatPlatform).join(', ')}`,
      { kind: 'platform-missing', missing: missing.map(formatPlatform), available },
      indexDigest,
    )
  return entries.filter((c) => c.platform && required.some((r) => platformMatches(r, c.platform as Platform)))
}

async function verifyIndex(
  ctx: VerifyContext,
  job: Job,
  repo: string,
  index: ManifestInfo,
  /** Child digests the search extension lists (so Zot holds them): no request needed for those. */
  known?: Set<string>,
): Promise<{ platforms: string[]; children: string[] }> {
  const entries = index.children.filter((c) => !c.attestation)
  const check: ManifestChild[] = requiredEntries(entries, ctx.required, index.digest)
  // Children of a present index are present (Zot refuses an index whose manifests it lacks), so in warm
  // mode HEAD by digest is local; check mode tests the blob to stay side-effect-free even if storage lost one.
  // Children search lists are in Zot's MetaDB, which drops manifests that leave storage.
  const absent: string[] = []
  const present: string[] = []
  await Promise.all(
    check.map(async (child) => {
      const found =
        known?.has(child.digest) ||
        isPresent(
          job.count(
            ctx.mode === 'check'
              ? await hasBlob(ctx.client, repo, child.digest, job.signal)
              : await headManifest(ctx.client, repo, child.digest, job.signal),
          ),
        )
      const name = child.platform ? formatPlatform(child.platform) : child.digest
      if (found) present.push(name)
      else absent.push(name)
    }),
  )
  if (absent.length)
    throw new ImageFailure(
      `manifests of ${absent.join(', ')} missing in Zot`,
      { kind: 'platform-manifest-missing', platforms: absent.sort() },
      index.digest,
    )
  return {
    platforms: [...new Set(present.filter((p) => !p.startsWith('sha256:')))].sort(),
    children: check.map((c) => c.digest),
  }
}

/** A presence check that Zot refused counts as absent: the image then fails naming what is missing. */
function isPresent(r: RegistryResult<boolean>): boolean {
  return r.ok && r.value
}
