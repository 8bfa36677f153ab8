// Defence in depth: secrets are masked by the runner, but the report, the outputs and the CLI's
// terminal are not; every text that leaves the process passes through here.

/**
 * Shorter values would turn ordinary words into `***` everywhere; the runner still masks them in the log,
 * and no message of ours contains a secret by construction.
 */
export const MIN_REDACT_LENGTH = 4

/** Replace every secret in `text` by `***`, longest first (one secret may contain another). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const s of [...secrets].sort((a, b) => b.length - a.length))
    if (s.length >= MIN_REDACT_LENGTH) out = out.split(s).join('***')
  return out
}

/** Deep copy of a JSON-like value with every string redacted. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value
  if (typeof value === 'string') return redact(value, secrets) as T
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, secrets)
    return out as T
  }
  return value
}

/**
 * The credentials written into a URL (`scheme://user:password@host`), found in the text itself because the
 * URL may not parse: everything between `://` (or the start) and the last `@`. `shown` is the URL with them
 * masked (`user:***@`, or `***@` for a bare user part, which may be a token); `password` is what
 * follows the user name's `:`.
 */
export function urlCredentials(text: string): { password?: string; shown: string } | undefined {
  const at = text.lastIndexOf('@')
  if (at === -1) return undefined
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? ''
  if (at < scheme.length) return undefined
  const info = text.slice(scheme.length, at)
  const colon = info.indexOf(':')
  if (colon === -1) return { shown: `${scheme}***${text.slice(at)}` }
  return { password: info.slice(colon + 1), shown: `${scheme}${info.slice(0, colon)}:***${text.slice(at)}` }
}

/** `%40` → `@`; the text as is when it is not valid percent-encoding. */
export function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
