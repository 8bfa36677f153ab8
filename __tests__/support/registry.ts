// Minimal OCI distribution client for test code: push helpers (images.ts) and assertions on what a registry
// answers. Deliberately independent of src/warm/client.ts so tests do not verify the client with itself.
import { Agent, type Dispatcher, request } from 'undici'

export interface RegistryAccess {
  url: string
  username?: string
  password?: string
  /** PEM CA that signed the registry's certificate. */
  ca?: string
}

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  inToto: 'application/vnd.in-toto+json',
} as const

/** Accept header naming every manifest type, so a registry never has to convert or refuse. */
export const ACCEPT_ALL_MANIFESTS = [
  MEDIA.ociIndex,
  MEDIA.ociManifest,
  MEDIA.dockerList,
  MEDIA.dockerManifest,
].join(', ')

/** An undici Agent trusting the registry's CA; close it when done. */
export function registryAgent(registry: RegistryAccess): Agent {
  return new Agent({ connect: { ca: registry.ca, timeout: 10_000 }, headersTimeout: 0, bodyTimeout: 0 })
}

export function authHeader(registry: RegistryAccess): Record<string, string> {
  if (registry.username === undefined) return {}
  const token = Buffer.from(`${registry.username}:${registry.password ?? ''}`).toString('base64')
  return { authorization: `Basic ${token}` }
}

export interface RegistryResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** One request to `registry.url + path` with the registry's credentials; never throws on HTTP status. */
export async function registryRequest(
  registry: RegistryAccess,
  method: Dispatcher.HttpMethod,
  path: string,
  opts: { headers?: Record<string, string>; body?: Buffer | string; dispatcher?: Dispatcher } = {},
): Promise<RegistryResponse> {
  const own = opts.dispatcher ? undefined : registryAgent(registry)
  try {
    const res = await request(new URL(path, registry.url), {
      method,
      headers: { ...authHeader(registry), ...opts.headers },
      body: opts.body,
      dispatcher: opts.dispatcher ?? own,
    })
    const body = Buffer.from(await res.body.arrayBuffer())
    return { status: res.statusCode, headers: res.headers, body }
  } finally {
    await own?.close()
  }
}

function header(res: RegistryResponse, name: string): string | undefined {
  const v = res.headers[name]
  return Array.isArray(v) ? v[0] : v
}

export interface ManifestAnswer {
  status: number
  digest?: string
  mediaType?: string
  body: Buffer
  /** Parsed body when it is JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: manifests are free-form JSON in assertions.
  json?: any
}

/** GET (or HEAD) `/v2/<repo>/manifests/<reference>` accepting every manifest type. */
export async function getManifest(
  registry: RegistryAccess,
  repo: string,
  reference: string,
  opts: { method?: 'GET' | 'HEAD'; dispatcher?: Dispatcher } = {},
): Promise<ManifestAnswer> {
  const res = await registryRequest(registry, opts.method ?? 'GET', `/v2/${repo}/manifests/${reference}`, {
    headers: { accept: ACCEPT_ALL_MANIFESTS },
    dispatcher: opts.dispatcher,
  })
  const answer: ManifestAnswer = {
    status: res.status,
    digest: header(res, 'docker-content-digest'),
    mediaType: header(res, 'content-type'),
    body: res.body,
  }
  try {
    if (res.body.length) answer.json = JSON.parse(res.body.toString('utf8'))
  } catch {}
  return answer
}

/** `GET /v2/<repo>/tags/list`: the tags, or undefined when the registry answers anything but 200. */
export async function listTags(
  registry: RegistryAccess,
  repo: string,
  dispatcher?: Dispatcher,
): Promise<{ status: number; tags: string[] | undefined }> {
  const res = await registryRequest(registry, 'GET', `/v2/${repo}/tags/list`, { dispatcher })
  if (res.status !== 200) return { status: res.status, tags: undefined }
  const json = JSON.parse(res.body.toString('utf8')) as { tags?: string[] | null }
  return { status: res.status, tags: json.tags ?? [] }
}
