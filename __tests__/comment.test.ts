// What the pull request comment says and when a run may comment at all (no API here; see pr-comment.test.ts).
import { describe, expect, it } from 'vitest'
import type { ImageResult } from '../src/model.js'
import {
  COMMENT_LIMIT_CHARS,
  commentKey,
  commentMarker,
  compareRunOrder,
  isOurComment,
  renderComment,
  runOrderOf,
  wantsPrComment,
} from '../src/report/comment.js'
import { runUrl } from '../src/report/links.js'
import { decideOutcome } from '../src/report/outcome.js'
import { renderSummary } from '../src/report/summary.js'
import { htmlShape, MARKDOWN_TAGS, renderMarkdown, SUMMARY_TAGS } from './support/markup.js'
import { cleanRun, DIGEST, failingRun, image, runOf } from './support/results.js'

const SHA = 'c'.repeat(40)
const META = {
  key: 'k1',
  run: { id: 500, attempt: 1 },
  job: 'deploy',
  workflow: 'CI',
  runLabel: 'run #3',
}

describe('when a run comments', () => {
  it('only on pull request events, never with off, in plan mode only with always', () => {
    for (const event of ['pull_request', 'pull_request_target'])
      expect(wantsPrComment({ prComment: 'auto', mode: 'warm' }, event)).toBe(true)
    for (const event of ['push', 'schedule', 'workflow_dispatch', 'pull_request_review', undefined])
      expect(wantsPrComment({ prComment: 'always', mode: 'warm' }, event)).toBe(false)
    expect(wantsPrComment({ prComment: 'off', mode: 'warm' }, 'pull_request')).toBe(false)
    expect(wantsPrComment({ prComment: 'auto', mode: 'check' }, 'pull_request')).toBe(true)
    expect(wantsPrComment({ prComment: 'auto', mode: 'plan' }, 'pull_request')).toBe(false)
    expect(wantsPrComment({ prComment: 'always', mode: 'plan' }, 'pull_request')).toBe(true)
  })
})

describe('comment identity', () => {
  it('one key per workflow, job and what the step looks at; stable across runs', () => {
    const base = { workflow: 'CI', job: 'deploy', zotUrl: 'https://zot', paths: ['k8s'], images: [] }
    expect(commentKey(base)).toBe(commentKey({ ...base }))
    expect(commentKey(base)).toMatch(/^[0-9a-f]{16}$/)
    const others = [
      { ...base, workflow: 'Deploy' },
      { ...base, job: 'staging' },
      { ...base, zotUrl: 'https://zot-eu' },
      { ...base, paths: ['k8s/prod'] },
      { ...base, images: ['nginx:1'] },
    ]
    expect(new Set([base, ...others].map(commentKey)).size).toBe(6)
  })

  it('the marker must start the body; the run line orders runs', () => {
    const body = renderComment(runOf([]), decideOutcome(runOf([])), {
      forge: 'github',
      workspace: '/w',
      meta: META,
    })
    expect(isOurComment(body, 'k1')).toBe(true)
    expect(isOurComment(body, 'k2')).toBe(false)
    expect(isOurComment(`> ${body}`, 'k1')).toBe(false)
    expect(body.startsWith(`${commentMarker('k1')}\n<!-- zot-warm:run 500 1 -->\n`)).toBe(true)
    expect(runOrderOf(body)).toEqual({ id: 500, attempt: 1 })
    expect(runOrderOf('no marker')).toBeUndefined()
    expect(compareRunOrder({ id: 2, attempt: 1 }, { id: 1, attempt: 9 })).toBeGreaterThan(0)
    expect(compareRunOrder({ id: 2, attempt: 1 }, { id: 2, attempt: 2 })).toBeLessThan(0)
  })

  it('links the run on the right forge', () => {
    expect(runUrl('github', 'https://github.com', 'a/b', { id: 99, number: 3, attempt: 1 })).toBe(
      'https://github.com/a/b/actions/runs/99',
    )
    expect(runUrl('github', 'https://github.com', 'a/b', { id: 99, number: 3, attempt: 2 })).toBe(
      'https://github.com/a/b/actions/runs/99/attempts/2',
    )
    // Forgejo numbers runs per repository; Gitea 1.26 uses the id like GitHub.
    const forgejo = { FORGEJO_ACTIONS: 'true', GITEA_ACTIONS: 'true' }
    expect(
      runUrl('forgejo', 'https://code.example.org/', 'a/b', { id: 99, number: 3, attempt: 2 }, forgejo),
    ).toBe('https://code.example.org/a/b/actions/runs/3')
    expect(
      runUrl('forgejo', 'https://gitea.example.org', 'a/b', { id: 99, number: 3 }, { GITEA_ACTIONS: 'true' }),
    ).toBe('https://gitea.example.org/a/b/actions/runs/99')
    expect(runUrl('github', 'https://github.com', 'a/b', { id: Number.NaN })).toBeUndefined()
  })
})

