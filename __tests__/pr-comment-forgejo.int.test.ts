// The pull request comment on Forgejo, against a real Gitea on loopback (Forgejo is a Gitea fork; the issue
// comment endpoints under /api/v1 are the same): the user, repository, branch, pull request and tokens are
// made through its API in the set-up. First the comment code in-process (lifecycle, race, a read-only token),
// then the bundled action started as a Forgejo runner starts it, on Node 20 and Node 24.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runOrderOf } from '../src/report/comment.js'
import { decideOutcome } from '../src/report/outcome.js'
import { type ActionContext, type PublishInput, publishPrComment } from '../src/report/pr-comment.js'
import type { RunResult } from '../src/report/types.js'
import {
  createPullRequest,
  createToken,
  type GiteaServer,
  listComments,
  type PullRequest,
  renderMarkdown,
  startGitea,
} from './support/gitea.js'
import { cleanRun, failingRun, image, runOf } from './support/results.js'
import { checkDist, checkRuntime, forgejoEnv, newRunDir, runBundle, runtimes } from './support/runner.js'
import { tempDir } from './support/temp.js'
import { freePort } from './support/zot.js'

let gitea: GiteaServer
let writeToken: string
let readToken: string

beforeAll(async () => {
  gitea = await startGitea()
  writeToken = await createToken(gitea, ['write:issue', 'write:repository'])
  readToken = await createToken(gitea, ['read:issue', 'read:repository'])
})
afterAll(async () => {
  await gitea?.stop()
})

function context(pr: PullRequest, over: Partial<ActionContext> = {}): ActionContext {
  return {
    eventName: 'pull_request',
    payload: { number: pr.number, pull_request: { number: pr.number, head: { sha: pr.headSha } } },
    repo: { owner: pr.owner, repo: pr.repo },
    issue: { owner: pr.owner, repo: pr.repo, number: pr.number },
    runId: 300,
    runNumber: 5,
    runAttempt: 1,
    serverUrl: gitea.url,
    apiUrl: gitea.apiUrl,
    job: 'deploy',
    workflow: 'CI',
    ...over,
  }
}

function input(pr: PullRequest, run: RunResult, over: Partial<PublishInput['config']> = {}): PublishInput {
  return {
    run,
    outcome: decideOutcome(run),
    config: {
      prComment: 'auto',
      githubToken: writeToken,
      zotUrl: 'https://zot.example.com',
      paths: ['deploy'],
      images: [],
      workspace: '/work/repo',
      ...over,
    },
    forge: 'forgejo',
    repo: {
      forge: 'forgejo',
      serverUrl: gitea.url,
      repository: `${pr.owner}/${pr.repo}`,
      sha: pr.headSha,
      root: '/work/repo',
    },
    env: { FORGEJO_ACTIONS: 'true', GITEA_ACTIONS: 'true' },
    userAgent: 'zot-warm/test (forgejo action)',
    client: { retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5 }, requestTimeoutMs: 10_000 },
  }
}

