// Makes Zot hold every planned image, spending upstream requests only on what is missing.
//
// Cost model (Zot v2.1.20, pkg/api/routes.go getImageManifest): a manifest request by tag always makes Zot
// re-check upstream, and one by digest only when the digest is missing. Tag lists, blobs and the search
// extension are local. So presence is decided with tags/list (one per repository), the tag's digest comes from
// the search extension, digests are tested with blob HEADs, and a manifest is read by tag only to warm it.
// Beside the images, one look-ahead pass fetches every tag list and asks search about all present tags in
// batches; an image whose answer settles it needs no request of its own. An image whose tag is missing starts
// syncing as soon as its own repository's list is in; only a present tag waits for the search answers.
//
// `concurrency` bounds the images in their sync phase (presence, the sync, verification): what keeps Zot's
// upstream busy. An image's referrers (more requests Zot answers from upstream) are copied and listed after
// it leaves that phase, beside the next image's sync, by at most `concurrency` images at a time.

import { eachLimited, Limiter } from '../each.js'
import { describeError } from '../errors.js'
import { formatSetting } from '../inputs/duration.js'
import type { ImageResult, PlannedImage } from '../model.js'
import { zotReference } from '../plan/plan.js'
import type { ZotClient } from './client.js'
import { cancelledImage, diagnose, type Situation, transportAdvice } from './diagnose.js'
import { ZotRequestError } from './errors.js'
import { failureFrom, ImageFailure, Job, type Verified } from './job.js'
import type { ManifestInfo } from './manifest.js'
import { DEFAULTS, type WarmOptions } from './options.js'
import { parsePlatform } from './platforms.js'
import { isLegacyTag, type LocalReads, referrersOf } from './referrers.js'
import { getManifest, hasBlob, listTags, type RegistryResult, searchTag } from './registry.js'
import { sleep } from './retry.js'
import { BATCH_LIMITS, type BatchAnswer, chunkNames, type SearchedImage, searchImages } from './search.js'
import { type VerifyContext, verifyImage } from './verify.js'

/** What warming one image found, before it is told apart per reference. */
type ImageOutcome = Omit<ImageResult, 'reference' | 'sources' | 'zotReference'>

const SEARCH_OFF =
  "platforms not verified: Zot's search extension is off, so the digest of a cached tag cannot be read without making Zot contact upstream"

export async function warmImages(
  images: PlannedImage[],
  client: ZotClient,
  opts: WarmOptions,
): Promise<ImageResult[]> {
  return new Warmer(client, opts).run(images)
}

