// The part of a run that talks to Zot: connect (pre-flight), warm or check the planned images, and read what
// `rewrite: digest` needs. The pipeline loads this module only when the run contacts Zot, so plan mode never
// loads the HTTP client or the engine.
import { HardFailure, withHint } from '../errors.js'
import type { Config } from '../inputs/config.js'
import { formatDuration } from '../inputs/duration.js'
import type { Logger } from '../logger.js'
import type { ImageResult, PlannedImage, ZotInfo } from '../model.js'
import { literal } from '../report/escape.js'
import type { RunResult } from '../report/types.js'
import type { StoredForms } from '../rewrite/index.js'
import { readStoredForms } from '../rewrite/stored.js'
import { plural } from '../words.js'
import { ZotClient } from './client.js'
import { retryLine } from './diagnose.js'
import { warmImages } from './engine.js'
import type { ClientSettings, ProgressEvent } from './options.js'
import { preflight } from './preflight.js'
import { keepWasmOnBaseline } from './wasm-tiering.js'

/** What the stage needs of the run's options (the pipeline's options extend these). */
export interface StageOptions {
  logger: Logger
  /** Aborted on SIGINT/SIGTERM or at the overall timeout; `reason` (a string) says why. */
  signal?: AbortSignal
  userAgent?: string
  /** A progress line at least this often while warming (default 5s). */
  progressIntervalMs?: number
  /** How the Zot client retries and times out (tests inject fast retries). */
  client?: ClientSettings
}

export interface ZotStage {
  zot?: ZotInfo
  hardFailure?: RunResult['hardFailure']
  warmed?: ImageResult[]
  stored?: StoredForms
}

export async function zotStage(
  config: Config,
  zotUrl: string,
  images: PlannedImage[],
  signal: AbortSignal,
  opts: StageOptions,
): Promise<ZotStage> {
  const { logger } = opts
  const out: ZotStage = {}
  // Before the first request, which compiles undici's HTTP parser.
  keepWasmOnBaseline()
  const client = new ZotClient({
    ...opts.client,
    // Every wait is said: a throttled or stalled Zot is never a silent pause.
    onRetry: (e) => logger.info(retryLine(e)),
    url: zotUrl,
    username: config.username,
    password: config.password,
    token: config.token,
    ca: config.ca,
    cert: config.cert,
    key: config.key,
    insecureSkipVerify: config.skipTlsVerify,
    userAgent: opts.userAgent,
  })
  // e.g. skip-tls-verify: said once, before anything is sent.
  for (const w of client.warnings) logger.warning(w)
  try {
    out.zot = await logger.group('Connect to Zot', async () => {
      try {
        const info = await preflight(client, signal)
        logger.info(
          // What Zot says about itself is its text, not ours: one line, shown as it is.
          `Zot at ${zotUrl}: version ${literal(info.version ?? 'unknown', 100)}, auth ${info.auth ?? 'unknown'}` +
            (info.extensions?.length ? `, extensions ${literal(info.extensions.join(', '), 300)}` : ''),
        )
        return info
      } catch (err) {
        // Cancelled while waiting for Zot: not Zot's fault; every image is reported not attempted.
        if (signal.aborted) return undefined
        if (!(err instanceof HardFailure)) throw err
        out.hardFailure = { message: err.message, ...(err.hint ? { hint: err.hint } : {}) }
        logger.warning(withHint(err.message, err.hint))
        return undefined
      }
    })
    if (!out.zot) delete out.zot
    if (!out.hardFailure && !signal.aborted && images.length) {
      const verb = config.mode === 'check' ? 'Check' : 'Warm'
      const warmed = await logger.group(`${verb} ${plural(images.length, 'image')}`, () =>
        warmWithProgress(images, client, config, signal, opts),
      )
      out.warmed = warmed
      if (config.rewrite?.mode === 'digest')
        out.stored = await readStoredForms(client, images, warmed, {
          concurrency: config.concurrency,
          check: config.mode === 'check',
          signal,
        })
    }
  } finally {
    await client.close()
  }
  return out
}

async function warmWithProgress(
  images: PlannedImage[],
  client: ZotClient,
  config: Config,
  signal: AbortSignal,
  opts: StageOptions,
): Promise<ImageResult[]> {
  const { logger } = opts
  const started = Date.now()
  const total = images.length
  const inFlight = new Set<string>()
  let done = 0
  let lastLine = Date.now()
  const say = (line: string) => {
    lastLine = Date.now()
    logger.progress(line)
  }
  const elapsed = () => formatDuration(Date.now() - started)
  const interval = opts.progressIntervalMs ?? 5000
  // A long sync sends no events: the heartbeat shows the run is alive and on which image it waits.
  const heartbeat = setInterval(
    () => {
      if (Date.now() - lastLine < interval) return
      const current = [...inFlight]
      const shown =
        current.slice(0, 3).join(', ') + (current.length > 3 ? ` and ${current.length - 3} more` : '')
      say(`[${done}/${total}] ${elapsed()} elapsed; in progress: ${shown || '(none)'}`)
    },
    Math.max(250, Math.floor(interval / 2)),
  )
  heartbeat.unref()
  try {
    return await warmImages(images, client, {
      mode: config.mode === 'check' ? 'check' : 'warm',
      ...(config.platforms ? { platforms: config.platforms } : {}),
      refresh: config.refresh,
      referrers: config.referrers,
      concurrency: config.concurrency,
      imageTimeoutMs: config.imageTimeoutMs,
      signal,
      onProgress: (e: ProgressEvent) => {
        if (e.type === 'start') {
          inFlight.add(e.reference)
          logger.debug(`start ${e.reference} → ${e.zotReference}`)
          return
        }
        inFlight.delete(e.reference)
        done = e.done
        say(
          `[${e.done}/${e.total}] ${e.status} ${e.reference} (${formatDuration(e.durationMs)}; ${elapsed()} elapsed)`,
        )
      },
    })
  } finally {
    clearInterval(heartbeat)
  }
}
