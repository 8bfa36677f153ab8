#!/usr/bin/env node
import { existsSync } from 'node:fs'
// Resolves Gitea, the forge whose /api/v1 stands in for Forgejo's in the pull-request comment tests, and prints
// its path: $ZOT_WARM_GITEA_BIN, then the per-user cache, else a build of the pinned module from the Go module
// proxy. Its go.mod has replace directives, so it is built inside a copy of the downloaded module (which then
// holds the templates and options the server reads at start); SQLite needs cgo.
import { dirname, join } from 'node:path'
import { ensureGoTool, mainIfRun } from './go-tool.mjs'

const GITEA = {
  name: 'gitea',
  module: 'code.gitea.io/gitea',
  // v1.27 needs gitea.dev/* modules that the Go module proxy does not serve.
  version: 'v1.26.0',
  tags: 'sqlite,sqlite_unlock_notify',
  envVar: 'ZOT_WARM_GITEA_BIN',
  buildEnv: { CGO_ENABLED: '1' },
  needs: 'Go 1.26 and a C compiler for SQLite',
  from: 'module',
}

/** Returns the absolute path of a usable Gitea binary, building it when needed. */
export const ensureGitea = (opts = {}) => ensureGoTool(GITEA, opts)

/**
 * Directory holding `templates/` and `options/` for a binary built without embedded assets (ours: its own
 * directory); undefined for release binaries, which embed them.
 */
export function giteaStaticRoot(bin) {
  const dir = dirname(bin)
  return existsSync(join(dir, 'templates')) && existsSync(join(dir, 'options')) ? dir : undefined
}

mainIfRun(import.meta.url, ensureGitea)
