// The one retry policy: which answers are worth another try and how long to wait before it.
import { setTimeout as delay } from 'node:timers/promises'
import type { RetryOptions } from './options.js'

/** Rate limited, or a gateway/Zot that is briefly unavailable. Every other 4xx/5xx is an answer. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504])

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined when absent or
 * unparseable, so the caller falls back to its backoff.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so retries spread out but
 * never collapse to zero. `retry` is 0 for the wait before the second try.
 */
export function backoffDelay(
  retry: number,
  opts: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
) {
  const step = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** retry)
  const random = opts.random ?? Math.random
  return Math.round(step / 2 + (step / 2) * random())
}

/** The wait before retry number `retry` (0-based) after an answer with `status` and `retryAfter` header. */
export function retryDelay(
  retry: number,
  retryAfter: string | undefined,
  opts: Pick<RetryOptions, 'maxRetryAfterMs' | 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const asked = parseRetryAfter(retryAfter)
  if (asked !== undefined) return Math.min(asked, opts.maxRetryAfterMs)
  return backoffDelay(retry, opts)
}

/** Sleep that ends early (rejecting) when the signal aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) {
    signal?.throwIfAborted()
    return
  }
  await delay(ms, undefined, { signal })
}
