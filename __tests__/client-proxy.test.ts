// HTTP(S)_PROXY / NO_PROXY: the client tunnels through a proxy when one is configured and goes direct for
// hosts in NO_PROXY. Everything runs on loopback: a tiny CONNECT proxy and a registry stand-in.
import { createServer, type Server } from 'node:http'
import { connect, type Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { ZotClient } from '../src/warm/client.js'
import { type RecordingServer, startRecordingServer } from './support/recording-server.js'

let registry: RecordingServer
let proxy: Server
let proxyUrl: string
const tunnels: string[] = []
const sockets = new Set<Socket>()
const saved = { ...process.env }

beforeAll(async () => {
  registry = await startRecordingServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  const target = new URL(registry.url)
  proxy = createServer((_req, res) => res.writeHead(405).end())
  // Every tunnel ends at the registry stand-in, whatever host was asked for.
  proxy.on('connect', (req, client: Socket) => {
    tunnels.push(req.url ?? '')
    const upstream = connect(Number(target.port), target.hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.pipe(client)
      client.pipe(upstream)
    })
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {})
    }
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`
})

afterEach(() => {
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise((resolve) => proxy.close(resolve))
  await registry.stop()
})

test('HTTP_PROXY: requests tunnel through the proxy', async () => {
  delete process.env.NO_PROXY
  delete process.env.no_proxy
  process.env.HTTP_PROXY = proxyUrl
  const client = new ZotClient({ url: 'http://zot.internal.example:5000' })
  try {
    const res = await client.request({ method: 'GET', path: '/v2/' })
    expect(res.status).toBe(200)
  } finally {
    await client.close()
  }
  expect(tunnels).toContain('zot.internal.example:5000')
  expect(registry.requests.at(-1)?.headers.host).toBe('zot.internal.example:5000')
})

test('NO_PROXY: listed hosts go direct', async () => {
  process.env.HTTP_PROXY = proxyUrl
  process.env.NO_PROXY = 'localhost,127.0.0.1'
  const before = tunnels.length
  const client = new ZotClient({ url: registry.url })
  try {
    expect((await client.request({ method: 'GET', path: '/v2/' })).status).toBe(200)
  } finally {
    await client.close()
  }
  expect(tunnels.length).toBe(before)
})
