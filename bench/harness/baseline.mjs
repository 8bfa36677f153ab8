// The seed warmers' algorithm, re-implemented here as the yardstick: one image at a time, HEAD the tag
// through the cache, GET it when missing, then GET each child of an index by digest. undici with
// keep-alive, so the baseline is not handicapped by connection set-up — only by its algorithm.
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { Agent, request } from 'undici'

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ')

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
])

/**
 * @param {string} zotUrl e.g. http://127.0.0.1:5000
 * @param {{ repository: string, tag: string }[]} images repository inside Zot and tag
 * @returns {Promise<{ requests: number, headOk: number, fetched: number, failed: string[] }>}
 */
export async function seedWarm(zotUrl, images) {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 1 })
  const stats = { requests: 0, headOk: 0, fetched: 0, failed: /** @type {string[]} */ ([]) }
  const call = async (method, path) => {
    stats.requests++
    const res = await request(`${zotUrl}${path}`, {
      method,
      headers: { accept: MANIFEST_ACCEPT },
      dispatcher,
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
    })
    let body = ''
    if (method === 'GET' && res.statusCode === 200) body = await res.body.text()
    else await res.body.dump()
    const type = String(res.headers['content-type'] ?? '').split(';')[0]
    return { status: res.statusCode, type, body }
  }
  try {
    for (const { repository, tag } of images) {
      const head = await call('HEAD', `/v2/${repository}/manifests/${tag}`)
      if (head.status === 200) {
        stats.headOk++
        continue
      }
      const got = await call('GET', `/v2/${repository}/manifests/${tag}`)
      if (got.status !== 200) {
        stats.failed.push(`${repository}:${tag} → ${got.status}`)
        continue
      }
      let ok = true
      if (INDEX_TYPES.has(got.type)) {
        for (const child of JSON.parse(got.body).manifests ?? []) {
          const res = await call('GET', `/v2/${repository}/manifests/${child.digest}`)
          if (res.status !== 200) {
            ok = false
            stats.failed.push(`${repository}@${child.digest} → ${res.status}`)
          }
        }
      }
      if (ok) stats.fetched++
    }
  } finally {
    await dispatcher.close()
  }
  return stats
}

/**
 * The cheapest possible presence check, in-process: one local `GET /v2/<repo>/tags/list` per repository
 * (Zot answers it from its own storage, never from upstream), `concurrency` at a time.
 * @param {string} zotUrl
 * @param {string[]} repositories
 * @param {number} concurrency
 * @returns {Promise<{ requests: number, present: number }>}
 */
export async function presenceLoop(zotUrl, repositories, concurrency) {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: concurrency })
  let next = 0
  let present = 0
  const worker = async () => {
    while (next < repositories.length) {
      const repo = repositories[next++]
      const res = await request(`${zotUrl}/v2/${repo}/tags/list`, { dispatcher })
      const body = await res.body.text()
      if (res.statusCode === 200 && (JSON.parse(body).tags ?? []).length > 0) present++
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, worker))
  } finally {
    await dispatcher.close()
  }
  return { requests: repositories.length, present }
}

// As a script, so it can be timed like the CLI — a whole `node` process, start-up included:
//   node bench/harness/baseline.mjs seed ZOT_URL IMAGES.json            (IMAGES.json: [{ repository, tag }])
//   node bench/harness/baseline.mjs presence ZOT_URL IMAGES.json CONCURRENCY
// Prints the stats as JSON on stdout.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode, url, file, concurrency] = process.argv.slice(2)
  const images = JSON.parse(readFileSync(file, 'utf8'))
  const stats =
    mode === 'presence'
      ? await presenceLoop(
          url,
          images.map((i) => i.repository),
          Number(concurrency ?? 1),
        )
      : await seedWarm(url, images)
  process.stdout.write(`${JSON.stringify(stats)}\n`)
}
