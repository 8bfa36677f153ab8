// Signatures, attestations and SBOMs ("referrers") of the images a run warms, and what the cache holds of them.
//
// What Zot v2.1.20 does (docs/zot.md; checked against the binary in referrers.int.test.ts):
// - The on-demand image sync copies no referrers. A referrers request on the cache
//   (`GET /v2/<repo>/referrers/<digest>`) makes Zot copy the subject's OCI 1.1 referrers (from upstream's
//   referrers API, else from the referrers tag schema) and cosign's legacy `sha256-<hex>.sig/.att/.sbom` tags,
//   one level deep, and then answers from storage. It asks upstream again on every call: it is how referrers
//   are warmed, never how they are read.
// - Read locally: the search extension lists the referrers of a tagged image and of each of its manifests,
//   except signatures, which it only names by signing tool (no digest); tags/list names the legacy tags.
// So an image copied in this run (or refreshed) gets one referrers request per manifest (the index and each
// platform checked), and then every image's listing comes from local reads alone: a run over a warm cache
// reports what the run that warmed it reported, and makes no request that reaches upstream.

import { eachLimited } from '../each.js'
import { type Referrer, type ReferrerKind, type ReferrersResult, signsImage } from '../model.js'
import type { ZotClient } from './client.js'
import { diagnose, REQUIRE_SIGNED } from './diagnose.js'
import { ZotRequestError } from './errors.js'
import type { Job } from './job.js'
import type { ReferrersPolicy, WarmMode } from './options.js'
import { getReferrers, type ReferrerDescriptor } from './registry.js'
import { type SearchedAttached, type SearchedImage, searchImages } from './search.js'

const ARTIFACT_TYPES = {
  cosignSignature: 'application/vnd.dev.cosign.artifact.sig.v1+json',
  sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  notationSignature: 'application/vnd.cncf.notary.signature',
} as const

const SIGNATURE_TOOL: Record<string, string> = {
  [ARTIFACT_TYPES.cosignSignature]: 'cosign',
  [ARTIFACT_TYPES.sigstoreBundle]: 'cosign',
  [ARTIFACT_TYPES.notationSignature]: 'notation',
}

/** cosign's predicate type for a plain signature in its sigstore-bundle format (anything else attests). */
const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1'

/** What a referrer is, from its artifact type (and, for sigstore bundles and buildkit, its annotations). */
export function kindOf(
  artifactType: string | undefined,
  annotations: Record<string, string> = {},
): ReferrerKind {
  const type = (artifactType ?? '').toLowerCase()
  if (type === ARTIFACT_TYPES.sigstoreBundle) {
    const predicate = annotations['dev.sigstore.bundle.predicateType']
    return !predicate || predicate === COSIGN_SIGN_PREDICATE ? 'signature' : 'attestation'
  }
  if (SIGNATURE_TOOL[type]) return 'signature'
  // Buildkit attestations that Zot moved out of a converted index keep this annotation.
  if (annotations['vnd.docker.reference.type'] === 'attestation-manifest') return 'attestation'
  if (/in-toto|dsse|attestation|provenance|slsa/.test(type)) return 'attestation'
  if (/spdx|cyclonedx|syft|sbom/.test(type)) return 'sbom'
  return 'other'
}

const LEGACY = /^sha256-([a-f0-9]{64})\.(sig|att|sbom)$/

/** A cosign legacy tag (`sha256-<hex>.sig/.att/.sbom`): tag lists keep these besides the planned tags. */
export function isLegacyTag(tag: string): boolean {
  return LEGACY.test(tag)
}
const LEGACY_KIND: Record<string, ReferrerKind> = { sig: 'signature', att: 'attestation', sbom: 'sbom' }
const KIND_ORDER: readonly ReferrerKind[] = ['signature', 'attestation', 'sbom', 'other']

export interface ReferrersContext {
  client: ZotClient
  mode: WarmMode
  policy: ReferrersPolicy
}

