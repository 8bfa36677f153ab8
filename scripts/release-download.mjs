// Downloads one release asset and installs it only when its sha256 is the expected one: the digest listed
// for it in the release's checksums file (`<hex> *<asset>` lines, as sha256sum writes them) and, when the
// repository pins one, that digest too. A digest that does not match, an HTTP error or a cut connection
// leaves nothing behind. Plain Node ESM (global fetch): .ci/run, the demo and the bench use it unbuilt.
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/** Raised for every failure; `message` is one sentence saying what went wrong. */
export class DownloadError extends Error {
  name = 'DownloadError'
}

/** The digest for `asset` in a checksums file, or undefined when the file does not list it. */
export function checksumFor(text, asset) {
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line)
    if (m && m[2] === asset) return m[1].toLowerCase()
  }
  return undefined
}

/**
 * Fetches `${baseUrl}/${asset}`, checks it and renames it to `dest` (mode 0755).
 * @param {{ baseUrl: string, asset: string, checksumsFile: string, pinned?: string, dest: string,
 *   timeoutMs?: number, log?: (line: string) => void }} opts
 * @returns {Promise<string>} the verified sha256
 */
export async function downloadVerified(opts) {
  const { baseUrl, asset, checksumsFile, dest } = opts
  const pinned = opts.pinned?.toLowerCase()
  const log = opts.log ?? (() => {})
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 10 * 60_000)
  const base = baseUrl.replace(/\/+$/, '')

  const listed = checksumFor(await fetchText(`${base}/${checksumsFile}`, signal), asset)
  if (!listed) throw new DownloadError(`${checksumsFile} of the release does not list ${asset}`)
  if (pinned && listed !== pinned)
    throw new DownloadError(
      `${checksumsFile} lists sha256 ${listed} for ${asset}, but the repository pins ${pinned}: not trusted`,
    )

  await mkdir(dirname(dest), { recursive: true })
  const tmp = await mkdtemp(join(dirname(dest), 'download-'))
  try {
    const part = join(tmp, asset)
    const url = `${base}/${asset}`
    const res = await request(url, signal)
    const hash = createHash('sha256')
    let bytes = 0
    try {
      await pipeline(
        Readable.fromWeb(res.body),
        async function* (chunks) {
          for await (const chunk of chunks) {
            hash.update(chunk)
            bytes += chunk.length
            yield chunk
          }
        },
        createWriteStream(part, { mode: 0o600 }),
      )
    } catch (err) {
      throw new DownloadError(`the download of ${url} broke off after ${bytes} bytes (${reason(err)})`)
    }
    const expected = Number(res.headers.get('content-length'))
    if (Number.isFinite(expected) && expected > 0 && bytes !== expected)
      throw new DownloadError(`the download of ${url} broke off after ${bytes} of ${expected} bytes`)
    const got = hash.digest('hex')
    if (got !== listed)
      throw new DownloadError(
        `${asset} has sha256 ${got}, but ${checksumsFile} lists ${listed}${pinned ? ' (the pinned digest too)' : ''}: not installed`,
      )
    await chmod(part, 0o755)
    await rename(part, dest)
    log(
      `verified sha256 ${got} of ${asset} against ${checksumsFile}${pinned ? ' and the digest pinned in the repository' : ' (no digest pinned in the repository yet)'}`,
    )
    return got
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

async function fetchText(url, signal) {
  const res = await request(url, signal)
  try {
    return await res.text()
  } catch (err) {
    throw new DownloadError(`reading ${url} failed (${reason(err)})`)
  }
}

async function request(url, signal) {
  let res
  try {
    res = await fetch(url, { signal, redirect: 'follow' })
  } catch (err) {
    throw new DownloadError(`${url} could not be reached (${reason(err)})`)
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel()
    throw new DownloadError(`${url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`)
  }
  return res
}

/** The innermost cause of a fetch failure, in a few words (`connect ECONNREFUSED 127.0.0.1:9`). */
function reason(err) {
  let e = err
  while (e?.cause) e = e.cause
  if (e?.name === 'TimeoutError' || err?.name === 'TimeoutError') return 'timed out'
  return e?.message || e?.code || String(e)
}
