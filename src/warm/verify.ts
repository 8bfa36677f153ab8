// Confirms what Zot holds for a present digest: the manifest (read by digest, so local) and, for an index,
// that the manifests of the required platforms are there too.
import type { ZotClient } from './client.js'
import { ImageFailure, type Job, refusal, type Verified } from './job.js'
import { configPlatform, type ManifestChild, type ManifestInfo } from './manifest.js'
import type { WarmMode } from './options.js'
import { formatPlatform, type Platform, platformMatches } from './platforms.js'
import { getBlob, getManifest, hasBlob, headManifest } from './registry.js'

export interface VerifyContext {
  client: ZotClient
  mode: WarmMode
  /** undefined = every platform the image offers. */
  required?: Platform[]
}

/** Read a present manifest (by digest: local) and confirm the required platforms' manifests. */
export async function verifyImage(
  ctx: VerifyContext,
  job: Job,
  repo: string,
  digest: string,
  known?: ManifestInfo,
): Promise<Verified> {
  let manifest = known && known.digest === digest ? known : undefined
  if (!manifest) {
    const answer = job.count(await getManifest(ctx.client, repo, digest, { signal: job.signal }))
    if (!answer.ok) throw refusal(ctx.client, answer.refusal, repo, digest)
    manifest = answer.manifest
  }
  if (manifest.kind === 'index') return { digest, platforms: await verifyIndex(ctx, job, repo, manifest) }
  let platform: Platform | undefined
  if (manifest.config) {
    const config = job.count(await getBlob(ctx.client, repo, manifest.config.digest, job.signal))
    if (Buffer.isBuffer(config)) platform = configPlatform(config)
  }
  const required = ctx.required
  if (!platform) {
    if (required) job.warn('platform unknown: the manifest has no image config to read it from')
    return { digest, platforms: [] }
  }
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

async function verifyIndex(
  ctx: VerifyContext,
  job: Job,
  repo: string,
  index: ManifestInfo,
): Promise<string[]> {
  const entries = index.children.filter((c) => !c.attestation)
  const available = unique(entries.flatMap((c) => (c.platform ? [formatPlatform(c.platform)] : [])))
  const required = ctx.required
  let check: ManifestChild[] = entries
  if (required) {
    const missing = required.filter((r) => !entries.some((c) => c.platform && platformMatches(r, c.platform)))
    if (missing.length)
      throw new ImageFailure(
        `image does not offer ${missing.map(formatPlatform).join(', ')}`,
        { kind: 'platform-missing', missing: missing.map(formatPlatform), available },
        index.digest,
      )
    check = entries.filter(
      (c) => c.platform && required.some((r) => platformMatches(r, c.platform as Platform)),
    )
  }
  // Children of a present index are present (Zot refuses an index whose manifests it lacks), so in warm
  // mode HEAD by digest is local; check mode tests the blob to stay side-effect-free even if storage lost one.
  const absent: string[] = []
  const present: string[] = []
  await Promise.all(
    check.map(async (child) => {
      const found =
        ctx.mode === 'check'
          ? job.count(await hasBlob(ctx.client, repo, child.digest, job.signal))
          : job.count(await headManifest(ctx.client, repo, child.digest, job.signal))
      const name = child.platform ? formatPlatform(child.platform) : child.digest
      if (found === true) present.push(name)
      else absent.push(name)
    }),
  )
  if (absent.length)
    throw new ImageFailure(
      `manifests of ${absent.join(', ')} missing in Zot`,
      { kind: 'platform-manifest-missing', platforms: absent.sort() },
      index.digest,
    )
  return unique(present.filter((p) => !p.startsWith('sha256:'))).sort()
}

function unique(items: string[]): string[] {
  return [...new Set(items)]
}
