// Typed options of the Zot client and the warming engine, and their defaults. Parsing user-facing inputs into
// these objects is src/inputs' job; everything here is already validated data.
import type { Dispatcher } from 'undici'
import type { ZotRequestError } from './errors.js'

/** The `referrers` input. */
export type ReferrersPolicy = 'warm' | 'require-signed' | 'off'

export const REFERRERS_POLICIES: readonly ReferrersPolicy[] = ['warm', 'require-signed', 'off']

/** Defaults the inputs parser, the CLI help and the engine share. */
export const DEFAULTS = {
  /** Images warmed at the same time. Each one can keep a Zot sync busy, and caches are often small. */
  concurrency: 4,
  /** Per image: syncing a multi-GB image through a slow upstream takes minutes. */
  imageTimeoutMs: 15 * 60_000,
  /** Whole run; 0 = no limit (the CI job has its own). */
  overallTimeoutMs: 0,
  retry: {
    /** Total tries of one request (first try included). */
    attempts: 5,
    baseDelayMs: 500,
    maxDelayMs: 15_000,
    /** A longer Retry-After is shortened to this; the retry budget stays bounded. */
    maxRetryAfterMs: 60_000,
    /**
     * All the time one request that cannot make Zot sync may take, tries and waits included; a wait that
     * would end past it is not started. (Sync requests are bounded by the image timeout.)
     */
    requestBudgetMs: 60_000,
  },
  /** Polling for an image whose sync outlived Zot's writeTimeout. */
  poll: { initialDelayMs: 1_000, maxDelayMs: 15_000 },
  /** Limit per try of requests that never make Zot contact upstream (tags/list, HEAD by digest, search). */
  localRequestTimeoutMs: 30_000,
  /** Manifests are small (OCI recommends ≤ 4 MiB); anything bigger is not a manifest. Also the page limit. */
  maxManifestBytes: 8 * 1024 * 1024,
  /** One repository's tag list, all pages together: about a million tags of 30 characters. */
  maxTagListBytes: 32 * 1024 * 1024,
  maxTagListPages: 1000,
  maxRedirects: 5,
} as const

export interface RetryOptions {
  /** Total tries of one request, first try included (1 = no retry). */
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
  maxRetryAfterMs: number
  requestBudgetMs: number
  /** Test hook: replaces the timer (gets the delay it would wait). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Test hook: replaces Math.random for the jitter. */
  random?: () => number
}

/**
 * A failed try of a retryable cause: the client waits `delayMs` and tries again, or (`stop`) gives up:
 * its tries are used up, the wait would pass the request's time budget, or an earlier request of the run
 * already used up its retries on the same cause.
 */
export interface RetryEvent {
  /** `GET /v2/…`. */
  request: string
  /** The try that failed (1-based), and the most tries a request makes. */
  attempt: number
  attempts: number
  /** Zot's answer (429, 503 …), or the transport failure. */
  status?: number
  error?: ZotRequestError
  delayMs: number
  stop?: 'attempts' | 'bound' | 'repeated'
}

/** How the client talks to Zot, apart from where and as whom: what the pipeline and tests may tune. */
export interface ClientSettings {
  retry?: Partial<RetryOptions>
  /** Limit per try of requests that cannot make Zot sync; default DEFAULTS.localRequestTimeoutMs. */
  requestTimeoutMs?: number
  /** Called for every failed try of a retryable cause (the pipeline logs each wait). */
  onRetry?: (e: RetryEvent) => void
  /** Dispatcher to use instead of building one (tests: undici MockAgent). The client does not close it. */
  dispatcher?: Dispatcher
  /** Connection keep-alive; default undici's. */
  keepAliveTimeoutMs?: number
}

export interface ZotClientOptions extends ClientSettings {
  /** Base URL of Zot, http:// or https://, without credentials. */
  url: string
  /** Basic auth user (with an API key: the key's owner). */
  username?: string
  /** Password or Zot API key (`zak_…`). */
  password?: string
  /** Static bearer token, instead of username/password. */
  token?: string
  /** PEM CA certificate(s) to trust for Zot (replaces the system store for this connection). */
  ca?: string
  /** PEM client certificate and key for mutual TLS. */
  cert?: string
  key?: string
  /** Do not verify Zot's certificate. */
  insecureSkipVerify?: boolean
  userAgent?: string
}

export type WarmMode = 'warm' | 'check'

export type ProgressEvent =
  | { type: 'start'; index: number; total: number; reference: string; zotReference: string }
  | {
      type: 'finish'
      index: number
      total: number
      reference: string
      status: string
      durationMs: number
      /** Images finished so far, this one included. */
      done: number
    }

export interface WarmOptions {
  /** `warm` makes Zot sync what is missing; `check` never triggers a sync. */
  mode: WarmMode
  /** `os/arch[/variant]` that must be present; undefined = every platform the image offers. */
  platforms?: string[]
  /** Re-fetch mutable tags (no digest pin) through Zot even when cached. Spends upstream quota. */
  refresh: boolean
  concurrency: number
  imageTimeoutMs: number
  /** Overall timeout or SIGINT/SIGTERM: stops scheduling; the rest is reported `not-attempted`. */
  signal?: AbortSignal
  onProgress?: (e: ProgressEvent) => void
  /** Polling after a closed connection (tests shorten it). */
  poll?: { initialDelayMs: number; maxDelayMs: number }
  /** Tags per batched search query; default BATCH_LIMITS.images (tests lower it to get several batches). */
  searchBatch?: number
  /**
   * Signatures, attestations and SBOMs: `warm` copies them with the images this run syncs and lists what the
   * cache holds; `require-signed` also fails images without a signature in the cache; `off` (the default
   * here; the `referrers` input defaults to `warm`) ignores them.
   */
  referrers?: ReferrersPolicy
}
