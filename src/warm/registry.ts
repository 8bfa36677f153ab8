// Registry calls to Zot, each annotated with whether it can make Zot contact upstream (see docs/zot.md and
// pkg/api/routes.go getImageManifest, getReferrers in Zot v2.1.20):
//   tags/list, blobs, search, mgmt              never (local answers only)
//   manifests/<digest> present locally           never
//   manifests/<digest> missing, manifests/<tag>  yes: Zot syncs before answering
//   referrers/<digest>                           yes, every time (copies the subject's referrers first)
import type { RequestSpec, ZotClient, ZotResponse } from './client.js'
import { protocolError } from './errors.js'
import { parseJson } from './json.js'
import { MANIFEST_ACCEPT, ManifestError, type ManifestInfo, parseManifest } from './manifest.js'
import { DEFAULTS } from './options.js'

/** A non-success answer, in registry terms. */
export interface Refusal {
  status: number
  /** Registry error code from the body (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, `DENIED` …). */
  code?: string
  /** Zot's error message, for the log. */
  message?: string
  /** Origin of the host that answered, when Zot redirected the request to another origin. */
  answeredBy?: string
}

/**
 * What every registry call returns: the value it asked for, or Zot's refusal; with the tries it took
 * (retries included). Transport failures (no answer at all) are thrown as ZotRequestError.
 */
export type RegistryResult<T> =
  | { ok: true; value: T; attempts: number }
  | { ok: false; refusal: Refusal; attempts: number }

function answered<T>(value: T, res: ZotResponse): RegistryResult<T> {
  return { ok: true, value, attempts: res.attempts }
}

function refused<T>(res: ZotResponse): RegistryResult<T> {
  return { ok: false, refusal: readRefusal(res), attempts: res.attempts }
}

function readRefusal(res: ZotResponse): Refusal {
  const by = res.answeredBy ? { answeredBy: res.answeredBy } : {}
  try {
    const json = JSON.parse(res.body.toString('utf8')) as { errors?: { code?: string; message?: string }[] }
    const first = json.errors?.[0]
    return { status: res.status, code: first?.code, message: first?.message, ...by }
  } catch {
    return { status: res.status, ...by }
  }
}

function repoPath(repo: string): string {
  // Repository names are validated by the reference grammar; components are kept, only odd bytes escaped.
  return repo.split('/').map(encodeURIComponent).join('/')
}

/**
 * Local tags of a repository (empty when Zot does not have the repository), following `Link` pagination.
 * Never contacts upstream. `keep`: which tags to keep (memory stays bounded by what the caller needs, not by
 * what Zot sends). A listing over DEFAULTS.maxTagListBytes or DEFAULTS.maxTagListPages, or one that
 * paginates in a loop, is a protocol error.
 */