class Warmer {
  readonly #verifyContext: VerifyContext
  readonly #tagLists = new Map<string, Promise<RegistryResult<Set<string>>>>()
  /** The tags this run asks about, by repository: tag lists keep only these (and cosign's legacy tags). */
  readonly #wanted = new Map<string, Set<string>>()
  readonly #syncs = new Map<string, Promise<RegistryResult<ManifestInfo | undefined>>>()
  /** Search answers of the look-ahead, by `repo:tag`: what Zot held before this run changed anything. */
  readonly #searched = new Map<string, SearchedImage>()
  /** undefined until the first search answer. */
  #search?: boolean
  /** Settles when the look-ahead has asked everything it will ask (a present tag waits for it). */
  #lookedAhead: Promise<void> = Promise.resolve()
  /** Images copying or listing their referrers after their sync phase. */
  #following?: Limiter
  readonly #poll: { initialDelayMs: number; maxDelayMs: number }
  /** The look-ahead also asks what refers to each image, so cached images need no request for it. */
  get #searchOptions() {
    return { referrers: (this.opts.referrers ?? 'off') !== 'off' }
  }

  constructor(
    readonly client: ZotClient,
    readonly opts: WarmOptions,
  ) {
    const required = opts.platforms?.map((p) => {
      const parsed = parsePlatform(p)
      if (!parsed) throw new TypeError(`invalid platform "${p}"`)
      return parsed
    })
    this.#verifyContext = { client, mode: opts.mode, ...(required ? { required } : {}) }
    this.#poll = opts.poll ?? DEFAULTS.poll
  }

  async run(images: PlannedImage[]): Promise<ImageResult[]> {
    // Identical references (same Zot repository, tag and digest) share one job.
    const groups = new Map<string, number[]>()
    images.forEach((img, i) => {
      const key = `${img.zotRepository}\n${img.ref.tag ?? ''}\n${img.ref.digest ?? ''}`
      const g = groups.get(key)
      if (g) g.push(i)
      else groups.set(key, [i])
    })
    for (const img of images)
      if (img.ref.tag) {
        const tags = this.#wanted.get(img.zotRepository) ?? new Set()
        this.#wanted.set(img.zotRepository, tags.add(img.ref.tag))
      }
    const work = [...groups.values()]
    const outcomes = new Map<number, ImageOutcome>()
    const total = images.length
    let done = 0
    let next = 0
    const finished: Promise<void>[] = []
    const record = (members: number[], outcome: ImageOutcome) => {
      for (const i of members) {
        outcomes.set(i, outcome)
        done++
        this.opts.onProgress?.({
          type: 'finish',
          index: i,
          total,
          reference: (images[i] as PlannedImage).reference,
          status: outcome.status,
          durationMs: outcome.durationMs,
          done,
        })
      }
    }
    const worker = async () => {
      while (next < work.length) {
        if (this.opts.signal?.aborted) return
        const members = work[next++] as number[]
        const first = images[members[0] as number] as PlannedImage
        for (const i of members)
          this.opts.onProgress?.({
            type: 'start',
            index: i,
            total,
            reference: (images[i] as PlannedImage).reference,
            zotReference: zotReference(first),
          })
        // The worker takes the next image once this one has left its sync phase (or finished).
        const { promise: handedOff, resolve: handOff } = promiseWithResolvers()
        const outcome = this.#image(first, handOff).then((o) => record(members, o))
        finished.push(outcome)
        await Promise.race([handedOff, outcome])
      }
    }
    if (!this.opts.signal?.aborted)
      this.#lookedAhead = this.#lookAhead(work.map((m) => images[m[0] as number] as PlannedImage)).catch(
        () => undefined,
      )
    const workers = Math.max(1, Math.min(this.opts.concurrency, work.length))
    this.#following = new Limiter(workers)
    await Promise.all(Array.from({ length: workers }, worker))
    await Promise.all(finished)
    await this.#lookedAhead
    return images.map((img, i) => {
      const outcome = outcomes.get(i) ?? {
        status: 'not-attempted' as const,
        attempts: 0,
        durationMs: 0,
        error: cancelledImage(false),
        warnings: [],
      }
      return {
        reference: img.reference,
        ...outcome,
        zotReference: zotReference(img, outcome.digest),
        warnings: [...outcome.warnings],
        sources: img.sources,
      }
    })
  }

  /** One image; `handOff` is called when it no longer needs its sync slot (its referrers may still run). */
  async #image(img: PlannedImage, handOff: () => void): Promise<ImageOutcome> {
    const started = performance.now()
    const deadline = AbortSignal.timeout(this.opts.imageTimeoutMs)
    const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, deadline]) : deadline
    const job = new Job(signal)
    const finish = (o: Omit<ImageOutcome, 'attempts' | 'durationMs' | 'warnings'>): ImageOutcome => ({
      ...o,
      attempts: 1 + job.retries,
      durationMs: Math.round(performance.now() - started),
      warnings: job.warnings,
    })
    try {
      const { status, verified } = await this.#process(job, img)
      const leave = await (this.#following as Limiter).enter()
      handOff()
      const { result, failure } = await this.#referrers(job, img, status, verified).finally(leave)
      const found = { digest: verified.digest, platforms: verified.platforms, referrers: result }
      return finish(failure ? { status: 'failed', ...found, ...failure } : { status, ...found })
    } catch (err) {
      if (this.opts.signal?.aborted) return finish({ status: 'not-attempted', error: cancelledImage(true) })
      if (deadline.aborted) {
        const situation: Situation = {
          kind: 'sync-timeout',
          timeoutMs: this.opts.imageTimeoutMs,
          connectionClosed: job.connectionClosed,
        }
        return finish({
          status: 'failed',
          error: `no result within the image timeout (${formatSetting(this.opts.imageTimeoutMs)})`,
          diagnosis: diagnose(situation),
        })
      }
      if (err instanceof ImageFailure) {
        const situation =
          err.situation.kind === 'missing-after-sync'
            ? { ...err.situation, upstream: `${img.ref.domain}/${img.ref.path}` }
            : err.situation
        return finish({
          status: 'failed',
          digest: err.digest,
          error: err.message,
          diagnosis: diagnose(situation),
        })
      }
      if (err instanceof ZotRequestError) {
        job.count(err)
        // The error says what happened; a diagnosis only when there is something to add.
        return finish({
          status: 'failed',
          error: err.message,
          diagnosis: transportAdvice(err, this.client, true),
        })
      }
      return finish({ status: 'failed', error: `unexpected error: ${describeError(err)}` })
    }
  }

  async #process(job: Job, img: PlannedImage): Promise<{ status: 'cached' | 'warmed'; verified: Verified }> {
    const repo = img.zotRepository
    const { tag, digest } = img.ref
    if (!tag) {
      if (!digest) throw new TypeError(`planned image ${img.reference} has neither tag nor digest`)
      return this.#digestOnly(job, repo, digest)
    }
    const tags = await this.#tags(job, repo)
    const refresh = this.opts.refresh && !digest
    let before: string | undefined
    const wasPresent = tags.has(tag)
    if (wasPresent) {
      await this.#lookedAhead
      const searched = this.#searched.get(`${repo}:${tag}`)
      before = searched ? searched.digest : await this.#localTagDigest(job, repo, tag)
      if (!refresh) {
        const cached = await this.#cachedTag(job, repo, tag, before, digest, searched)
        if (cached) return { status: 'cached', verified: cached }
      } else if (!before && this.#search === false) {
        job.warn(SEARCH_OFF)
      }
    }
    if (this.opts.mode === 'check') {
      const what = wasPresent && digest ? `pinned digest ${digest} of ${repo}:${tag}` : `${repo}:${tag}`
      throw new ImageFailure(`not in Zot: ${what}`, { kind: 'not-cached', what })
    }

    // Warm: GET by tag makes Zot copy the whole image before answering.
    const manifest = await this.#sync(job, repo, tag, false)
    tags.add(tag)
    const tagDigest = manifest?.digest ?? (await this.#localTagDigest(job, repo, tag))
    if (!digest) {
      if (!tagDigest) {
        job.warn(SEARCH_OFF)
        return { status: wasPresent ? 'cached' : 'warmed', verified: {} }
      }
      const verified = await verifyImage(this.#verifyContext, job, repo, tagDigest, manifest)
      // A refresh that found the tag where it was (or cannot tell, without search) changed nothing.
      if (wasPresent && (before === undefined || before === tagDigest)) return { status: 'cached', verified }
      if (wasPresent) job.warn(`tag ${tag} moved upstream: Zot now serves ${tagDigest} (was ${before})`)
      return { status: 'warmed', verified }
    }
    if (tagDigest === digest)
      return {
        status: 'warmed',
        verified: await verifyImage(this.#verifyContext, job, repo, digest, manifest),
      }

    // The tag resolves elsewhere (or cannot be read): ask Zot for the pinned digest itself.
    const pinned = await this.#sync(job, repo, digest, true).catch((err: unknown) => {
      if (err instanceof ImageFailure && err.situation.kind === 'missing-after-sync') return null
      throw err
    })
    if (pinned === null)
      throw new ImageFailure(
        `pinned digest ${digest} not in Zot after syncing ${repo}:${tag}${tagDigest ? ` (the tag resolves to ${tagDigest})` : ''}`,
        {
          kind: 'pin-missing',
          repository: repo,
          tag,
          pinned: digest,
          tagDigest,
          storedMediaType: manifest?.mediaType,
        },
        tagDigest,
      )
    if (tagDigest)
      job.warn(
        `Zot's ${tag} resolves to ${tagDigest}, not the pinned ${digest}; the pinned digest was fetched by digest and is stored untagged (garbage collection may remove it)`,
      )
    return { status: 'warmed', verified: await verifyImage(this.#verifyContext, job, repo, digest, pinned) }
  }

  /** Signatures, attestations and SBOMs of a confirmed image (src/warm/referrers.ts). */
  async #referrers(job: Job, img: PlannedImage, status: 'cached' | 'warmed', verified: Verified) {
    const repo = img.zotRepository
    const synced = this.opts.mode === 'warm' && (status === 'warmed' || this.opts.refresh)
    const searched = img.ref.tag && !synced ? this.#searched.get(`${repo}:${img.ref.tag}`) : undefined
    const reads: LocalReads = {
      tags: async (fresh) => {
        if (fresh) this.#tagLists.delete(repo)
        return this.#tags(job, repo)
      },
      search: () => this.#search,
      searchAnswered: (available) => {
        this.#search = available
      },
    }
    const image = {
      repo,
      tag: img.ref.tag,
      digest: verified.digest,
      children: verified.children ?? [],
      synced,
    }
    const ctx = { client: this.client, mode: this.opts.mode, policy: this.opts.referrers ?? 'off' }
    return referrersOf(ctx, job, searched ? { ...image, searched } : image, reads)
  }

  /** A tag present in tags/list: cached when its pin (if any) and platforms are there too. */
  async #cachedTag(
    job: Job,
    repo: string,
    tag: string,
    local: string | undefined,
    pinned: string | undefined,
    searched: SearchedImage | undefined,
  ): Promise<Verified | undefined> {
    if (pinned) {
      if (local === pinned) return verifyImage(this.#verifyContext, job, repo, pinned, undefined, searched)
      const manifest = await this.#localDigest(job, repo, pinned)
      if (!manifest) return undefined
      if (local)
        job.warn(
          `Zot's ${tag} resolves to ${local}, not the pinned ${pinned}; the pinned digest is present untagged (garbage collection may remove it)`,
        )
      return verifyImage(this.#verifyContext, job, repo, pinned, manifest)
    }
    if (local) return verifyImage(this.#verifyContext, job, repo, local, undefined, searched)
    // Without the search extension a cached tag's digest is unknowable without contacting upstream.
    job.warn(SEARCH_OFF)
    return {}
  }

  async #digestOnly(
    job: Job,
    repo: string,
    digest: string,
  ): Promise<{ status: 'cached' | 'warmed'; verified: Verified }> {
    job.warn(
      'digest-only reference: Zot stores it untagged, and garbage collection removes untagged manifests after gcDelay unless retention keeps them; reference it with a tag too (tag@digest)',
    )
    const local = await this.#localDigest(job, repo, digest)
    if (local)
      return { status: 'cached', verified: await verifyImage(this.#verifyContext, job, repo, digest, local) }
    if (this.opts.mode === 'check')
      throw new ImageFailure(`not in Zot: ${repo}@${digest}`, {
        kind: 'not-cached',
        what: `${repo}@${digest}`,
      })
    const manifest = await this.#sync(job, repo, digest, true)
    return { status: 'warmed', verified: await verifyImage(this.#verifyContext, job, repo, digest, manifest) }
  }

  /**
   * Beside the images: the tag list of every repository, then what search knows about every present tag, in
   * batches (the first alone: it tells whether search answers batches at all). A fully warm run then costs one tags/list per repository and one request per batch. A tag list that failed fails the
   * images of its repository with the same error (they do not ask again); a search batch that failed leaves
   * its images to ask on their own.
   */
  async #lookAhead(images: PlannedImage[]): Promise<void> {
    const deadline = AbortSignal.timeout(this.opts.imageTimeoutMs)
    const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, deadline]) : deadline
    // Retries of the lists are counted on the images that use them (#tags), not here.
    const job = new Job(signal)
    const tagged = images.filter((img) => img.ref.tag)
    const lists = new Map<string, Set<string>>()
    await eachLimited(
      [...new Set(tagged.map((img) => img.zotRepository))],
      this.opts.concurrency,
      async (repo) => {
        if (signal.aborted) return
        try {
          // A copy: images syncing meanwhile add their tags to the shared list, and search is asked only
          // about what Zot held before this run changed anything.
          lists.set(repo, new Set(await this.#tags(job, repo)))
        } catch {
          // Kept in #tagLists: the images of this repository report it.
        }
      },
    )
    const names = [
      ...new Set(
        tagged.flatMap((img) =>
          lists.get(img.zotRepository)?.has(img.ref.tag as string)
            ? [`${img.zotRepository}:${img.ref.tag}`]
            : [],
        ),
      ),
    ]
    if (!names.length || this.#search === false || signal.aborted) return
    const limits = { ...BATCH_LIMITS, images: this.opts.searchBatch ?? BATCH_LIMITS.images }
    const [probe, ...rest] = chunkNames(names, limits, this.#searchOptions).batches
    if (!probe || !(await this.#searchBatch(probe, signal))) return
    await eachLimited(rest, this.opts.concurrency, async (batch) => {
      if (!signal.aborted) await this.#searchBatch(batch, signal)
    })
  }

  /** One batched search; false when batches do not work here (then every image asks on its own). */
  async #searchBatch(names: string[], signal: AbortSignal): Promise<boolean> {
    let answer: RegistryResult<BatchAnswer>
    try {
      answer = await searchImages(this.client, names, signal, this.#searchOptions)
    } catch {
      return false
    }
    if (!answer.ok) return false
    const value = answer.value
    if (value.kind === 'unavailable') this.#search = false
    if (value.kind !== 'answered') return false
    this.#search = true
    for (const [i, image] of value.found) this.#searched.set(names[i] as string, image)
    return true
  }

  /** Local tags of a repository, one request per repository per run. */
  async #tags(job: Job, repo: string): Promise<Set<string>> {
    const pending = shared(this.#tagLists, repo, () =>
      listTags(this.client, repo, job.signal, (tag) => this.#wanted.get(repo)?.has(tag) || isLegacyTag(tag)),
    )
    const list = job.count(await pending)
    if (!list.ok) throw failureFrom(this.client, list, repo, 'tags/list')
    return list.value
  }

  /** The digest Zot's MetaDB has for a local tag (search extension), or undefined. */
  async #localTagDigest(job: Job, repo: string, tag: string): Promise<string | undefined> {
    if (this.#search === false) return undefined
    const result = job.count(await searchTag(this.client, repo, tag, job.signal))
    // A refusal from search says nothing about the tag: the image goes on as if search did not know it.
    const answer = result.ok ? result.value : { kind: 'not-found' as const }
    if (answer.kind === 'unavailable') {
      this.#search = false
      return undefined
    }
    this.#search = true
    return answer.kind === 'found' ? answer.digest : undefined
  }

  /**
   * A digest that may be missing, tested without side effects: HEAD on the blob (never syncs; Zot keeps
   * manifests in the blob store). Only when it is there is the manifest read, which is then local.
   */
  async #localDigest(job: Job, repo: string, digest: string): Promise<ManifestInfo | undefined> {
    const present = job.count(await hasBlob(this.client, repo, digest, job.signal))
    if (!present.ok) throw failureFrom(this.client, present, repo, digest)
    if (!present.value) return undefined
    const answer = job.count(await getManifest(this.client, repo, digest, { signal: job.signal }))
    if (!answer.ok) {
      if (answer.refusal.status === 404) return undefined
      throw failureFrom(this.client, answer, repo, digest)
    }
    return answer.value
  }

  /**
   * GET a manifest so Zot syncs it, sharing one request per repository+reference. When Zot closes the
   * connection (its writeTimeout ends before a long sync does), the sync goes on in the background: poll for
   * the image and ask again only after a few polls (a second request joins a running sync in Zot).
   * Returns undefined when the image appeared through polling (no manifest in hand).
   */
  async #sync(
    job: Job,
    repo: string,
    reference: string,
    isDigest: boolean,
  ): Promise<ManifestInfo | undefined> {
    const pending = shared(this.#syncs, `${repo}\n${reference}`, () =>
      this.#syncOnce(job, repo, reference, isDigest),
    )
    const synced = job.count(await pending)
    if (!synced.ok) throw failureFrom(this.client, synced, repo, reference)
    return synced.value
  }

  async #syncOnce(
    job: Job,
    repo: string,
    reference: string,
    isDigest: boolean,
  ): Promise<RegistryResult<ManifestInfo | undefined>> {
    let attempts = 0
    for (;;) {
      try {
        const res = await getManifest(this.client, repo, reference, {
          signal: job.signal,
          sync: true,
          timeoutMs: 0,
        })
        attempts += res.attempts
        if (res.ok) return { ok: true, value: res.value, attempts }
        // A gateway in front of Zot gave up waiting; Zot itself keeps syncing.
        if (res.refusal.status !== 504) return { ok: false, refusal: res.refusal, attempts }
      } catch (err) {
        if (!(err instanceof ZotRequestError)) throw err
        if (err.kind !== 'closed' && err.kind !== 'timeout') throw err.withAttempts(attempts + err.attempts)
        attempts += err.attempts
      }
      job.connectionClosed = true
      if (await this.#pollFor(job, repo, reference, isDigest)) {
        job.warn(
          'Zot closed the connection during the sync (its http.writeTimeout is shorter than the sync); the image appeared while polling. Set "writeTimeout": "0s" in Zot\'s http config for large images.',
        )
        return { ok: true, value: undefined, attempts }
      }
    }
  }

  /** Polls local presence with backoff; false after a few rounds so the caller asks Zot again. */
  async #pollFor(job: Job, repo: string, reference: string, isDigest: boolean): Promise<boolean> {
    let delay = this.#poll.initialDelayMs
    for (let round = 0; round < 4; round++) {
      await sleep(delay, job.signal)
      if (isDigest) {
        const blob = job.count(await hasBlob(this.client, repo, reference, job.signal))
        if (blob.ok && blob.value) return true
      } else {
        const list = job.count(await listTags(this.client, repo, job.signal, (tag) => tag === reference))
        if (list.ok && list.value.has(reference)) return true
      }
      delay = Math.min(delay * 2, this.#poll.maxDelayMs)
    }
    return false
  }
}

/**
 * One request per key, shared by every image that needs it, and kept for the run whatever it ended in:
 * an image never asks again what another image (or the look-ahead) already asked, so a failure costs its
 * retries once. Only a request cut off by the signal of the job that started it (its image timeout, the
 * look-ahead's deadline) is forgotten, so the next image asks on its own time.
 */
function shared<T>(cache: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
  let pending = cache.get(key)
  if (!pending) {
    pending = start()
    cache.set(key, pending)
    pending.catch((err: unknown) => {
      if (err instanceof ZotRequestError && err.kind === 'cancelled') cache.delete(key)
    })
  }
  return pending
}

/** Promise.withResolvers (Node 22+), for Node 20. */
function promiseWithResolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}