describe('Forgejo API (a real Gitea): the comment code in-process', () => {
  it('lifecycle: problems → create; rerun → update; fixed → update to clean; clean first run → nothing', async () => {
    const pr = await createPullRequest(gitea, 'lifecycle')
    await gitea.api('POST', `/repos/${pr.owner}/${pr.repo}/issues/${pr.number}/comments`, {
      body: { body: 'Looks good to me' },
    })

    const first = await publishPrComment(input(pr, failingRun()), context(pr))
    expect(first).toMatchObject({ action: 'created', removedDuplicates: 0 })
    let comments = await listComments(gitea, pr)
    expect(comments).toHaveLength(2)
    const ours = comments[1]
    if (!ours) throw new Error('no comment')
    expect(first).toMatchObject({ url: ours.html_url })
    expect(ours.html_url).toBe(
      `${gitea.url}/${pr.owner}/${pr.repo}/pulls/${pr.number}#issuecomment-${ours.id}`,
    )
    expect(ours.body).toContain('## ❌ zot-warm: failed: 1 image failed')
    expect(ours.body).toContain(
      `[deploy/api.yaml:21](${gitea.url}/${pr.owner}/${pr.repo}/src/commit/${pr.headSha}/deploy/api.yaml#L21)`,
    )
    // Forgejo links runs by their number in the repository.
    expect(ours.body).toContain(`[run #5](${gitea.url}/${pr.owner}/${pr.repo}/actions/runs/5)`)

    // What a reviewer sees: the forge's own renderer keeps the table, the links and the footer; the marker
    // lines are hidden.
    const html = await renderMarkdown(gitea, pr, ours.body)
    expect(html).toContain('<table>')
    expect(html).toContain(
      `<a href="${gitea.url}/${pr.owner}/${pr.repo}/src/commit/${pr.headSha}/deploy/api.yaml#L21" rel="nofollow">deploy/api.yaml:21</a>`,
    )
    expect(html).toContain('<code>sha256:abababababab</code>')
    expect(html).toMatch(
      /<sub>job <code>deploy<\/code> · workflow <code>CI<\/code> · <a href="[^"]+\/actions\/runs\/5"/,
    )
    expect(html).not.toContain('zot-warm:pr-comment')

    // Re-run with problems: the same comment, updated.
    const rerun = await publishPrComment(input(pr, failingRun()), context(pr, { runId: 301, runNumber: 6 }))
    expect(rerun).toMatchObject({ action: 'updated' })
    comments = await listComments(gitea, pr)
    expect(comments.map((c) => c.id)).toEqual([comments[0]?.id, ours.id])
    expect(runOrderOf(comments[1]?.body ?? '')).toEqual({ id: 301, attempt: 1 })

    // Fixed: updated to say so.
    const fixed = await publishPrComment(input(pr, cleanRun()), context(pr, { runId: 302, runNumber: 7 }))
    expect(fixed).toMatchObject({ action: 'updated' })
    comments = await listComments(gitea, pr)
    expect(comments).toHaveLength(2)
    expect(comments[1]?.body).toContain('## ✅ zot-warm: all 3 images in Zot (1 cached, 2 warmed)')
    expect(comments[1]?.body).not.toContain('Problems and warnings')

    // A clean first run on another pull request writes nothing.
    const other = await createPullRequest(gitea, 'clean-first')
    expect(await publishPrComment(input(other, cleanRun()), context(other))).toEqual({ action: 'none' })
    expect(await listComments(gitea, other)).toEqual([])
  })

  it('two runs racing end with one comment; created at once, it shows the newer result', async () => {
    const pr = await createPullRequest(gitea, 'race')
    const newer = runOf([image('failed', 'ghcr.io/acme/api:1.4.3', { error: 'still not found' })])
    // Round 0: both runs find no comment and create one; both settle on the lowest id with the newer result.
    // Later rounds: both update the one comment; whichever write lands last stays (no conditional updates on
    // either forge), but never a second comment.
    for (let round = 0; round < 3; round++) {
      const older = 400 + 2 * round
      await Promise.all([
        publishPrComment(input(pr, failingRun()), context(pr, { runId: older })),
        publishPrComment(input(pr, newer), context(pr, { runId: older + 1 })),
      ])
      const comments = await listComments(gitea, pr)
      expect(comments, `round ${round}`).toHaveLength(1)
      const order = runOrderOf(comments[0]?.body ?? '')
      if (round === 0) {
        expect(order).toEqual({ id: 401, attempt: 1 })
        expect(comments[0]?.body).toContain('ghcr.io/acme/api:1.4.3')
      } else expect([older, older + 1], `round ${round}`).toContain(order?.id)
    }
  })

  it('a read:issue token (a fork pull request) gets 403: one notice, nothing written', async () => {
    const pr = await createPullRequest(gitea, 'fork')
    const result = await publishPrComment(input(pr, failingRun(), { githubToken: readToken }), context(pr))
    expect(result.action).toBe('failed')
    expect(result.action === 'failed' && result.notice).toMatch(
      /^zot-warm: could not comment on the pull request: create failed with HTTP 403 \(.+\)\. The token cannot write comments\. Pull requests from forks get a read-only token; their results stay in the job log\. The step's result does not depend on the comment\.$/,
    )
    expect(result.action === 'failed' && result.notice).not.toContain(readToken)
    expect(await listComments(gitea, pr)).toEqual([])
  })
})