export async function listTags(
  client: ZotClient,
  repo: string,
  signal?: AbortSignal,
  keep?: (tag: string) => boolean,
): Promise<RegistryResult<Set<string>>> {
  const tags = new Set<string>()
  const seen = new Set<string>()
  const what = `Zot at ${client.url} sent`
  let path: string | undefined = `/v2/${repoPath(repo)}/tags/list`
  let attempts = 0
  let bytes = 0
  while (path) {
    if (seen.size >= DEFAULTS.maxTagListPages)
      throw protocolError(
        'too-large',
        `${what} more than ${DEFAULTS.maxTagListPages} pages of tags for ${repo}`,
      )
    if (seen.has(path)) throw protocolError('bad-shape', `${what} the tag list of ${repo} in a loop of pages`)
    seen.add(path)
    const res: ZotResponse = await client.request({
      method: 'GET',
      path,
      signal,
      headers: { accept: 'application/json' },
    })
    attempts += res.attempts
    if (res.status === 404) return { ok: true, value: tags, attempts }
    if (res.status !== 200) return { ...refused(res), attempts }
    bytes += res.body.length
    if (bytes > DEFAULTS.maxTagListBytes)
      throw protocolError(
        'too-large',
        `${what} more than ${mebibytes(DEFAULTS.maxTagListBytes)} of tags for ${repo}`,
      )
    for (const t of tagsOf(client, res, repo)) if (!keep || keep(t)) tags.add(t)
    path = nextPage(res.headers.link, client.url)
  }
  return { ok: true, value: tags, attempts }
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`
}

/** The names of one tags/list page; anything but `{"tags": [names…] | null}` is an unusable answer. */
function tagsOf(client: ZotClient, res: ZotResponse, repo: string): string[] {
  const json = parseJson(res.body)
  const what = `Zot at ${client.url} sent a tag list for ${repo}`
  if (json === undefined) throw protocolError('not-json', `${what} that is not JSON`)
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw protocolError('bad-shape', `${what} that is not a JSON object`)
  const tags = (json as { tags?: unknown }).tags
  if (tags === undefined || tags === null) return []
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string'))
    throw protocolError('bad-shape', `${what} whose "tags" is not a list of names`)
  return tags
}

/** `Link: </v2/x/tags/list?n=100&last=b>; rel="next"` → path relative to the Zot base URL. */
function nextPage(link: string | undefined, base: string): string | undefined {
  const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null
  if (!m?.[1]) return undefined
  const url = new URL(m[1], base)
  const basePath = new URL(base).pathname.replace(/\/+$/, '')
  const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname
  return `${path}${url.search}`
}

/**
 * GET a manifest by tag or digest. By tag (or a missing digest) this makes Zot sync from upstream and blocks
 * until the whole image is copied; `sync` tells the client not to retry a closed connection.
 */
export async function getManifest(
  client: ZotClient,
  repo: string,
  reference: string,
  opts: Pick<RequestSpec, 'signal' | 'sync' | 'timeoutMs'>,
): Promise<RegistryResult<ManifestInfo>> {
  const res = await client.request({
    method: 'GET',
    // Tags and digests are grammar-checked; a digest's `:` must stay literal (Zot does not decode %3A).
    path: `/v2/${repoPath(repo)}/manifests/${reference}`,
    headers: { accept: MANIFEST_ACCEPT },
    ...opts,
  })
  if (res.status !== 200) return refused(res)
  let manifest: ManifestInfo
  try {
    manifest = parseManifest(res.body, res.headers['content-type'], res.headers['docker-content-digest'])
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err
    const at = reference.includes(':') ? '@' : ':'
    throw protocolError(
      err.reason,
      `Zot at ${client.url} sent a manifest for ${repo}${at}${reference} that is ${err.message}`,
    )
  }
  return answered(manifest, res)
}

/** HEAD a manifest by digest. Only call for digests known to be present: a missing one makes Zot sync. */
export async function headManifest(
  client: ZotClient,
  repo: string,
  digest: string,
  signal?: AbortSignal,
): Promise<RegistryResult<boolean>> {
  const res = await client.request({
    method: 'HEAD',
    path: `/v2/${repoPath(repo)}/manifests/${digest}`,
    headers: { accept: MANIFEST_ACCEPT },
    signal,
  })
  if (res.status === 200 || res.status === 404) return answered(res.status === 200, res)
  return refused(res)
}

/**
 * Is a digest stored in the repository? Blob requests never sync, and Zot keeps manifests in the same blob
 * store, so this is the side-effect-free presence test for a digest that may be missing.
 */
export async function hasBlob(
  client: ZotClient,
  repo: string,
  digest: string,
  signal?: AbortSignal,
): Promise<RegistryResult<boolean>> {
  const res = await client.request({ method: 'HEAD', path: `/v2/${repoPath(repo)}/blobs/${digest}`, signal })
  if (res.status === 200 || res.status === 404) return answered(res.status === 200, res)
  return refused(res)
}

/** A small blob (an image config). Local only. */
export async function getBlob(
  client: ZotClient,
  repo: string,
  digest: string,
  signal?: AbortSignal,
): Promise<RegistryResult<Buffer>> {
  const res = await client.request({
    method: 'GET',
    path: `/v2/${repoPath(repo)}/blobs/${digest}`,
    signal,
    maxBodyBytes: 4 * 1024 * 1024,
  })
  if (res.status !== 200) return refused(res)
  return answered(res.body, res)
}

export type SearchAnswer =
  | { kind: 'found'; digest: string; mediaType?: string }
  | { kind: 'not-found' }
  /** Zot runs without the search extension (404 on the endpoint). */
  | { kind: 'unavailable' }

/**
 * The digest a local tag points to, from Zot's search extension (MetaDB). This is the only way to learn it
 * without a manifest request by tag, which would make Zot re-check upstream.
 */
export async function searchTag(
  client: ZotClient,
  repo: string,
  tag: string,
  signal?: AbortSignal,
): Promise<RegistryResult<SearchAnswer>> {
  const query = `{ Image(image: ${JSON.stringify(`${repo}:${tag}`)}) { Digest MediaType } }`
  const res = await client.request({
    method: 'POST',
    path: '/v2/_zot/ext/search',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query }),
    signal,
  })
  if (res.status === 404 || res.status === 405) return answered({ kind: 'unavailable' }, res)
  if (res.status !== 200) return refused(res)
  try {
    const json = JSON.parse(res.body.toString('utf8')) as {
      data?: { Image?: { Digest?: string | null; MediaType?: string | null } | null }
    }
    const digest = json.data?.Image?.Digest
    if (!digest) return answered({ kind: 'not-found' }, res)
    return answered({ kind: 'found', digest, mediaType: json.data?.Image?.MediaType ?? undefined }, res)
  } catch {
    return answered({ kind: 'not-found' }, res)
  }
}

/** A descriptor in a referrers answer (an OCI image index). */
export interface ReferrerDescriptor {
  digest: string
  mediaType?: string
  artifactType?: string
  annotations: Record<string, string>
}

/**
 * `GET /v2/<repo>/referrers/<digest>`. On a sync cache this makes Zot copy the subject's referrers from
 * upstream before it answers from storage, on every call: never a free read.
 */
export async function getReferrers(
  client: ZotClient,
  repo: string,
  digest: string,
  signal?: AbortSignal,
): Promise<RegistryResult<ReferrerDescriptor[]>> {
  const res = await client.request({
    method: 'GET',
    path: `/v2/${repoPath(repo)}/referrers/${digest}`,
    headers: { accept: 'application/vnd.oci.image.index.v1+json' },
    signal,
    sync: true,
    timeoutMs: 0,
  })
  if (res.status !== 200) return refused(res)
  let json: { manifests?: unknown }
  try {
    json = JSON.parse(res.body.toString('utf8'))
  } catch {
    return { ok: false, refusal: { status: res.status, message: 'not JSON' }, attempts: res.attempts }
  }
  const referrers: ReferrerDescriptor[] = []
  for (const m of Array.isArray(json.manifests) ? json.manifests : []) {
    const d = m as { digest?: unknown; mediaType?: unknown; artifactType?: unknown; annotations?: unknown }
    if (typeof d?.digest !== 'string') continue
    const annotations: Record<string, string> = {}
    if (d.annotations && typeof d.annotations === 'object')
      for (const [k, v] of Object.entries(d.annotations)) if (typeof v === 'string') annotations[k] = v
    const entry: ReferrerDescriptor = { digest: d.digest, annotations }
    if (typeof d.mediaType === 'string') entry.mediaType = d.mediaType
    if (typeof d.artifactType === 'string' && d.artifactType) entry.artifactType = d.artifactType
    referrers.push(entry)
  }
  return answered(referrers, res)
}
