// One GET /v2/ before any image is touched: a Zot that cannot be used at all is one precise hard failure,
// not a hundred identical per-image errors.
import { HardFailure } from '../errors.js'
import type { ZotInfo } from '../model.js'
import type { ZotClient, ZotResponse } from './client.js'
import { authAdvice, authFailure, transportAdvice } from './diagnose.js'
import { ZotRequestError } from './errors.js'
import { parseJson, record } from './json.js'

export async function preflight(client: ZotClient, signal?: AbortSignal): Promise<ZotInfo> {
  let res: ZotResponse
  try {
    res = await client.request({
      method: 'GET',
      path: '/v2/',
      signal,
      headers: { accept: 'application/json' },
    })
  } catch (err) {
    if (err instanceof ZotRequestError) {
      throw new HardFailure(err.message, transportAdvice(err, client))
    }
    throw err
  }
  const body = res.body.toString('utf8')
  if (res.status === 401) throw new HardFailure(authFailure(client), authAdvice(client))
  if (res.status === 403)
    throw new HardFailure(
      `Zot at ${client.url} refused access (403)${client.username ? ` to ${client.username}` : ''}`,
    )
  if (res.status === 400 && /HTTP request to an HTTPS server/i.test(body))
    throw new HardFailure(`Zot at ${client.url} expects HTTPS`, 'Use an https:// URL in zot-url.')
  if (res.status !== 200) {
    const what =
      res.status === 404
        ? `${client.url} does not serve the registry API (GET /v2/ answered 404)`
        : `Zot at ${client.url} answered ${res.status} to GET /v2/`
    throw new HardFailure(what, 'Check zot-url: it must be the base URL of the Zot registry.')
  }
  const info: ZotInfo = { url: client.url, auth: client.authScheme ?? 'none' }
  await readManagementInfo(client, info, signal)
  return info
}

/**
 * Version and extensions for the report, when the mgmt and discover endpoints exist. Best effort: these are
 * optional Zot extensions and their absence is normal.
 */
async function readManagementInfo(client: ZotClient, info: ZotInfo, signal?: AbortSignal): Promise<void> {
  // Both at once: neither needs the other's answer, and each is a round trip before any image starts.
  const [mgmt, discover] = await Promise.all(
    ['/v2/_zot/ext/mgmt', '/v2/_oci/ext/discover'].map((path) =>
      client.request({ method: 'GET', path, signal }).catch(() => undefined),
    ),
  )
  try {
    const json = mgmt?.status === 200 ? record(parseJson(mgmt.body)) : undefined
    if (json) {
      if (isShortText(json.releaseTag)) info.version = json.releaseTag
      const auth = Object.keys(record(record(json.http)?.auth) ?? {}).filter((k) => k !== 'failDelay')
      if (auth.length && info.auth === 'none') info.auth = auth.filter(isShortText).join(',')
      const built = (typeof json.binaryType === 'string' ? json.binaryType : '')
        .split('-')
        .filter(isShortText)
      if (built.length) info.extensions = built
    }
    const found = discover?.status === 200 ? record(parseJson(discover.body))?.extensions : undefined
    if (Array.isArray(found)) {
      const endpoints = found.flatMap((e) => {
        const list = record(e)?.endpoints
        return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []
      })
      const names = endpoints.map((e) => e.replace(/^.*\//, '')).filter(isShortText)
      info.extensions = [...new Set([...(info.extensions ?? []), ...names])]
    }
  } catch {
    // Informational only.
  }
}

/**
 * A version or extension name as Zot reports it: a short, non-empty string. Kept as the server's text (the
 * report records it as sent; what prints it neutralises control characters); anything else is ignored.
 */
function isShortText(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 128
}
