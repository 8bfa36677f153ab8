// Links from the summary to the line in the repository, at the commit under test.
// GitHub: /blob/SHA/PATH#Lnn; Forgejo (and Gitea): /src/commit/SHA/PATH#Lnn. No REST calls: the context
// is the runner's environment and the event payload.
import { readFileSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'

export type Forge = 'github' | 'forgejo'

export interface RepoContext {
  forge: Forge
  serverUrl: string
  /** `owner/name`. */
  repository: string
  /** The commit the files belong to: the PR head for pull_request events (GITHUB_SHA is the merge commit). */
  sha: string
  /** Absolute path of the checkout (GITHUB_WORKSPACE); file links are relative to it. */
  root: string
}

type Env = Record<string, string | undefined>

/**
 * Forgejo's runner sets FORGEJO_ACTIONS, Gitea's GITEA_ACTIONS, and both serve their API under /api/v1.
 * A server URL other than github.com alone is not enough: GitHub Enterprise Server has its own host.
 */
export function detectForge(env: Env): Forge {
  if (env.FORGEJO_ACTIONS === 'true' || env.GITEA_ACTIONS === 'true') return 'forgejo'
  if (env.GITHUB_API_URL && /\/api\/v1\/?$/.test(env.GITHUB_API_URL)) return 'forgejo'
  return 'github'
}

/** The commit to link to; undefined when the environment has none. */
export function commitSha(
  env: Env,
  readEvent: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): string | undefined {
  const eventPath = env.GITHUB_EVENT_PATH
  if (eventPath) {
    try {
      const event = JSON.parse(readEvent(eventPath)) as { pull_request?: { head?: { sha?: unknown } } }
      const head = event.pull_request?.head?.sha
      if (typeof head === 'string' && /^[0-9a-f]{7,64}$/i.test(head)) return head
    } catch {
      // No readable event: fall back to GITHUB_SHA.
    }
  }
  return env.GITHUB_SHA || undefined
}

export function readRepoContext(env: Env, readEvent?: (path: string) => string): RepoContext | undefined {
  const serverUrl = (env.GITHUB_SERVER_URL || '').replace(/\/+$/, '')
  const repository = env.GITHUB_REPOSITORY
  const sha = commitSha(env, readEvent)
  const root = env.GITHUB_WORKSPACE
  if (!serverUrl || !repository || !sha || !root) return undefined
  return { forge: detectForge(env), serverUrl, repository, sha, root: resolve(root) }
}

/** Path of a workspace file inside the repository, or undefined when it lies outside the checkout. */
export function repoPath(
  ctx: Pick<RepoContext, 'root'>,
  workspace: string,
  file: string,
): string | undefined {
  const rel = relative(ctx.root, resolve(workspace, file))
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return undefined
  return rel.split(sep).join('/')
}

export function fileUrl(ctx: RepoContext, path: string, line?: number): string {
  // Also `(`, `)` and the other characters encodeURIComponent leaves: a `)` would end a Markdown link.
  // A lone surrogate (no file system gives one, but a caller might) would make encodeURIComponent throw.
  const encoded = path
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .split('/')
    .map((part) =>
      encodeURIComponent(part).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/')
  const kind = ctx.forge === 'forgejo' ? 'src/commit' : 'blob'
  return `${ctx.serverUrl}/${ctx.repository}/${kind}/${ctx.sha}/${encoded}${line ? `#L${line}` : ''}`
}

/**
 * The run's page. GitHub addresses runs by id (a re-run by attempt too), Forgejo by the run's number in the
 * repository, Gitea (1.26) by id again. Forgejo's runner sets FORGEJO_ACTIONS, Gitea's only GITEA_ACTIONS.
 */
export function runUrl(
  forge: Forge,
  serverUrl: string,
  repository: string,
  run: { id?: number; number?: number; attempt?: number },
  env: Env = {},
): string | undefined {
  const server = serverUrl.replace(/\/+$/, '')
  if (!server || !repository) return undefined
  const gitea = env.GITEA_ACTIONS === 'true' && env.FORGEJO_ACTIONS !== 'true'
  const id = forge === 'forgejo' && !gitea ? run.number : run.id
  if (!id || !Number.isInteger(id)) return undefined
  const attempt = forge === 'github' && run.attempt && run.attempt > 1 ? `/attempts/${run.attempt}` : ''
  return `${server}/${repository}/actions/runs/${id}${attempt}`
}
