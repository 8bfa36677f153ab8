#!/usr/bin/env node
// Resolves nektos/act, the runner that executes this repository's e2e workflow in host mode (no Docker), and
// prints its path: $ZOT_WARM_ACT_BIN, then the per-user cache, else `go install` of the pinned release.
import { ensureGoTool, mainIfRun } from './go-tool.mjs'

const ACT = { name: 'act', module: 'github.com/nektos/act', version: 'v0.2.89', envVar: 'ZOT_WARM_ACT_BIN' }

export const ensureAct = (opts = {}) => ensureGoTool(ACT, opts)

mainIfRun(import.meta.url, ensureAct)