/** An image the engine confirmed in the cache. */
export interface ImageInCache {
  repo: string
  /** The tag the image was asked by; used only when it still resolves to `digest` (search reads by tag). */
  tag?: string
  /** Undefined when it could not be read without a sync (no search extension). */
  digest?: string
  /** The per-platform manifests confirmed for the image (an index's children). */
  children: string[]
  /** The image was copied or re-checked from upstream in this run: its referrers are copied too. */
  synced: boolean
  /** What the look-ahead search said about `repo:tag` before this run changed anything. */
  searched?: SearchedImage
}

/** The engine's local reads, shared with the rest of the run. */
export interface LocalReads {
  /** The repository's local tags; `fresh` reads them again (Zot may have added legacy tags since). */
  tags(fresh: boolean): Promise<Set<string>>
  /** Whether Zot's search extension answers; undefined until known. */
  search(): boolean | undefined
  searchAnswered(available: boolean): void
}

export interface ReferrersOutcome {
  /** Absent when the `referrers` input is off. */
  result?: ReferrersResult
  /** `require-signed` and no signature of the image in the cache: the image fails with this. */
  failure?: { error: string; diagnosis: string }
}

/** Referrers requests of one image in flight at a time (Zot keeps 3 per upstream in flight anyway). */
const COPY_CONCURRENCY = 3

const SEARCH_FAILED = "referrers not verified: Zot's search extension failed to answer"

const NO_SEARCH =
  "referrers not verified: Zot's search extension is off, so what refers to a cached image cannot be read without making Zot contact upstream"

/**
 * Copies the referrers of an image synced in this run (and, with `require-signed`, of a cached image without a
 * signature in the cache), then lists what the cache holds from local reads.
 */
export async function referrersOf(
  ctx: ReferrersContext,
  job: Job,
  image: ImageInCache,
  reads: LocalReads,
): Promise<ReferrersOutcome> {
  if (ctx.policy === 'off') return {}
  if (!image.digest) {
    const result: ReferrersResult = { state: 'not-verified', items: [], note: NO_SEARCH }
    return ctx.policy === 'require-signed'
      ? { result, failure: unsigned(ctx, image.repo, undefined, false, false) }
      : { result }
  }
  const subjects = [...new Set([image.digest, ...image.children])]
  let copied: Map<string, ReferrerDescriptor[]> | undefined
  if (ctx.mode === 'warm' && image.synced) copied = await copy(ctx, job, image.repo, subjects)
  let result = await listLocal(ctx, job, image, subjects, reads, copied !== undefined)
  // A cached image may predate its signatures' warming (a node pulled it through the cache): ask Zot once.
  // Only here, so a warm cache of signed images still costs nothing upstream.
  if (
    ctx.policy === 'require-signed' &&
    ctx.mode === 'warm' &&
    !copied &&
    !signsImage(result.items, image.digest)
  ) {
    copied = await copy(ctx, job, image.repo, subjects)
    result = await listLocal(ctx, job, image, subjects, reads, true)
  }
  // Where local reads cannot list OCI 1.1 referrers (no search, an untagged digest), the answers to this
  // run's referrers requests can: they are what Zot holds after copying.
  if (copied && result.state === 'not-verified')
    result = { state: 'verified', items: sortItems([...fromAnswers(copied), ...result.items], subjects) }
  if (ctx.policy === 'require-signed' && !signsImage(result.items, image.digest))
    return {
      result,
      failure: unsigned(
        ctx,
        image.repo,
        image.digest,
        result.state === 'verified',
        copied !== undefined,
        result.items.some((i) => i.kind === 'signature'),
      ),
    }
  return { result }
}

function unsigned(
  ctx: ReferrersContext,
  repo: string,
  digest: string | undefined,
  verified: boolean,
  copied: boolean,
  platformsSigned = false,
): { error: string; diagnosis: string } {
  const what = digest ? `${repo}@${digest}` : repo
  return {
    error: verified
      ? `no signature of ${what} in Zot ${REQUIRE_SIGNED}`
      : `signature of ${what} not verified ${REQUIRE_SIGNED}`,
    diagnosis: diagnose({ kind: 'unsigned', what, verified, mode: ctx.mode, copied, platformsSigned }),
  }
}

