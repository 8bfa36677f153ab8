// A loopback HTTP(S) server that records the headers of every request (where credentials went on a
// redirect, what a client sent).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'

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
