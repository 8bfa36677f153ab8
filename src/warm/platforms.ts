// Platforms as `os/arch[/variant]`, with the aliases containerd normalises (so `linux/arm64` and
// `linux/arm64/v8` are the same platform, and `linux/x86_64` is `linux/amd64`).

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

const ARCH_ALIASES: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
  i386: { architecture: '386' },
}

/** Normalise aliases: arm64's default variant v8 is dropped, so equal platforms compare equal as strings. */
export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase()
  let architecture = p.architecture.toLowerCase()
  let variant = p.variant?.toLowerCase() || undefined
  const alias = ARCH_ALIASES[architecture]
  if (alias) {
    architecture = alias.architecture
    variant = variant ?? alias.variant
  }
  if (architecture === 'arm64' && (variant === 'v8' || variant === '8')) variant = undefined
  if (architecture === 'arm' && variant && /^\d+$/.test(variant)) variant = `v${variant}`
  return variant ? { os, architecture, variant } : { os, architecture }
}

/** `linux/arm/v7` → Platform; undefined when it is not os/arch[/variant]. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.trim().split('/')
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p)))
    return undefined
  const [os, architecture, variant] = parts as [string, string, string | undefined]
  return normalizePlatform({ os, architecture, variant })
}

export function formatPlatform(p: Platform): string {
  const n = normalizePlatform(p)
  return n.variant ? `${n.os}/${n.architecture}/${n.variant}` : `${n.os}/${n.architecture}`
}

/**
 * Does an image platform satisfy a required one? A requirement without variant accepts any variant of the
 * architecture (`linux/arm` takes `linux/arm/v7`); with a variant it must match.
 */
export function platformMatches(required: Platform, actual: Platform): boolean {
  const r = normalizePlatform(required)
  const a = normalizePlatform(actual)
  if (r.os !== a.os || r.architecture !== a.architecture) return false
  return r.variant === undefined || r.variant === a.variant
}
