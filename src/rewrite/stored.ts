// `digest` mode pins a tag only where the digest Zot serves is upstream's. Zot does not record upstream's
// digest, so the stored manifest itself is the evidence (unconvertedEvidence): one local read by digest per
// tag-only image that warmed.
import { describeError } from '../errors.js'
import type { ImageResult, PlannedImage } from '../model.js'
import type { ZotClient } from '../warm/client.js'
import { getManifest, hasBlob } from '../warm/registry.js'
import type { StoredForms } from './index.js'
import { unconvertedEvidence } from './target.js'

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
    todo.push({ repo: p.zotRepository, digest: r.digest, reference: p.reference })
  })
  let next = 0
  const worker = async () => {
    while (next < todo.length) {
      const t = todo[next++] as (typeof todo)[number]
      if (opts.signal?.aborted) {
        forms.set(t.reference, { problem: 'the run was cancelled before the stored manifest was read' })
        continue
      }
      try {
        // The digest was confirmed present moments ago, so a read by digest is local. Check mode promises
        // never to make Zot sync, so there a blob HEAD (never syncs) confirms it first.
        const present = opts.check ? await hasBlob(client, t.repo, t.digest, opts.signal) : undefined
        if (present && !(present.ok && present.value)) {
          forms.set(t.reference, { problem: `${t.repo}@${t.digest} is no longer in Zot` })
          continue
        }
        const answer = await getManifest(client, t.repo, t.digest, { signal: opts.signal })
        if (!answer.ok) {
          forms.set(t.reference, {
            problem: `Zot answered ${answer.refusal.status} for ${t.repo}@${t.digest}`,
          })
          continue
        }
        const proof = unconvertedEvidence(answer.value)
        forms.set(t.reference, proof ? { proof } : {})
      } catch (err) {
        forms.set(t.reference, { problem: `reading ${t.repo}@${t.digest} failed: ${describeError(err)}` })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, todo.length)) }, worker))
  return forms
}
