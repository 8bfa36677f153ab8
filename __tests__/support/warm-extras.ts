// Extras for the warm engine's integration tests: image references without the extractor, and a loopback
// HTTP server that records request headers (for redirect tests).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { formatReference } from '../../src/extract/reference.js'
import type { FoundImage, ImageReference } from '../../src/model.js'

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

/** A loopback HTTP server that records each request and answers with `handler`. */
export async function startRecordingServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<RecordingServer> {
  const requests: RecordingServer['requests'] = []
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers })
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
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
  const { execFile } = await import('node:child_process')
  const { promisify } = await import('node:util')
  const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const run = promisify(execFile)
  const dir = mkdtempSync(join(tmpdir(), 'zot-warm-mtls-'))
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  const openssl = (args: string[]) => run('openssl', args, { cwd: dir })
  await openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=zot-warm client CA',
  ])
  await openssl(['req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=zot-warm client'])
  writeFileSync(join(dir, 'ext.cnf'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n')
  await openssl([
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'client.crt',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  ])
  const read = (name: string) => readFileSync(join(dir, name), 'utf8')
  return {
    caFile: join(dir, 'ca.crt'),
    caPem: read('ca.crt'),
    certPem: read('client.crt'),
    keyPem: read('client.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}
