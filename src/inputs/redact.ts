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
