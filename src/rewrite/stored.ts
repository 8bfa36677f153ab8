// `digest` mode pins a tag only where the digest Zot serves is upstream's. Zot does not record upstream's
// digest, so the evidence is what the cache holds: a signature, attestation or SBOM that Zot copied from
// upstream for that very digest (upstreamReferrer: no request, the run already listed them), else the stored
// manifest itself (unconvertedEvidence: one local read by digest per tag-only image that warmed).
import { eachLimited } from '../each.js'
import { describeError } from '../errors.js'
import type { ImageResult, PlannedImage, Referrer } from '../model.js'
import type { ZotClient } from '../warm/client.js'
import { getManifest, hasBlob } from '../warm/registry.js'
import { type DigestProof, unconvertedEvidence } from './target.js'

/** Why the digest Zot serves is upstream's, and which kind of proof that is (said in the log and summary). */
/** What the digest mode learnt about each tag's stored form: why it is as published, or nothing. */
export type StoredForms = Map<string, { proof?: DigestProof; problem?: string }>

const A_KIND: Record<Referrer['kind'], string> = {
  signature: 'a signature',
  attestation: 'an attestation',
  sbom: 'an SBOM',
  other: 'a referrer',
}

/** Preferred as proof: what a deploy verifies anyway, then what a tag names outright. */
const KIND_ORDER: readonly Referrer['kind'][] = ['signature', 'attestation', 'sbom', 'other']

/**
 * Proof from the referrers the cache holds for the image's own digest. Zot copies referrers by asking
 * upstream for those of the digest it holds (OCI 1.1 referrers whose `subject` is that digest, cosign's legacy
 * `sha256-<hex>.sig/.att/.sbom` tags named after it): a digest Zot made by converting the image is unknown
 * upstream and gets none. So one such referrer proves upstream serves the digest. Referrers of a platform
 * manifest prove nothing about the index (converting an index keeps its platform manifests, and Zot hangs the
 * attestations it moves out of the index on them).
 */
export function upstreamReferrer(result: Pick<ImageResult, 'digest' | 'referrers'>): DigestProof | undefined {
  const own = (result.referrers?.items ?? []).filter((i) => i.subject === result.digest)
  const best = [...own].sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      (a.form === b.form ? 0 : a.form === 'tag' ? 1 : -1),
  )[0]
  if (!best) return undefined
  const tool = best.tool ? ` (${best.tool})` : ''
  return {
    by: 'upstream-referrer',
    detail:
      best.form === 'tag'
        ? `Zot holds cosign's legacy tag ${best.tag}, which it copies from upstream by the name of this digest`
        : `Zot holds ${A_KIND[best.kind]}${tool} of this digest, and copies referrers from upstream for the digest it holds`,
  }
}

export async function readStoredForms(
  client: ZotClient,
  planned: PlannedImage[],
  results: ImageResult[],
  opts: { concurrency: number; check: boolean; signal?: AbortSignal },
): Promise<StoredForms> {
  const forms: StoredForms = new Map()
  const todo: { repo: string; digest: string; reference: string }[] = []
  planned.forEach((p, i) => {
    const r = results[i]
    if (!r || (r.status !== 'cached' && r.status !== 'warmed') || p.ref.digest || !r.digest) return
    const proof = upstreamReferrer(r)
    if (proof) forms.set(p.reference, { proof })
    else todo.push({ repo: p.zotRepository, digest: r.digest, reference: p.reference })
  })
  await eachLimited(todo, opts.concurrency, async (t) => {
    if (opts.signal?.aborted) {
      forms.set(t.reference, { problem: 'the run was cancelled before the stored manifest was read' })
      return
    }
    try {
      // The digest was confirmed present moments ago, so a read by digest is local. Check mode promises
      // never to make Zot sync, so there a blob HEAD (never syncs) confirms it first.
      const present = opts.check ? await hasBlob(client, t.repo, t.digest, opts.signal) : undefined
      if (present && !(present.ok && present.value)) {
        forms.set(t.reference, { problem: `${t.repo}@${t.digest} is no longer in Zot` })
        return
      }
      const answer = await getManifest(client, t.repo, t.digest, { signal: opts.signal })
      if (!answer.ok) {
        forms.set(t.reference, {
          problem: `Zot answered ${answer.refusal.status} for ${t.repo}@${t.digest}`,
        })
        return
      }
      const detail = unconvertedEvidence(answer.value)
      forms.set(t.reference, detail ? { proof: { by: 'media-types', detail } } : {})
    } catch (err) {
      forms.set(t.reference, { problem: `reading ${t.repo}@${t.digest} failed: ${describeError(err)}` })
    }
  })
  return forms
}
