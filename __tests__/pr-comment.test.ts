// The pull request comment on GitHub: the real octokit client (@actions/github) against a loopback server that
// answers like GitHub's REST API and checks every request. The same code against a real Gitea (Forgejo's API)
// is pr-comment-forgejo.int.test.ts; the bundle as a runner starts it is pr-comment-dist.int.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { COMMENT_LIMIT_CHARS, commentMarker, runOrderOf } from '../src/report/comment.js'
import { decideOutcome } from '../src/report/outcome.js'
import { type ActionContext, type PublishInput, publishPrComment } from '../src/report/pr-comment.js'
import type { RunResult } from '../src/report/types.js'
import { ALICE, BOT, type FakeGitHub, type RecordedRequest, startFakeGitHub } from './support/github-api.js'
import { cleanRun, DIGEST, failingRun, image, runOf } from './support/results.js'

const WRITE = 'ghs_writeToken0123456789abcdefABCDEF'
const READ = 'ghs_forkReadOnly0123456789abcdefABCD'
const HEAD = '1111111111111111111111111111111111111111'

let gh: FakeGitHub
beforeEach(async () => {
  gh = await startFakeGitHub({
    tokens: { [WRITE]: { user: BOT, write: true }, [READ]: { user: BOT, write: false } },
  })
})
afterEach(async () => {
  expect(gh.unexpected).toEqual([])
  await gh.close()
})

function context(over: Partial<ActionContext> = {}): ActionContext {
  return {
    eventName: 'pull_request',
    payload: { number: 42, pull_request: { number: 42, head: { sha: HEAD } } },
    repo: { owner: 'acme', repo: 'shop-deploy' },
    issue: { owner: 'acme', repo: 'shop-deploy', number: 42 },
    runId: 9000,
    runNumber: 17,
    runAttempt: 1,
    serverUrl: 'https://github.com',
    apiUrl: gh.url,
    job: 'deploy',
    workflow: 'CI',
    ...over,
  }
}

function input(run: RunResult, over: Partial<PublishInput['config']> = {}): PublishInput {
  return {
    run,
    outcome: decideOutcome(run),
    config: {
      prComment: 'auto',
      githubToken: WRITE,
      zotUrl: 'https://zot.example.com',
      paths: ['deploy'],
      images: [],
      workspace: '/work/repo',
      ...over,
    },
    forge: 'github',
    repo: {
      forge: 'github',
      serverUrl: 'https://github.com',
      repository: 'acme/shop-deploy',
      sha: HEAD,
      root: '/work/repo',
    },
    env: {},
    userAgent: 'zot-warm/test (github action)',
    client: { retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5 }, requestTimeoutMs: 3_000 },
  }
}

const calls = (reqs: RecordedRequest[]) => reqs.map((r) => `${r.method} ${r.path}`)
const LIST = 'GET /repos/acme/shop-deploy/issues/42/comments'
const CREATE = 'POST /repos/acme/shop-deploy/issues/42/comments'
const one = (id: number) => `/repos/acme/shop-deploy/issues/comments/${id}`

