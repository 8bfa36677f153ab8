// A loopback HTTP proxy in front of an upstream Zot that holds chosen requests back for a while: makes a cache's
// sync "long" on demand, so writeTimeout hang-ups and "still syncing" paths are reproducible without big images.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, type Dispatcher, request } from 'undici'
import { forwardableHeaders, serveLoopback } from './loopback-proxy.js'

export interface DelayProxy {
  url: string
  host: string
  /** Requests received so far. */
  requests: number
  /** Requests delayed so far. */
  delayed: number
  /** Change what is delayed: `match` is tested against `METHOD /path?query`; delayMs 0 turns delays off. */
  setDelay(delayMs: number, match?: RegExp): void
  stop(): Promise<void>
}

/** Starts a proxy on 127.0.0.1 forwarding to `target` (http only); by default delays blob GETs. */
export async function startDelayProxy(
  target: string,
  opts: { delayMs: number; match?: RegExp } = { delayMs: 0 },
): Promise<DelayProxy> {
  let delayMs = opts.delayMs
  let match = opts.match ?? /^GET \/v2\/.+\/blobs\//
  const agent = new Agent({ headersTimeout: 0, bodyTimeout: 0 })

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    proxy.requests++
    if (delayMs > 0 && match.test(`${req.method} ${req.url}`)) {
      proxy.delayed++
      await sleep(delayMs)
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
    const upstream = await request(new URL(req.url ?? '/', target), {
      method: req.method as Dispatcher.HttpMethod,
      headers: forwardableHeaders(req.headers),
      body: hasBody ? req : undefined,
      dispatcher: agent,
    })
    const headers = forwardableHeaders(upstream.headers as IncomingMessage['headers'])
    res.writeHead(upstream.statusCode, headers)
    await pipeline(upstream.body, res)
  }

  const { port, close } = await serveLoopback(handle)

  const proxy: DelayProxy = {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests: 0,
    delayed: 0,
    setDelay(ms, re) {
      delayMs = ms
      if (re) match = re
    },
    async stop() {
      await close()
      await agent.close()
    },
  }
  return proxy
}
