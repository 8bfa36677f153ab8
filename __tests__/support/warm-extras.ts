// Extras for the warm engine's integration tests: image references without the extractor, and a loopback
// HTTP server that records request headers (for redirect tests).
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatReference } from '../../src/extract/reference.js'
import type { FoundImage, ImageReference } from '../../src/model.js'
import { issuePki } from './tls.js'

/** A valid FoundImage for `host` + `path` (+ tag / digest), found at `<images input>` line `line`. */
export function found(
  domain: string,
  path: string,
  opts: { tag?: string; digest?: string; line?: number } = {},
): FoundImage {
  const reference: ImageReference = { domain, path }
  if (opts.tag) reference.tag = opts.tag
  if (opts.digest) reference.digest = opts.digest
  if (!opts.tag && !opts.digest) reference.tag = 'latest'
  const key = formatReference(reference)
  return {
    key,
    raw: key,
    status: 'ok',
    reference,
    sources: [{ file: '<images input>', line: opts.line ?? 1, column: 1 }],
  }
}

export interface RecordingServer {
  url: string
  /** Every request: method, path and headers (lower-cased names). */
  requests: { method: string; path: string; headers: IncomingMessage['headers'] }[]
  stop(): Promise<void>
}

/**
 * A loopback HTTP server that records each request and answers with `handler`; HTTPS with `tls` (a
 * certificate for 127.0.0.1, e.g. testPki()'s).
 */
export async function startRecordingServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  opts: { tls?: { cert: string; key: string } } = {},
): Promise<RecordingServer> {
  const requests: RecordingServer['requests'] = []
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers })
    handler(req, res)
  }
  const server = opts.tls ? createTlsServer(opts.tls, onRequest) : createServer(onRequest)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export interface ClientPki {
  /** CA that signs client certificates (Zot's `http.tls.cacert`), as a file and PEM. */
  caFile: string
  caPem: string
  certPem: string
  keyPem: string
  /** Removes the files. */
  cleanup(): void
}

/** A client CA and one client certificate (clientAuth), made with the openssl CLI, for mutual TLS tests. */
export async function clientPki(): Promise<ClientPki> {
  const dir = mkdtempSync(join(tmpdir(), 'zot-warm-mtls-'))
  const pki = await issuePki(dir, {
    caName: 'zot-warm client CA',
    leafName: 'zot-warm client',
    leafExt: 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n',
  })
  return { caFile: join(dir, 'ca.crt'), ...pki, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
