// extract → plan → preflight → warm, shared by the action and the CLI. It talks to the world only through
// the Logger it is given, and returns a RunResult that accounts for every reference found, whatever happened
// (hard failure, cancellation, overall timeout).

import { ConfigError, describeError } from './errors.js'
import { extract } from './extract/index.js'
import { type Config, configError } from './inputs/config.js'
import type { FoundImage, ImageResult, PlannedImage } from './model.js'
import { planImages, zotReference } from './plan/plan.js'
import { clip, literal, oneLine } from './report/escape.js'
import { locationLabel, MAX_REFERENCE_TEXT } from './report/format.js'
import { decideOutcome } from './report/outcome.js'
import type { RunResult } from './report/types.js'
import type { StageOptions, ZotStage } from './warm/stage.js'
import { plural } from './words.js'

/** What the stages are given, and what only the pipeline uses. */
export interface PipelineOptions extends StageOptions {
  /** Content read from `-` (CLI). */
  stdin?: string
  /** Where `rewrite-output: -` prints the rewritten stream (the CLI's stdout). */
  stdout?: (text: string) => void
}

export async function runPipeline(config: Config, opts: PipelineOptions): Promise<RunResult> {
  const { logger } = opts
  checkRewriteStreams(config, opts)
  const started = Date.now()
  const startedAt = new Date(started).toISOString()

  // The caller's signal (a signal, the overall timeout: the run shell), with its reason as a string.
  const controller = new AbortController()
  const onAbort = () => controller.abort(reasonOf(opts.signal?.reason, 'cancelled'))
  if (opts.signal?.aborted) onAbort()
  else opts.signal?.addEventListener('abort', onAbort, { once: true })

  try {
    if (config.configFile) logger.info(`Configuration file: ${config.configFile}`)
    const extraction = await logger.group('Find image references', async () => {
      const ex = await extract({
        workspace: config.workspace,
        paths: config.paths,
        ...(config.scan === false ? { scan: false } : {}),
        images: config.images,
        runtime: config.runtimeImages,
        ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
        signal: controller.signal,
        ...(config.report && config.report !== '-' ? { report: config.report } : {}),
      }).catch((err: unknown) => {
        // A path that selects nothing: said at its line when `paths` came from the configuration file.
        throw err instanceof ConfigError ? configError(err.problems, config.fromFile) : err
      })
      const by = (s: FoundImage['status']) => ex.images.filter((i) => i.status === s).length
      logger.info(
        `${plural(ex.images.length, 'distinct reference')} in ${plural(ex.files, 'file')} (${ex.bytes} bytes): ` +
          `${by('ok')} valid, ${by('invalid')} invalid, ${by('unresolved')} unresolved`,
      )
      for (const n of ex.notices) {
        const line = `${locationLabel(n)}: ${oneLine(n.message, 1000)}`
        if (n.level === 'notice') logger.info(line)
        else logger.warning(line)
      }
      for (const img of ex.images) {
        if (img.status !== 'ok') {
          const s = img.sources[0]
          logger.warning(
            `${s ? `${locationLabel(s)}: ` : ''}${img.status} reference "${literal(img.raw, 200)}": ${oneLine(img.reason ?? '', 1000)}`,
          )
        }
      }
      return ex
    })

    const valid = extraction.images.filter((i) => i.status === 'ok')
    const zotHost = config.zotUrl ? new URL(config.zotUrl).host : undefined
    const plan = await logger.group('Map images to Zot', async () => {
      const p = planImages(valid, config.registryMap, {
        ...(zotHost ? { zotHost } : {}),
        ...(config.rewrite?.pullHost ? { pullHost: config.rewrite.pullHost } : {}),
      })
      for (const img of p.images) logger.info(`${img.reference} → ${zotReference(img)}`)
      if (p.unmapped.length) {
        const registries = [...new Set(p.unmapped.map((u) => u.reference?.domain ?? '?'))]
        const what = `${plural(p.unmapped.length, 'image')} from ${registries.join(', ')}: registry not in registry-map`
        logger.warning(config.unmapped === 'fail' ? `${what} (unmapped: fail)` : `${what}, skipped`)
      }
      return p
    })

    // Loaded only when the run talks to Zot: plan mode never loads the HTTP client or the engine (start-up).
    const { zot, hardFailure, warmed, stored }: ZotStage =
      config.mode !== 'plan' && config.zotUrl && !controller.signal.aborted
        ? await (await import('./warm/stage.js')).zotStage(
            config,
            config.zotUrl,
            plan.images,
            controller.signal,
            opts,
          )
        : {}

    const results = assemble(extraction.images, plan.images, plan.unmapped, warmed, config)
    const cancelled = controller.signal.aborted ? reasonOf(controller.signal.reason, 'cancelled') : undefined
    const run: RunResult = {
      mode: config.mode,
      strict: config.strict,
      failOnUnresolved: config.failOnUnresolved,
      unmapped: config.unmapped,
      ...(config.zotUrl ? { zotUrl: config.zotUrl } : {}),
      ...(zot ? { zot } : {}),
      results,
      notices: extraction.notices,
      files: extraction.files,
      bytes: extraction.bytes,
      startedAt,
      durationMs: Date.now() - started,
      ...(hardFailure ? { hardFailure } : {}),
      ...(cancelled && (extraction.stopped || results.some((r) => r.status === 'not-attempted'))
        ? { cancelled }
        : {}),
    }
    if (config.rewrite) {
      const rewrite = config.rewrite
      // A failed run hands no manifests on: a pipe into `kubectl apply` then receives nothing at all.
      const outcome = decideOutcome(run)
      // Loaded here only, like the Zot stages: most runs do not rewrite.
      const { rewriteManifests } = await import('./rewrite/index.js')
      run.rewrite = await logger.group('Rewrite manifests', () =>
        rewriteManifests(
          {
            mode: rewrite.mode,
            pullHost: rewrite.pullHost,
            output: rewrite.output,
            workspace: config.workspace,
          },
          {
            results,
            planned: plan.images,
            read: extraction.read,
            ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
            ...(stored ? { stored } : {}),
            ...(outcome.exitCode !== 0 ? { hold: `the run failed (${outcome.reason})` } : {}),
            strict: config.strict,
            ...(opts.stdout ? { stdout: opts.stdout } : {}),
            log: (level, line) => (level === 'info' ? logger.info(line) : logger.warning(line)),
          },
        ),
      )
      run.durationMs = Date.now() - started
    }
    return run
  } finally {
    opts.signal?.removeEventListener('abort', onAbort)
  }
}