describe('comment body', () => {
  const github = {
    forge: 'github' as const,
    serverUrl: 'https://github.com',
    repository: 'acme/deploy',
    sha: SHA,
    root: '/work/repo',
  }
  const forgejo = { ...github, forge: 'forgejo' as const, serverUrl: 'https://code.example.org' }
  const meta = { ...META, runUrl: 'https://code.example.org/acme/deploy/actions/runs/3', sha: SHA }

  it('GitHub: HTML from the summary pieces, problems first, narrow table with short digests', () => {
    const run = failingRun()
    const body = renderComment(run, decideOutcome(run), {
      forge: 'github',
      repo: github,
      workspace: '/work/repo',
      meta,
    })
    expect(body).toContain('<h2>❌ zot-warm: failed: 1 image failed</h2>')
    expect(body).toContain('<tr><th>Status</th><th>Image</th><th>Digest</th><th>Used in</th></tr>')
    expect(body).toContain(
      `<tr><td>❌\u00a0failed</td><td><code>ghcr.io/<wbr>acme/<wbr>api:1.4.2</code></td><td></td><td><a href="https://github.com/acme/deploy/blob/${SHA}/deploy/api.yaml#L21">deploy/<wbr>api.yaml:21</a><br>`,
    )
    // Long references and paths may wrap (after `/`, before `@`), so no column pushes the others off screen.
    expect(body).toContain(
      `<code>docker.io/<wbr>library/<wbr>redis:7.4<wbr>@sha256:${'ab'.repeat(6)}…</code>`,
    )
    expect(body).not.toContain(DIGEST)
    expect(body.indexOf('<h3>Problems and warnings</h3>')).toBeLessThan(body.indexOf('<h3>Images</h3>'))
    expect(body).toContain(
      '<p><sub>job <code>deploy</code> · workflow <code>CI</code> · <a href="https://code.example.org/acme/deploy/actions/runs/3">run #3</a> · commit <code>ccccccc</code></sub></p>',
    )
    // One HTML block after another: a blank line would end one and let Markdown rewrite the rest.
    expect(body).not.toMatch(/\n\s*\n/)
  })

  it('Forgejo: Markdown from the text summary pieces, a rendered table with links at the PR head', () => {
    const run = failingRun()
    const body = renderComment(run, decideOutcome(run), {
      forge: 'forgejo',
      repo: forgejo,
      workspace: '/work/repo',
      meta,
    })
    expect(body).toContain('## ❌ zot-warm: failed: 1 image failed')
    expect(body).toContain('total 3 · cached 1 · warmed 1 · failed 1')
    expect(body).toContain('| Status | Image | Digest | Used in |\n|---|---|---|---|\n')
    expect(body).toContain(
      `| ❌\u00a0failed | <code>ghcr.io/<wbr>acme/<wbr>api:1.4.2</code> |  | [deploy/<wbr>api.yaml:21](https://code.example.org/acme/deploy/src/commit/${SHA}/deploy/api.yaml#L21)<br>[compose.yaml:5](`,
    )
    expect(body).toContain(`| \`sha256:${'ab'.repeat(6)}\` |`)
    expect(body).not.toContain(DIGEST)
    expect(body).toContain('  - diagnosis: check the reference and the upstream credentials in Zot')
    expect(body.indexOf('### Problems and warnings')).toBeLessThan(body.indexOf('| Status |'))
    expect(body).toContain(
      '<sub>job `deploy` · workflow `CI` · [run #3](https://code.example.org/acme/deploy/actions/runs/3) · commit `ccccccc`</sub>',
    )
    expect(body).not.toContain('```')
  })

  it('Forgejo: escapes Markdown in table cells and lists (pipes, backticks, HTML, bare CR)', () => {
    const run = runOf([image('invalid', 'a|b`c<x>\rd', { error: 'bad *bold* [link](http://x) <i>\r| pipe' })])
    const body = renderComment(run, decideOutcome(run), { forge: 'forgejo', workspace: '/w', meta })
    expect(body).not.toContain('\r')
    // A reference is shown exactly (a CR as the text `\r`, escapes.ts's literal); messages flatten line breaks.
    expect(body).toContain('| ⛔\u00a0invalid | <code>a\\|b\\`c\\<x\\>\\\\rd</code> |')
    expect(body).toContain("- invalid: `a|b'c<x>\\rd`")
    expect(body).toContain('  - error: bad \\*bold\\* \\[link\\](http://x) \\<i\\> \\| pipe')
  })

  it('renders to our markup only, whatever the run holds (CommonMark, as both forges parse comments)', () => {
    const hostile = runOf([
      ...failingRun().results,
      image('invalid', 'x\r\r![i](https://evil.example/p.png)<script>|`', {
        error: '</td></tr></table><img src=x>\n\n# heading\r| a | b |',
        sources: [{ file: 'deploy/a\r\r<b>x</b>.yaml', line: 3, column: 1 }],
      }),
    ])
    const evil = { ...meta, job: 'j\r\r<img src=x>', workflow: '`w`\n\n[x](https://evil.example)' }
    for (const forge of ['github', 'forgejo'] as const) {
      const body = renderComment(hostile, decideOutcome(hostile), {
        forge,
        repo: forge === 'github' ? github : forgejo,
        workspace: '/work/repo',
        meta: evil,
      })
      const allowed =
        forge === 'github'
          ? new Set([...SUMMARY_TAGS, 'sub'])
          : new Set([
              ...MARKDOWN_TAGS,
              'h2',
              'table',
              'thead',
              'tbody',
              'tr',
              'th',
              'td',
              'br',
              'wbr',
              'sub',
              'em',
            ])
      const shape = htmlShape(renderMarkdown(body), allowed)
      expect(shape.problems, forge).toEqual([])
      expect(shape.tags, forge).not.toContain('img')
      for (const href of shape.hrefs)
        expect(href, forge).toMatch(/^https:\/\/(github\.com|code\.example\.org)\/acme\/deploy\//)
    }
  })

  it('shows what the cache holds of signatures, attestations and SBOMs (a column when any image has some)', () => {
    const run = failingRun()
    const [nginx, api, redis] = run.results as [ImageResult, ImageResult, ImageResult]
    nginx.referrers = {
      state: 'verified',
      items: [{ kind: 'signature', subject: DIGEST, form: 'referrer', tool: 'cosign' }],
    }
    redis.referrers = { state: 'verified', items: [] }
    const signedRun = runOf([nginx, api, redis])
    const html = renderComment(signedRun, decideOutcome(signedRun), {
      forge: 'github',
      workspace: '/w',
      meta,
    })
    expect(html).toContain(
      '<tr><th>Status</th><th>Image</th><th>Digest</th><th>Referrers</th><th>Used in</th></tr>',
    )
    expect(html).toContain('<td>signed</td>')
    expect(html).toContain('<td>—</td>')
    expect(html).toContain('Referrers in Zot: 1 of 2 images signed')
    const markdown = renderComment(signedRun, decideOutcome(signedRun), {
      forge: 'forgejo',
      workspace: '/w',
      meta,
    })
    expect(markdown).toContain('| Status | Image | Digest | Referrers | Used in |')
    expect(markdown).toMatch(/\| signed \|/)
  })

  it('clean run: a short all-good comment', () => {
    const run = cleanRun()
    const body = renderComment(run, decideOutcome(run), { forge: 'github', workspace: '/w', meta })
    expect(body).toContain('<h2>✅ zot-warm: all 3 images in Zot (1 cached, 2 warmed)</h2>')
    expect(body).not.toContain('Problems and warnings')
  })

  it('stays under the limit on both forges, with a cut notice pointing at the run', () => {
    const many = runOf(
      Array.from({ length: 4000 }, (_, i) =>
        image(i % 40 === 0 ? 'failed' : 'cached', `docker.io/library/image-${i}:1.0.${i}`, {
          digest: DIGEST,
          error: i % 40 === 0 ? 'not found in Zot after sync '.repeat(5) : undefined,
          sources: [{ file: `deploy/app-${i}.yaml`, line: i + 1, column: 12 }],
        }),
      ),
    )
    for (const forge of ['github', 'forgejo'] as const) {
      const body = renderComment(many, decideOutcome(many), {
        forge,
        repo: forge === 'github' ? github : forgejo,
        workspace: '/work/repo',
        meta,
      })
      expect(body.length, forge).toBeLessThanOrEqual(COMMENT_LIMIT_CHARS)
      expect(Buffer.byteLength(body), forge).toBeGreaterThan(40_000) // the budget is used, not wasted
      expect(body, forge).toMatch(/Showing \d+ of 4000 images/)
      expect(body, forge).toMatch(/Details shown for \d+ of 100 images/)
      expect(body, forge).toContain('All results are in the')
      expect(body, forge).toContain('run #3')
    }
  })
})

describe('job summary table width', () => {
  it('the Zot reference column drops the resolved digest; the digest column shows it short', () => {
    const run = failingRun()
    const html = renderSummary(run, decideOutcome(run), { workspace: '/w' })
    expect(html).toContain('<td><code>docker-images/<wbr>library/<wbr>nginx:1.27</code></td>')
    expect(html).not.toContain(DIGEST)
  })
})
