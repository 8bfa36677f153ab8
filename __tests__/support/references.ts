// Image references as the extractor would hand them over, for tests of the later stages.
import { formatReference } from '../../src/extract/reference.js'
import type { FoundImage, ImageReference } from '../../src/model.js'

/** A valid FoundImage for `host` + `path` (+ tag / digest), found at `<images input>` line `line`. */
export function found(
  domain: string,
  path: string,
  opts: { tag?: string; digest?: string; line?: number } = {},
): FoundImage {
  const reference: ImageReference = { domain, path }
  if (opts.tag) reference.tag = opts.tag
  if (opts.digest) reference.digest = opts.digest
  if (!opts.tag && !opts.digest) reference.tag = 'latest'
  const key = formatReference(reference)
  return {
    key,
    raw: key,
    status: 'ok',
    reference,
    sources: [{ file: '<images input>', line: opts.line ?? 1, column: 1 }],
  }
}
