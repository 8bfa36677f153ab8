// A loopback TCP proxy that delays every chunk by a fixed time in each direction: an upstream registry
// "across a WAN" for the cold curve. On loopback a sync costs only CPU; against a real upstream each of
// the ~14 requests of one image sync also waits a round trip, which is what concurrency can hide.
// Bandwidth is not limited; order is kept (same delay for every chunk of a direction). The delay can be changed
// between runs (setDelay), so one cache can be measured on loopback and "across a WAN" alike.
import { connect, createServer } from 'node:net'

/**
 * @param {string} targetUrl e.g. http://127.0.0.1:5000
 * @param {number} oneWayMs delay per direction (round trip = 2 × oneWayMs)
 * @returns {Promise<{ url: string, stats: () => { connections: number, maxOpen: number },
 *   setDelay: (oneWayMs: number) => void, close: () => Promise<void> }>}
 */
export async function startDelayProxy(targetUrl, oneWayMs) {
  const target = new URL(targetUrl)
  const sockets = new Set()
  let open = 0
  let maxOpen = 0
  let connections = 0
  const server = createServer((client) => {
    connections++
    maxOpen = Math.max(maxOpen, ++open)
    client.once('close', () => open--)
    const upstream = connect(Number(target.port), target.hostname)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    const pipe = (from, to) => {
      const send = (fn) => (oneWayMs > 0 ? setTimeout(fn, oneWayMs) : fn())
      from.on('data', (chunk) => send(() => to.writable && to.write(chunk)))
      from.on('end', () => send(() => to.writable && to.end()))
    }
    pipe(client, upstream)
    pipe(upstream, client)
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    /** Connections accepted so far and the most open at once (how many requests the cache had in flight). */
    stats: () => ({ connections, maxOpen }),
    /** Takes effect for chunks sent from now on; 0 forwards at once (loopback). */
    setDelay: (ms) => {
      oneWayMs = ms
    },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
