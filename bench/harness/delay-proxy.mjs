// A loopback TCP proxy that delays every chunk by a fixed time in each direction: an upstream registry
// "across a WAN" for the cold curve. On loopback a sync costs only CPU; against a real upstream each of
// the ~14 requests of one image sync also waits a round trip, which is what concurrency can hide.
// Bandwidth is not limited; order is kept (same delay for every chunk of a direction).
import { connect, createServer } from 'node:net'

/**
 * @param {string} targetUrl e.g. http://127.0.0.1:5000
 * @param {number} oneWayMs delay per direction (round trip = 2 × oneWayMs)
 * @returns {Promise<{ url: string, stats: () => { connections: number, maxOpen: number }, close: () => Promise<void> }>}
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
      from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), oneWayMs))
      from.on('end', () => setTimeout(() => to.writable && to.end(), oneWayMs))
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
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