/** One result per extracted reference, in extraction order. */
function assemble(
  found: FoundImage[],
  planned: PlannedImage[],
  unmapped: FoundImage[],
  warmed: ImageResult[] | undefined,
  config: Config,
): ImageResult[] {
  const byReference = new Map<string, ImageResult>()
  planned.forEach((p, i) => {
    const r = warmed?.[i]
    byReference.set(
      p.reference,
      r ?? {
        reference: p.reference,
        status: 'not-attempted',
        zotReference: zotReference(p),
        attempts: 0,
        durationMs: 0,
        warnings: [],
        sources: p.sources,
      },
    )
  })
  const unmappedKeys = new Set(unmapped.map((u) => u.key))
  return found.map((f): ImageResult => {
    const base = { attempts: 0, durationMs: 0, warnings: [], sources: f.sources }
    if (f.status !== 'ok') {
      const reference = clip(f.raw, MAX_REFERENCE_TEXT)
      return { ...base, reference, status: f.status, ...(f.reason ? { error: clip(f.reason, 2000) } : {}) }
    }
    if (unmappedKeys.has(f.key)) {
      const registry = f.reference?.domain ?? 'its registry'
      return config.unmapped === 'fail'
        ? {
            ...base,
            reference: f.key,
            status: 'failed',
            error: `registry ${registry} is not in registry-map`,
            diagnosis: `Add "${registry}: <prefix>" to registry-map (the destination of the Zot sync content entry for ${registry}), or set unmapped: skip.`,
          }
        : {
            ...base,
            reference: f.key,
            status: 'skipped-unmapped',
            diagnosis: `registry ${registry} is not in registry-map`,
          }
    }
    const r = byReference.get(f.key)
    if (r) return r
    // The planner and the extractor disagree on a key: say so rather than drop the image.
    return { ...base, reference: f.key, status: 'failed', error: 'internal: image missing from the plan' }
  })
}

/** `rewrite-output: -` prints what was read from stdin, and only that; a directory never receives stdin. */
function checkRewriteStreams(config: Config, opts: PipelineOptions): void {
  const output = config.rewrite?.output
  if (output === undefined) return
  if (output === '-') {
    if (opts.stdin === undefined || config.paths.length || !opts.stdout)
      throw configError(
        [
          'rewrite-output: - prints the rewritten manifests read from stdin: read them from - only (e.g. `helm template … | zot-warm --rewrite zot --rewrite-output - -`), or give a directory.',
        ],
        config.fromFile,
      )
  } else if (opts.stdin !== undefined)
    throw configError(
      [
        'rewrite-output: manifests read from - (stdin) are printed only with rewrite-output -; give the files as paths to write them into a directory.',
      ],
      config.fromFile,
    )
}

function reasonOf(reason: unknown, fallback: string): string {
  if (typeof reason === 'string') return reason
  if (reason instanceof Error && reason.name !== 'AbortError') return describeError(reason)
  return fallback
}
