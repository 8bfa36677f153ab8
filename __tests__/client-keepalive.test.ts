// Connections: HEAD requests to Zot keep theirs (undici closes the connection after every HEAD unless told
// otherwise, which would cost a run one new connection, and over HTTPS one handshake, per HEAD). A host Zot
// redirects to is not Zot and keeps undici's default. Loopback servers stand in for Zot and for that host.
import type { Socket } from 'node:net'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type RequestSpec, ZotClient } from '../src/warm/client.js'
import { type RecordingServer, startRecordingServer } from './support/recording-server.js'

let zot: RecordingServer
let other: RecordingServer
/** Connections to Zot's stand-in, and how many of them were closed so far. */
const zotSockets = new Set<Socket>()
let zotClosed = 0

beforeAll(async () => {
  other = await startRecordingServer((_req, res) => {
    res.writeHead(200, { 'content-length': '2' }).end()
  })
  zot = await startRecordingServer((req, res) => {
    if (!zotSockets.has(req.socket)) {
      zotSockets.add(req.socket)
      req.socket.on('close', () => zotClosed++)
    }
    if (req.url?.startsWith('/v2/r/blobs/redirected'))
      return res.writeHead(307, { location: `${other.url}/blob` }).end()
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' })
    res.end(req.method === 'HEAD' ? undefined : '{}')
  })
})

afterAll(async () => {
  await zot.stop()
  await other.stop()
})

test('HEAD requests to Zot keep their connection open, like its GETs', async () => {
  const sent: RequestSpec[] = [{ method: 'GET', path: '/v2/' }]
  for (const d of 'abcdef') sent.push({ method: 'HEAD', path: `/v2/r/manifests/sha256:${d}` })
  sent.push({ method: 'GET', path: '/v2/r/tags/list' })
  const client = new ZotClient({ url: zot.url })
  let closedWhileInUse: number
  try {
    const statuses = []
    for (const spec of sent) statuses.push((await client.request(spec)).status)
    expect(statuses).toEqual(sent.map(() => 200))
    // The last answer's socket has had a turn of the event loop to report a close.
    await new Promise((resolve) => setImmediate(resolve))
    closedWhileInUse = zotClosed
  } finally {
    await client.close()
  }
  const heads = zot.requests.filter((r) => r.method === 'HEAD')
  expect(heads).toHaveLength(6)
  expect(heads.map((r) => r.headers.connection)).toEqual(heads.map(() => 'keep-alive'))
  expect(closedWhileInUse).toBe(0)
  // Without keep-alive each HEAD would have had a connection of its own.
  expect(zotSockets.size).toBeLessThan(sent.length)
})

test('a HEAD redirected to another host keeps undici default there (connection closed after it)', async () => {
  const client = new ZotClient({ url: zot.url })
  try {
    const res = await client.request({ method: 'HEAD', path: '/v2/r/blobs/redirected' })
    expect(res.status).toBe(200)
    expect(res.answeredBy).toBe(other.url)
  } finally {
    await client.close()
  }
  expect(other.requests.map((r) => [r.method, r.headers.connection])).toEqual([['HEAD', 'close']])
})