/**
 * One referrers request per subject (Zot copies while it answers). Failures become warnings: the listing decides.
 * The image's own subject goes first and alone: for cosign's legacy tags Zot reads the upstream repository's tag
 * list, which it then keeps for 30 minutes, so the platforms' requests after it cost one upstream request each
 * instead of two (sent together, each would fetch the list).
 */
async function copy(
  ctx: ReferrersContext,
  job: Job,
  repo: string,
  subjects: string[],
): Promise<Map<string, ReferrerDescriptor[]>> {
  const answers = new Map<string, ReferrerDescriptor[]>()
  const [first, ...rest] = subjects
  const one = async (subject: string) => {
    try {
      const answer = job.count(await getReferrers(ctx.client, repo, subject, job.signal))
      if (answer.ok) answers.set(subject, answer.value)
      else
        job.warn(
          `referrers of ${repo}@${subject} not copied: Zot answered ${answer.refusal.status}${answer.refusal.code ? ` ${answer.refusal.code}` : ''} to the referrers request`,
        )
    } catch (err) {
      if (!(err instanceof ZotRequestError) || err.kind === 'cancelled' || job.signal.aborted) throw err
      job.retries += Math.max(0, err.attempts - 1)
      job.warn(`referrers of ${repo}@${subject} may be incomplete: ${err.message}`)
    }
  }
  if (first) await one(first)
  await eachLimited(rest, COPY_CONCURRENCY, one)
  return answers
}

/** What the cache holds, from tags/list and the search extension only (nothing that makes Zot sync). */
async function listLocal(
  ctx: ReferrersContext,
  job: Job,
  image: ImageInCache,
  subjects: string[],
  reads: LocalReads,
  fresh: boolean,
): Promise<ReferrersResult> {
  const tags = await reads.tags(fresh)
  const legacy = sortItems(legacyTags(tags, subjects), subjects)
  if (reads.search() === false) return { state: 'not-verified', items: legacy, note: NO_SEARCH }
  const summary = await summaryOf(ctx, job, image, reads, fresh)
  if (typeof summary === 'string') return { state: 'not-verified', items: legacy, note: summary }
  await legacyDigests(ctx, job, image.repo, legacy)
  const items = [...fromSummary(summary, subjects, tags), ...legacy]
  return { state: 'verified', items: sortItems(items, subjects) }
}

/**
 * The search answer for the image: the look-ahead's when it still holds, else one query. A string says why
 * there is none (the `not-verified` note).
 */
async function summaryOf(
  ctx: ReferrersContext,
  job: Job,
  image: ImageInCache,
  reads: LocalReads,
  fresh: boolean,
): Promise<SearchedImage | string> {
  const held = image.searched
  if (!fresh && held && held.digest === image.digest && held.attached) return held
  const untagged = `referrers not verified: Zot's search extension reads signatures and referrers of tagged images only, and no tag of ${image.repo} is known to point to ${image.digest}`
  if (!image.tag) return untagged
  const result = job.count(
    await searchImages(ctx.client, [`${image.repo}:${image.tag}`], job.signal, { referrers: true }),
  )
  if (!result.ok) return `${SEARCH_FAILED} (HTTP ${result.refusal.status})`
  const answer = result.value
  if (answer.kind === 'unavailable') {
    reads.searchAnswered(false)
    return NO_SEARCH
  }
  if (answer.kind === 'failed') return `${SEARCH_FAILED} (${answer.reason})`
  reads.searchAnswered(true)
  const found = answer.found.get(0)
  return found && found.digest === image.digest && found.attached ? found : untagged
}

