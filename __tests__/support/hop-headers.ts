// Headers a loopback proxy in the tests (delay-proxy, fault-relay) may pass on: everything but hop-by-hop ones.
import type { IncomingMessage } from 'node:http'

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'host',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
])

export function forwardableHeaders(h: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v
  return out
}