describe('pull request comment on GitHub (octokit against a GitHub-shaped loopback API)', () => {
  it('lifecycle: problems → create; rerun → update; fixed → update to clean; clean again → untouched', async () => {
    // Problems: read, create, read again (a racing run would show up there).
    const first = await publishPrComment(input(failingRun()), context())
    expect(first).toMatchObject({ action: 'created', removedDuplicates: 0 })
    expect(calls(gh.requests)).toEqual([LIST, CREATE, LIST])
    for (const r of gh.requests) {
      expect(r.authorization).toBe(`token ${WRITE}`)
      expect(r.userAgent).toMatch(/^zot-warm\/test \(github action\)/)
    }
    expect(gh.requests[0]?.query).toMatchObject({ per_page: '100' })
    expect(gh.comments).toHaveLength(1)
    const created = gh.comments[0]
    if (!created) throw new Error('no comment')
    expect(first).toMatchObject({
      url: `https://github.com/acme/shop-deploy/pull/42#issuecomment-${created.id}`,
    })
    const body = created.body
    expect(body.startsWith('<!-- zot-warm:pr-comment ')).toBe(true)
    expect(runOrderOf(body)).toEqual({ id: 9000, attempt: 1 })
    expect(body).toContain('❌ zot-warm: failed: 1 image failed')
    expect(body).toContain('<b>Diagnosis:</b> check the reference and the upstream credentials in Zot')
    expect(body).toContain(
      `<a href="https://github.com/acme/shop-deploy/blob/${HEAD}/deploy/api.yaml#L21">deploy/<wbr>api.yaml:21</a>`,
    )
    expect(body).toContain(`<code>sha256:${'ab'.repeat(6)}</code>`)
    expect(body).not.toContain(DIGEST) // short digests only
    expect(body).toContain('<a href="https://github.com/acme/shop-deploy/actions/runs/9000">run #17</a>')
    // Problems first, then the table.
    expect(body.indexOf('Problems and warnings')).toBeLessThan(body.indexOf('<h3>Images</h3>'))
    expect(body).not.toContain(WRITE)

    // A re-run (attempt 2) with the same problems: the same comment, updated in place.
    gh.requests.length = 0
    const rerun = await publishPrComment(input(failingRun()), context({ runAttempt: 2 }))
    expect(rerun).toMatchObject({ action: 'updated' })
    // Read, write, read again (a racing older run's write may have landed last).
    expect(calls(gh.requests)).toEqual([LIST, `PATCH ${one(created.id)}`, LIST])
    expect(gh.requests[1]?.body).toEqual({ body: gh.comments[0]?.body })
    expect(gh.comments).toHaveLength(1)
    expect(runOrderOf(gh.comments[0]?.body ?? '')).toEqual({ id: 9000, attempt: 2 })
    expect(gh.comments[0]?.body).toContain('actions/runs/9000/attempts/2')

    // The fix is pushed: a new run, clean. auto updates the comment to say so.
    gh.requests.length = 0
    const fixed = await publishPrComment(input(cleanRun()), context({ runId: 9100, runNumber: 18 }))
    expect(fixed).toMatchObject({ action: 'updated' })
    expect(calls(gh.requests)).toEqual([LIST, `PATCH ${one(created.id)}`, LIST])
    expect(gh.comments).toHaveLength(1)
    const clean = gh.comments[0]?.body ?? ''
    expect(clean).toContain('✅ zot-warm: all 3 images in Zot (1 cached, 2 warmed)')
    expect(clean).not.toContain('Problems and warnings')
    expect(clean).not.toMatch(/<td>❌/)

    // The same clean result again (same run, e.g. a second step invocation): nothing to write.
    gh.requests.length = 0
    const again = await publishPrComment(input(cleanRun()), context({ runId: 9100, runNumber: 18 }))
    expect(again).toMatchObject({ action: 'unchanged' })
    expect(calls(gh.requests)).toEqual([LIST])
  })

  it('a clean first run creates nothing (auto); always creates; off is decided before any call', async () => {
    expect(await publishPrComment(input(cleanRun()), context())).toEqual({ action: 'none' })
    expect(calls(gh.requests)).toEqual([LIST])
    expect(gh.comments).toHaveLength(0)

    gh.requests.length = 0
    expect(await publishPrComment(input(cleanRun(), { prComment: 'always' }), context())).toMatchObject({
      action: 'created',
    })
    expect(calls(gh.requests)).toEqual([LIST, CREATE, LIST])
  })

  it('a fork pull request (read-only token): 403 → one notice, no retry, nothing written', async () => {
    const result = await publishPrComment(input(failingRun(), { githubToken: READ }), context())
    expect(result.action).toBe('failed')
    if (result.action !== 'failed') return
    expect(calls(gh.requests)).toEqual([LIST, CREATE]) // 403 is an answer: not retried
    expect(gh.comments).toHaveLength(0)
    expect(result.notice).toBe(
      'zot-warm: could not comment on the pull request: create failed with HTTP 403 (Resource not accessible by integration). ' +
        'The token cannot write comments: give the job `permissions: pull-requests: write`. Pull requests from forks get a read-only token; ' +
        "their results stay in the job summary and annotations. The step's result does not depend on the comment.",
    )
    expect(result.notice).not.toContain(READ)
  })

  it('a bad token (401) and an API that is down: one notice each, retries bounded', async () => {
    const bad = await publishPrComment(
      input(failingRun(), { githubToken: 'ghs_not-a-known-token' }),
      context(),
    )
    expect(bad).toMatchObject({ action: 'failed' })
    expect(bad.action === 'failed' && bad.notice).toContain(
      'HTTP 401 (Bad credentials). The github-token was rejected',
    )
    expect(calls(gh.requests)).toEqual([LIST])

    // Nothing listens on the port any more: three tries, then the notice.
    const port = gh.port
    await gh.close()
    const down = await publishPrComment(input(failingRun()), context({ apiUrl: `http://127.0.0.1:${port}` }))
    expect(down.action).toBe('failed')
    expect(down.action === 'failed' && down.notice).toMatch(
      /^zot-warm: could not comment on the pull request: list failed with no answer \(.*ECONNREFUSED.*\)\. The forge's API did not answer \(3 tries\)\./,
    )
    gh = await startFakeGitHub({ tokens: {} }) // for afterEach
  })

  it('retries 502 and secondary rate limits (403 with Retry-After), then succeeds', async () => {
    let failures = 0
    gh.intercept = (req, res) => {
      if (req.method === 'POST' && failures < 2) {
        failures++
        if (failures === 1) res.writeHead(502).end('Bad Gateway')
        else
          res
            .writeHead(403, { 'content-type': 'application/json', 'retry-after': '0' })
            .end(JSON.stringify({ message: 'You have exceeded a secondary rate limit.' }))
        return true
      }
      return false
    }
    const result = await publishPrComment(input(failingRun()), context())
    expect(result).toMatchObject({ action: 'created' })
    expect(calls(gh.requests)).toEqual([LIST, CREATE, CREATE, CREATE, LIST])
    expect(gh.comments).toHaveLength(1)
  })

  it('finds its comment among many (pagination) and leaves other comments alone', async () => {
    for (let i = 0; i < 230; i++) gh.addComment(`LGTM ${i}`, ALICE)
    // Quoting the comment in a reply copies the marker, but not at the start: not ours.
    gh.addComment(`> ${commentMarker('x')}\n> quoted`, ALICE)
    await publishPrComment(input(failingRun()), context())
    const ours = gh.comments.filter((c) => c.user.id === BOT.id)
    expect(ours).toHaveLength(1)
    gh.requests.length = 0
    expect(await publishPrComment(input(failingRun()), context({ runAttempt: 2 }))).toMatchObject({
      action: 'updated',
    })
    // 232 comments at 100 per page: three pages, then the update of the one found on the last page.
    expect(calls(gh.requests)).toEqual([LIST, LIST, LIST, `PATCH ${one(ours[0]?.id ?? 0)}`, LIST, LIST, LIST])
    expect(gh.requests.slice(0, 3).map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3'])
    expect(gh.comments.filter((c) => c.user.id === ALICE.id)).toHaveLength(231)
  })

  it('two runs racing: both create, both settle on one comment (lowest id) with the newer result', async () => {
    // Hold both creates until both runs have read "no comment yet".
    let lists = 0
    let release: () => void = () => undefined
    const bothListed = new Promise<void>((r) => {
      release = r
    })
    gh.intercept = async (req) => {
      if (req.method === 'GET' && ++lists === 2) release()
      if (req.method === 'POST') await bothListed
      return false
    }
    const older = publishPrComment(input(failingRun()), context({ runId: 9000, runNumber: 17 }))
    const newerRun = runOf([image('failed', 'ghcr.io/acme/api:1.4.3', { error: 'still not found' })])
    const newer = publishPrComment(input(newerRun), context({ runId: 9001, runNumber: 18 }))
    const results = await Promise.all([older, newer])
    expect(results.map((r) => r.action).sort()).toEqual(['created', 'updated'])
    expect(gh.requests.filter((r) => r.method === 'POST')).toHaveLength(2)
    expect(gh.comments).toHaveLength(1)
    const kept = gh.comments[0]
    expect(kept?.id).toBe(1_000_000) // the first id the fake handed out
    expect(runOrderOf(kept?.body ?? '')).toEqual({ id: 9001, attempt: 1 })
    expect(kept?.body).toContain('ghcr.io/<wbr>acme/<wbr>api:1.4.3')
    for (const r of results)
      if (r.action !== 'failed' && r.action !== 'none') expect(r.url).toContain(`${kept?.id}`)
  })

  it('an older run’s update landing after ours is repaired by the read after writing', async () => {
    await publishPrComment(input(failingRun()), context({ runId: 9000 }))
    const id = gh.comments[0]?.id ?? 0
    const olderBody = gh.comments[0]?.body ?? ''
    // The older run (9000) read before us and its PATCH lands right after ours.
    let patches = 0
    gh.intercept = async (req, res) => {
      if (req.method === 'GET' && patches === 1) {
        const c = gh.comments.find((x) => x.id === id)
        if (c) c.body = olderBody // the older write, landed after ours
      }
      if (req.method === 'PATCH') patches++
      return res.headersSent
    }
    gh.requests.length = 0
    const result = await publishPrComment(input(cleanRun()), context({ runId: 9100 }))
    expect(result).toMatchObject({ action: 'updated' })
    expect(calls(gh.requests)).toEqual([LIST, `PATCH ${one(id)}`, LIST, `PATCH ${one(id)}`])
    expect(runOrderOf(gh.comments[0]?.body ?? '')).toEqual({ id: 9100, attempt: 1 })
  })

  it('an older run finishing after a newer one leaves the newer result in place', async () => {
    await publishPrComment(input(failingRun()), context({ runId: 9200 }))
    gh.requests.length = 0
    const late = await publishPrComment(input(cleanRun()), context({ runId: 9100 }))
    expect(late).toMatchObject({ action: 'kept-newer' })
    expect(calls(gh.requests)).toEqual([LIST])
    expect(runOrderOf(gh.comments[0]?.body ?? '')).toEqual({ id: 9200, attempt: 1 })
  })

  it('cleans up copies a crashed race left, but never comments by someone else', async () => {
    // The key is derived from workflow, job and inputs: create once to learn it, then fake a leftover copy.
    await publishPrComment(input(failingRun()), context())
    const key = /^<!-- zot-warm:pr-comment (\S+) -->/.exec(gh.comments[0]?.body ?? '')?.[1] ?? ''
    const leftover = gh.addComment(`${commentMarker(key)}\n<!-- zot-warm:run 8000 1 -->\nold`, BOT)
    const foreign = gh.addComment(`${commentMarker(key)}\nsomeone copied the marker`, ALICE)
    gh.requests.length = 0
    const result = await publishPrComment(input(failingRun()), context({ runAttempt: 2 }))
    expect(result).toMatchObject({ action: 'updated', removedDuplicates: 1 })
    expect(calls(gh.requests)).toEqual([
      LIST,
      `DELETE ${one(leftover.id)}`,
      `PATCH ${one(gh.comments[0]?.id ?? 0)}`,
      LIST,
    ])
    expect(gh.comments.map((c) => c.id)).toContain(foreign.id)
  })

  it('keeps the body under GitHub’s 65536-character limit with a cut notice', async () => {
    const many = runOf(
      Array.from({ length: 3000 }, (_, i) =>
        image(i % 50 === 0 ? 'failed' : 'cached', `docker.io/library/image-${i}:1.0.${i}`, {
          digest: DIGEST,
          error: i % 50 === 0 ? 'not found in Zot after sync' : undefined,
        }),
      ),
    )
    await publishPrComment(input(many), context())
    const body = gh.comments[0]?.body ?? ''
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT_CHARS)
    expect(body).toMatch(
      /Showing \d+ of 3000 images<\/b> \(worst first\) to stay under the comment size limit\. All results are in the job summary of <a href="https:\/\/github\.com\/acme\/shop-deploy\/actions\/runs\/9000">run #17<\/a>\./,
    )
    // The footer survives the cut.
    expect(body).toContain('job <code>deploy</code> · workflow <code>CI</code>')
  })

  it('escapes what users wrote (references, errors, job names) in the comment', async () => {
    const nasty = runOf([
      image('invalid', 'x|<img src=x onerror=alert(1)>`*_\r@team', {
        error: 'bad "quote" & <b>tag</b>\rnext',
      }),
    ])
    await publishPrComment(input(nasty), context({ job: 'de<script>ploy', workflow: 'CI\r\n<b>' }))
    const body = gh.comments[0]?.body ?? ''
    expect(body).not.toMatch(/<img|<script>|<b>tag|<b>\s*<\/code>/)
    expect(body).toContain('x|&lt;img src=x onerror=alert(1)&gt;`*_\\r<wbr>@team')
    expect(body).toContain('bad &quot;quote&quot; &amp; &lt;b&gt;tag&lt;/b&gt; next')
    expect(body).toContain('job <code>de&lt;script&gt;ploy</code> · workflow <code>CI &lt;b&gt;</code>')
    expect(body).not.toContain('\r')
  })

  it('no pull request number or no token: a notice and no call', async () => {
    const noNumber = await publishPrComment(
      input(failingRun()),
      context({ issue: { owner: 'acme', repo: 'shop-deploy', number: undefined as unknown as number } }),
    )
    expect(noNumber).toMatchObject({ action: 'failed' })
    const noToken = await publishPrComment(input(failingRun(), { githubToken: undefined }), context())
    expect(noToken.action === 'failed' && noToken.notice).toContain('the github-token input is empty')
    expect(gh.requests).toEqual([])
  })
})
