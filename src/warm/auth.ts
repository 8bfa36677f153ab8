// Registry authentication: WWW-Authenticate parsing and the bearer token cache (distribution token spec).

export interface Challenge {
  /** Lower-cased scheme: `basic`, `bearer`. */
  scheme: string
  params: Record<string, string>
}

/**
 * Parse a WWW-Authenticate header into challenges. Handles quoted values with commas and escapes, and
 * several challenges in one header (`Bearer realm="…",scope="…", Basic realm="…"`).
 */
export function parseChallenges(header: string | undefined): Challenge[] {
  if (!header) return []
  const out: Challenge[] = []
  let i = 0
  const s = header
  const skipSpace = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === ',')) i++
  }
  while (i < s.length) {
    skipSpace()
    const schemeMatch = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(s.slice(i))
    if (!schemeMatch) break
    const scheme = schemeMatch[0].toLowerCase()
    i += schemeMatch[0].length
    const params: Record<string, string> = {}
    // Parameters: name=value or name="quoted", separated by commas; a bare token starts the next challenge.
    for (;;) {
      const save = i
      skipSpace()
      const nameMatch = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*/.exec(s.slice(i))
      if (!nameMatch?.[1]) {
        i = save
        break
      }
      i += nameMatch[0].length
      let value = ''
      if (s[i] === '"') {
        i++
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++
          value += s[i]
          i++
        }
        i++
      } else {
        const m = /^[^,\s]*/.exec(s.slice(i))
        value = m?.[0] ?? ''
        i += value.length
      }
      params[nameMatch[1].toLowerCase()] = value
    }
    out.push({ scheme, params })
    // Skip anything unparseable up to the next comma so one odd challenge does not hide the others.
    if (i < s.length && !/[\s,]/.test(s[i] ?? '')) {
      const next = s.indexOf(',', i)
      i = next === -1 ? s.length : next
    }
  }
  return out
}

/** The `repository:<name>:pull` scope a registry request needs, derived from its path. */
export function scopeForPath(pathname: string): string | undefined {
  const m = /^\/v2\/(.+)\/(manifests|blobs|tags|referrers)\//.exec(pathname)
  return m?.[1] ? `repository:${m[1]}:pull` : undefined
}

interface CachedToken {
  token: string
  expiresAt: number
}

/** Tokens per (realm, service, scope). Expired entries are dropped on read. */
export class TokenCache {
  readonly #tokens = new Map<string, CachedToken>()

  static key(realm: string, service: string | undefined, scope: string | undefined): string {
    return `${realm}\n${service ?? ''}\n${scope ?? ''}`
  }

  get(key: string, now = Date.now()): string | undefined {
    const entry = this.#tokens.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= now) {
      this.#tokens.delete(key)
      return undefined
    }
    return entry.token
  }

  /** `expiresIn` seconds (spec default 60); renewed 10 s early so a token does not expire mid-request. */
  set(key: string, token: string, expiresIn = 60, now = Date.now()): void {
    const lifetime = Math.max(1, expiresIn - 10) * 1000
    this.#tokens.set(key, { token, expiresAt: now + lifetime })
  }

  delete(key: string): void {
    this.#tokens.delete(key)
  }

  get size(): number {
    return this.#tokens.size
  }
}
