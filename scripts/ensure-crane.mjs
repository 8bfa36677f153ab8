#!/usr/bin/env node
// Resolves crane (go-containerregistry's CLI), the real peer `npm run bench` measures zot-warm against, and
// prints its path: $ZOT_WARM_CRANE_BIN, then the per-user cache, else `go install` of the pinned release.
import { ensureGoTool, mainIfRun } from './go-tool.mjs'

export const CRANE = {
  name: 'crane',
  module: 'github.com/google/go-containerregistry/cmd/crane',
  version: 'v0.22.1',
  envVar: 'ZOT_WARM_CRANE_BIN',
}

export const ensureCrane = (opts = {}) => ensureGoTool(CRANE, opts)

mainIfRun(import.meta.url, ensureCrane)