/** cosign's legacy tags of the subjects: `sha256-<hex>.sig` / `.att` / `.sbom`. */
export function legacyTags(tags: Set<string>, subjects: string[]): Referrer[] {
  const items: Referrer[] = []
  const wanted = new Map(subjects.map((s) => [s.replace(/^sha256:/, ''), s]))
  for (const tag of tags) {
    const m = LEGACY.exec(tag)
    const subject = m ? wanted.get(m[1] as string) : undefined
    if (!m || !subject) continue
    const kind = LEGACY_KIND[m[2] as string] as ReferrerKind
    items.push({ kind, subject, form: 'tag', tag, ...(kind === 'signature' ? { tool: 'cosign' } : {}) })
  }
  return items
}

/**
 * Digests of legacy `.att` / `.sbom` tags, which Zot's MetaDB keeps as tags. A `.sig` tag is filed as a
 * signature instead, so search cannot read it by tag: it keeps no digest.
 */
async function legacyDigests(
  ctx: ReferrersContext,
  job: Job,
  repo: string,
  legacy: Referrer[],
): Promise<void> {
  const readable = legacy.filter((i) => i.kind !== 'signature')
  if (!readable.length) return
  const result = job.count(
    await searchImages(
      ctx.client,
      readable.map((i) => `${repo}:${i.tag}`),
      job.signal,
    ),
  )
  if (!result.ok || result.value.kind !== 'answered') return
  const answer = result.value
  readable.forEach((item, i) => {
    const found = answer.found.get(i)
    if (!found) return
    item.digest = found.digest
    const type = found.manifests.find((m) => m.digest === found.digest)?.artifactType
    if (type) item.artifactType = type
  })
}

/** Referrers and signatures of each subject as search lists them. */
function fromSummary(summary: SearchedImage, subjects: string[], tags: Set<string>): Referrer[] {
  const items: Referrer[] = []
  for (const subject of subjects) {
    const attached: SearchedAttached | undefined =
      subject === summary.digest
        ? (summary.attached ?? summary.manifests.find((m) => m.digest === subject)?.attached)
        : summary.manifests.find((m) => m.digest === subject)?.attached
    if (!attached) continue
    for (const r of attached.referrers) items.push(referrerOf(r, subject))
    if (!attached.signed) continue
    // Search does not tell a legacy `.sig` tag from an OCI 1.1 cosign signature: the tag, when there is one,
    // stands for cosign's signatures of this subject.
    const legacySig = tags.has(`${subject.replace(':', '-')}.sig`)
    const tools = attached.signers.length ? attached.signers : [undefined]
    for (const tool of tools) {
      if (tool === 'cosign' && legacySig) continue
      items.push({ kind: 'signature', subject, form: 'referrer', ...(tool ? { tool } : {}) })
    }
  }
  return items
}

/** The referrers answers of the copy step (used as the listing when search is off). */
function fromAnswers(answers: Map<string, ReferrerDescriptor[]>): Referrer[] {
  const items: Referrer[] = []
  for (const [subject, list] of answers)
    for (const d of list) items.push(referrerOf(d, subject, SIGNATURE_TOOL[d.artifactType ?? '']))
  return items
}

/**
 * An OCI 1.1 referrer as a referrers answer or the search extension describes it. Only a referrers answer
 * names a signature's tool (search files signatures apart, see fromSummary).
 */
function referrerOf(d: ReferrerDescriptor, subject: string, tool?: string): Referrer {
  return {
    kind: kindOf(d.artifactType, d.annotations),
    ...(d.artifactType ? { artifactType: d.artifactType } : {}),
    digest: d.digest,
    subject,
    form: 'referrer',
    ...(tool ? { tool } : {}),
  }
}

/** Grouped by kind (signatures first), then by subject (the image, then its platforms), form, tag or digest. */
function sortItems(items: Referrer[], subjects: string[]): Referrer[] {
  const key = (i: Referrer) => i.tag ?? i.digest ?? i.tool ?? ''
  return [...items].sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      subjects.indexOf(a.subject) - subjects.indexOf(b.subject) ||
      a.form.localeCompare(b.form) ||
      key(a).localeCompare(key(b)),
  )
}
