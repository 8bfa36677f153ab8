#!/usr/bin/env node
// Resolves the Zot binary used by the integration tests, the demo and the benchmark, and prints its absolute
// path on stdout: $ZOT_WARM_ZOT_BIN, then the per-user cache, else `go install` of the pinned release from the
// Go module proxy into that cache.
import { EnsureToolError, ensureGoTool, mainIfRun, toolCacheDir } from './go-tool.mjs'

export const ZOT_VERSION = 'v2.1.20'
export const ZOT_TAGS = 'sync,search,mgmt,metrics'
export const ZOT_MODULE = 'zotregistry.dev/zot/v2/cmd/zot'
export { EnsureToolError as EnsureZotError }

const ZOT = {
  name: 'zot',
  module: ZOT_MODULE,
  version: ZOT_VERSION,
  tags: ZOT_TAGS,
  envVar: 'ZOT_WARM_ZOT_BIN',
  // jsonv2: the search extension pulls in Trivy, which needs it. CGO off: a static binary, no C toolchain.
  buildEnv: { GOEXPERIMENT: 'jsonv2' },
  needs: `${ZOT_VERSION} needs Go 1.26.3 or newer`,
}

/** The cache directory for this exact version + build tags. */
export const zotCacheDir = (env = process.env) => toolCacheDir(ZOT, env)

/** Returns the absolute path of a usable Zot binary, building it when needed. */
export const ensureZot = (opts = {}) => ensureGoTool(ZOT, opts)

mainIfRun(import.meta.url, ensureZot)
