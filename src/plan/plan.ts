// Where each upstream image lives inside Zot: its registry's prefix + its upstream path. This must agree with
// the `destination` of Zot's sync `content` entries, which Zot does not expose, so the user states it.
import type { FoundImage, Plan, PlannedImage, RegistryMapping } from '../model.js'
import { normalizeRegistryHost } from './registry-map.js'

export interface PlanOptions {
  /** `host[:port]` of Zot: references to images already in Zot keep their path unchanged. */
  zotHost?: string
  /** Another name nodes reach Zot under (`pull-host`): references naming it are Zot's too. */
  pullHost?: string
}

/**
 * Plan the valid images. No map (or an empty one) = flatten: every image keeps its upstream path. With a map, an
 * image whose registry is not in it goes to `unmapped`. Invalid and unresolved references are not planned.
 */
export function planImages(
  images: FoundImage[],
  map: RegistryMapping[] | undefined,
  opts: PlanOptions = {},
): Plan {
  const prefixes = map?.length
    ? new Map(map.map((m) => [normalizeRegistryHost(m.registry), m.prefix]))
    : undefined
  const zotHosts = new Set([opts.zotHost, opts.pullHost].flatMap((h) => (h ? [canonicalHost(h)] : [])))
  const planned: PlannedImage[] = []
  const unmapped: FoundImage[] = []
  for (const image of images) {
    const ref = image.reference
    if (image.status !== 'ok' || !ref) continue
    const domain = canonicalHost(ref.domain)
    let zotRepository: string
    if (zotHosts.has(domain)) {
      zotRepository = ref.path
    } else if (!prefixes) {
      zotRepository = ref.path
    } else {
      const prefix = prefixes.get(domain)
      if (prefix === undefined) {
        unmapped.push(image)
        continue
      }
      zotRepository = prefix ? `${prefix}/${ref.path}` : ref.path
    }
    planned.push({ reference: image.key, ref, zotRepository, sources: image.sources })
  }
  return { images: planned, unmapped }
}

/** Lower case, Docker Hub aliases folded, default ports dropped (`zot.example.com:443` = `zot.example.com`). */
function canonicalHost(host: string): string {
  return normalizeRegistryHost(host).replace(/:(443|80)$/, '')
}

/**
 * The image inside Zot: `docker-images/library/nginx:1.27`, `…@sha256:…`, `…:1.27@sha256:…`; a tag-only
 * image gets the digest it resolved to, when known.
 */
export function zotReference(img: PlannedImage, resolvedDigest?: string): string {
  const digest = img.ref.digest ?? (resolvedDigest || undefined)
  return `${img.zotRepository}${img.ref.tag ? `:${img.ref.tag}` : ''}${digest ? `@${digest}` : ''}`
}