describe.each(runtimes())('Forgejo runner: the bundled action on $name against the real Gitea', (rt) => {
  let pr: PullRequest
  let workspace: string
  let deadZot: string

  beforeAll(async () => {
    checkDist()
    checkRuntime(rt)
    pr = await createPullRequest(gitea, `bundle-${rt.name}`)
    workspace = tempDir('zot-warm-forgejo-ws-')
    mkdirSync(join(workspace, 'deploy'))
    writeFileSync(
      join(workspace, 'deploy', 'api.yaml'),
      'kind: Pod\nspec:\n  containers:\n    - image: ghcr.io/acme/api:1.4.2\n',
    )
    deadZot = `http://127.0.0.1:${await freePort()}`
  })

  /** The Forgejo runner's environment for a pull_request run on this Gitea (GITHUB_* and FORGEJO_*). */
  const env = (dir: string, runNumber: number, event = 'pull_request') => {
    const eventPath = join(dir, 'forgejo-event.json')
    writeFileSync(
      eventPath,
      JSON.stringify({
        action: 'opened',
        number: pr.number,
        pull_request: { number: pr.number, head: { sha: pr.headSha, ref: 'bump-images' } },
        repository: { full_name: `${pr.owner}/${pr.repo}`, name: pr.repo, owner: { login: pr.owner } },
      }),
    )
    const gh: Record<string, string> = {
      ...forgejoEnv(dir, workspace),
      GITHUB_SERVER_URL: gitea.url,
      GITHUB_API_URL: gitea.apiUrl,
      GITHUB_REPOSITORY: `${pr.owner}/${pr.repo}`,
      GITHUB_EVENT_NAME: event,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_SHA: pr.headSha,
      GITHUB_RUN_ID: String(1000 + runNumber),
      GITHUB_RUN_NUMBER: String(runNumber),
    }
    for (const [k, v] of Object.entries(gh)) if (k.startsWith('GITHUB_')) gh[`FORGEJO_${k.slice(7)}`] = v
    return gh
  }

  it('a failing run comments, a clean one updates it, a push event asks nothing', async () => {
    const inputs = { paths: 'deploy', 'registry-map': 'ghcr.io: ghcr-images', 'github-token': writeToken }
    let dir = newRunDir()
    const failing = await runBundle({
      node: rt.node,
      script: 'dist/index.js',
      dir,
      env: env(dir, 1),
      inputs: { ...inputs, 'zot-url': deadZot },
    })
    expect(failing.code, failing.stdout + failing.stderr).toBe(1) // Zot unreachable
    let comments = await listComments(gitea, pr)
    expect(comments).toHaveLength(1)
    const id = comments[0]?.id
    expect(failing.stdout).toContain(`Pull request comment created: ${comments[0]?.html_url}`)
    expect(comments[0]?.body).toContain('## ❌ zot-warm: failed: cannot reach Zot at')
    expect(comments[0]?.body).toContain(
      `[deploy/<wbr>api.yaml:4](${gitea.url}/${pr.owner}/${pr.repo}/src/commit/${pr.headSha}/deploy/api.yaml#L4)`,
    )
    expect(comments[0]?.body).toContain(`[run #1](${gitea.url}/${pr.owner}/${pr.repo}/actions/runs/1)`)
    expect(comments[0]?.body).not.toContain(writeToken)

    // The fix: plan mode is clean here (no Zot needed) and asked to comment always.
    dir = newRunDir()
    const clean = await runBundle({
      node: rt.node,
      script: 'dist/index.js',
      dir,
      env: env(dir, 2),
      // Same inputs but the mode (the comment belongs to the job and what it looks at, Zot included).
      inputs: { ...inputs, 'zot-url': deadZot, mode: 'plan', 'pr-comment': 'always' },
    })
    expect(clean.code, clean.stdout + clean.stderr).toBe(0)
    comments = await listComments(gitea, pr)
    expect(comments.map((c) => c.id)).toEqual([id])
    expect(comments[0]?.body).toContain('## ✅ zot-warm: 1 image planned')
    expect(clean.stdout).toContain(`Pull request comment updated: ${comments[0]?.html_url}`)

    // Not a pull request event: no comment, no call (a read-only token would have shown a notice otherwise).
    dir = newRunDir()
    const push = await runBundle({
      node: rt.node,
      script: 'dist/index.js',
      dir,
      env: env(dir, 3, 'push'),
      inputs: { ...inputs, 'zot-url': deadZot, 'github-token': readToken },
    })
    expect(push.code).toBe(1)
    expect(push.stdout).not.toMatch(/pull request comment/i)
    expect((await listComments(gitea, pr)).map((c) => c.body)).toEqual(comments.map((c) => c.body))
  })
})
