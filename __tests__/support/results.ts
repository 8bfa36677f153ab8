// Run results as the pipeline hands them to the report: for tests of what is rendered and published.
import type { ImageResult, Source } from '../../src/model.js'
import type { RunResult } from '../../src/report/types.js'

export const DIGEST = `sha256:${'ab'.repeat(32)}`

export function source(file: string, line: number, column = 12): Source {
  return { file, line, column }
}

export function image(
  status: ImageResult['status'],
  reference: string,
  extra: Partial<ImageResult> = {},
): ImageResult {
  return {
    reference,
    status,
    attempts: 1,
    durationMs: 1234,
    warnings: [],
    sources: [source('deploy/app.yaml', 10)],
    ...extra,
  }
}

export function runOf(results: ImageResult[], extra: Partial<RunResult> = {}): RunResult {
  return {
    mode: 'warm',
    strict: true,
    failOnUnresolved: true,
    unmapped: 'skip',
    zotUrl: 'https://zot.example.com',
    zot: { url: 'https://zot.example.com', version: 'v2.1.20' },
    results,
    notices: [],
    files: 3,
    bytes: 1000,
    startedAt: '2026-11-22T10:00:00.000Z',
    durationMs: 65_000,
    ...extra,
  }
}

/** A run with a failure (and a pinned image): what a reviewer must see. */
export function failingRun(): RunResult {
  return runOf([
    image('cached', 'docker.io/library/nginx:1.27', {
      zotReference: `docker-images/library/nginx:1.27@${DIGEST}`,
      digest: DIGEST,
      platforms: ['linux/amd64', 'linux/arm64'],
    }),
    image('failed', 'ghcr.io/acme/api:1.4.2', {
      zotReference: 'ghcr-images/acme/api:1.4.2',
      error: 'not found in Zot after sync',
      diagnosis: 'check the reference and the upstream credentials in Zot',
      sources: [source('deploy/api.yaml', 21, 16), source('compose.yaml', 5)],
    }),
    image('warmed', `docker.io/library/redis:7.4@${DIGEST}`, {
      zotReference: `docker-images/library/redis:7.4@${DIGEST}`,
      digest: DIGEST,
    }),
  ])
}

/** The same images, all in the cache: the run after the fix. */
export function cleanRun(): RunResult {
  const run = failingRun()
  return {
    ...run,
    results: run.results.map((r) =>
      r.status === 'failed'
        ? { ...r, status: 'warmed' as const, error: undefined, diagnosis: undefined, digest: DIGEST }
        : r,
    ),
  }
}
