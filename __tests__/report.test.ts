import { describe, expect, it } from 'vitest'
import type { ImageResult, Notice, Source } from '../src/model.js'
import { planAnnotations } from '../src/report/annotations.js'
import { renderComment } from '../src/report/comment.js'
import { htmlText, markdownText } from '../src/report/escape.js'
import { shortDigest, worstFirst } from '../src/report/format.js'
import { commitSha, detectForge, fileUrl, readRepoContext, repoPath } from '../src/report/links.js'
import { countResults, decideOutcome } from '../src/report/outcome.js'
import { buildReport, imagesOutput, REPORT_SCHEMA_VERSION } from '../src/report/report.js'
import { renderSummary } from '../src/report/summary.js'
import { renderProblems, renderTable, shortenMiddle, TABLE_WIDTH } from '../src/report/table.js'
import { renderTextSummary } from '../src/report/text-summary.js'
import { unprovenDigest } from '../src/rewrite/target.js'
import { diagnose, EXPLANATIONS, splitExplained } from '../src/warm/diagnose.js'
import { DIGEST as D, image as img, runOf, source as src } from './support/results.js'

const MIXED = [
  img('cached', 'docker.io/library/nginx:1.27', {
    zotReference: 'docker-images/library/nginx:1.27',
    digest: D,
    platforms: ['linux/amd64', 'linux/arm64'],
  }),
  img('failed', 'ghcr.io/acme/api:1.4.2', {
    zotReference: 'ghcr-images/acme/api:1.4.2',
    error: 'not found in Zot after sync',
    diagnosis: 'check the reference and the upstream credentials in Zot',
    sources: [src('deploy/api.yaml', 21, 16), src('compose.yaml', 5, 12)],
  }),
  img('invalid', 'nginx:Bad Tag', { error: 'tag contains a space', sources: [src('deploy/x.yaml', 3, 14)] }),
  img('unresolved', '{{ .Values.image }}', {
    error: 'Helm template not rendered',
    sources: [src('chart/t.yaml', 7, 18)],
  }),
  img('warmed', 'docker.io/library/redis:7.4', {
    zotReference: 'docker-images/library/redis:7.4',
    digest: D,
  }),
]

describe('countResults / decideOutcome', () => {
  it('counts every status, skipped = unmapped + not attempted', () => {
    const c = countResults([
      ...MIXED,
      img('skipped-unmapped', 'quay.io/a/b:1'),
      img('not-attempted', 'docker.io/library/x:1'),
    ])
    expect(c).toEqual({
      total: 7,
      cached: 1,
      warmed: 1,
      failed: 1,
      skipped: 2,
      skippedUnmapped: 1,
      notAttempted: 1,
      unresolved: 1,
      invalid: 1,
    })
  })

  it('exit 0 when everything is cached or warmed', () => {
    const o = decideOutcome(runOf([MIXED[0] as ImageResult, MIXED[4] as ImageResult]))
    expect(o).toMatchObject({ exitCode: 0, conclusion: 'success' })
    expect(o.reason).toBe('all 2 images in Zot (1 cached, 1 warmed)')
  })

  it('exit 2 in strict mode with failed and invalid images, one-line reason', () => {
    const o = decideOutcome(runOf(MIXED))
    expect(o.exitCode).toBe(2)
    expect(o.conclusion).toBe('failure')
    expect(o.reason).toBe('1 image failed, 1 invalid reference, 1 unresolved reference')
    expect(o.reason).not.toContain('\n')
  })

  it('soft mode warns with exit 0', () => {
    const o = decideOutcome(runOf(MIXED, { strict: false }))
    expect(o).toMatchObject({ exitCode: 0, conclusion: 'warning' })
    expect(o.reason).toContain('1 image failed')
  })

  it('unresolved references fail only with fail-on-unresolved', () => {
    const unresolved = [MIXED[0] as ImageResult, MIXED[3] as ImageResult]
    expect(decideOutcome(runOf(unresolved)).exitCode).toBe(2)
    const lenient = decideOutcome(runOf(unresolved, { failOnUnresolved: false }))
    expect(lenient).toMatchObject({ exitCode: 0, conclusion: 'warning', reason: '1 unresolved reference' })
  })

  it('hard failure is exit 1 in both modes', () => {
    for (const strict of [true, false]) {
      const o = decideOutcome(
        runOf([img('not-attempted', 'docker.io/library/nginx:1')], {
          strict,
          hardFailure: { message: 'Zot rejected the credentials for ci', hint: 'Check the password.' },
        }),
      )
      expect(o).toMatchObject({ exitCode: 1, conclusion: 'failure' })
      expect(o.reason).toBe('Zot rejected the credentials for ci. Check the password.')
    }
  })

  it('not-attempted images fail a strict run (cancellation) but not a plan', () => {
    const results = [MIXED[0] as ImageResult, img('not-attempted', 'docker.io/library/x:1')]
    const cancelled = decideOutcome(runOf(results, { cancelled: 'overall timeout of 10m reached' }))
    expect(cancelled.exitCode).toBe(2)
    expect(cancelled.reason).toBe('1 image not attempted (overall timeout of 10m reached)')
    const plan = decideOutcome(runOf([img('not-attempted', 'docker.io/library/x:1')], { mode: 'plan' }))
    expect(plan).toMatchObject({ exitCode: 0, conclusion: 'success', reason: '1 image planned' })
  })

  it('unreadable inputs fail a strict run; skipped images only warn', () => {
    const notices: Notice[] = [{ level: 'error', file: 'bad.yaml', line: 3, message: 'YAML syntax error' }]
    expect(decideOutcome(runOf([MIXED[0] as ImageResult], { notices })).exitCode).toBe(2)
    const skipped = decideOutcome(runOf([img('skipped-unmapped', 'quay.io/a/b:1')]))
    expect(skipped).toMatchObject({ exitCode: 0, conclusion: 'warning' })
    expect(skipped.reason).toContain('registry not in registry-map')
  })

  it('no references at all is a warning, not a failure', () => {
    expect(decideOutcome(runOf([]))).toMatchObject({ exitCode: 0, conclusion: 'warning' })
  })
})

describe('JSON report', () => {
  it('has the documented shape, null for absent values, every image with its sources', () => {
    const run = runOf(MIXED)
    const report = buildReport(run, decideOutcome(run))
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION)
    expect(report.summary).toMatchObject({
      total: 5,
      cached: 1,
      warmed: 1,
      failed: 1,
      invalid: 1,
      unresolved: 1,
    })
    expect(report.outcome).toEqual({
      exitCode: 2,
      conclusion: 'failure',
      reason: '1 image failed, 1 invalid reference, 1 unresolved reference',
    })
    expect(report.zot).toEqual({ url: 'https://zot.example.com', version: 'v2.1.20' })
    const invalid = report.images.find((i) => i.status === 'invalid')
    expect(invalid).toMatchObject({
      reference: 'nginx:Bad Tag',
      zotReference: null,
      digest: null,
      platforms: [],
      error: 'tag contains a space',
      diagnosis: null,
    })
    expect(invalid?.sources[0]).toMatchObject({ file: 'deploy/x.yaml', line: 3, column: 14, kind: null })
    const failed = report.images.find((i) => i.status === 'failed')
    expect(failed?.sources.map((s) => `${s.file}:${s.line}:${s.column}`)).toEqual([
      'deploy/api.yaml:21:16',
      'compose.yaml:5:12',
    ])
    // Round-trips through JSON without loss.
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
  })

  it('the images output is compact JSON without sources', () => {
    const out = JSON.parse(imagesOutput(runOf(MIXED)).json)
    expect(out).toHaveLength(5)
    expect(out[0]).toEqual({
      reference: 'docker.io/library/nginx:1.27',
      status: 'cached',
      zotReference: 'docker-images/library/nginx:1.27',
      digest: D,
      platforms: ['linux/amd64', 'linux/arm64'],
    })
    expect(out[0].sources).toBeUndefined()
  })
})

/** The cells of a table line (columns are separated by at least two spaces). */
const cells = (line: string) => line.split(/ {2,}/)

describe('plain-text table', () => {
  it('is aligned, worst first, one row per image', () => {
    const text = renderTable(MIXED, 'warm', 1000)
    const lines = text.split('\n')
    expect(lines).toHaveLength(6)
    expect(lines[0]).toMatch(/^STATUS\s+IMAGE\s+ZOT REFERENCE\s+DIGEST\s+PLATFORMS\s+TIME\s+USED IN$/)
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([
      'failed',
      'invalid',
      'unresolved',
      'warmed',
      'cached',
    ])
    // Every column starts at the same offset on every line.
    const col = (l: string) => l.indexOf('ZOT REFERENCE')
    const at = col(lines[0] as string)
    expect(lines[1]?.slice(at)).toMatch(/^ghcr-images\/acme\/api:1\.4\.2/)
    expect(lines[5]?.slice(at)).toMatch(/^docker-images\/library\/nginx:1\.27/)
    expect(lines[1]).toContain('deploy/api.yaml:21 (+1)')
    expect(lines[5]).toContain(`sha256:${'ab'.repeat(6)}`)
    expect(lines[5]).toContain('linux/amd64,arm64')
  })

  it('calls plan-mode images planned, leaves the resolved digest to the DIGEST column, shortens pins', () => {
    const planned = renderTable(
      [img('not-attempted', 'docker.io/library/a:1', { zotReference: 'hub/library/a:1' })],
      'plan',
    )
    expect(planned.split('\n')[1]).toMatch(/^planned +docker\.io\/library\/a:1 +hub\/library\/a:1 /)
    expect(renderTable([img('not-attempted', 'docker.io/library/a:1')], 'warm')).toContain('not attempted')
    const resolved = renderTable([
      img('cached', 'docker.io/library/a:1', { zotReference: `hub/library/a:1@${D}`, digest: D }),
      img('cached', `docker.io/library/b@${D}`, { zotReference: `hub/library/b@${D}`, digest: D }),
    ])
    expect(resolved).toMatch(/ hub\/library\/a:1 +(?:sha256:)?abab/)
    // Digest-only references do not fit in 120 columns: digests are cut to 12 hex digits, then the middle.
    const b = cells(resolved.split('\n')[2] as string)
    expect(b[0]).toBe('cached')
    expect(b[1]).toMatch(/^docker\.io\/libra[^ ]*…[^ ]*(?:ab){4}…$/)
    expect(b[2]).toMatch(/^hub\/library\/b[^ ]*…[^ ]*(?:ab){4}…$/)
    for (const line of resolved.split('\n')) expect([...line].length).toBeLessThanOrEqual(TABLE_WIDTH)
    // Short digests in every table, even one with room for the full ones (the JSON report has them).
    const roomy = renderTable(
      [img('cached', `docker.io/library/b@${D}`, { zotReference: `hub/library/b@${D}`, digest: D })],
      'warm',
      1000,
    )
    expect(roomy).toContain(
      `docker.io/library/b@sha256:${'ab'.repeat(6)}…  hub/library/b@sha256:${'ab'.repeat(6)}…`,
    )
    expect(roomy).not.toContain(D)
  })

  it('fits a 120-column terminal: platforms and the Zot reference give way first, references in the middle, places keep the file name', () => {
    const long = (n: number) => `ghcr.io/acme/${'very-long-name-'.repeat(n)}service:1.2.3`
    const text = renderTable([
      ...MIXED,
      img('cached', long(6), {
        zotReference: long(6).replace('ghcr.io', 'ghcr-images'),
        digest: D,
        platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/ppc64le', 'linux/s390x'],
        sources: [src('clusters/production/eu-west-1/apps/very/deep/path/deployment.yaml', 1234, 3)],
      }),
    ])
    const lines = text.split('\n')
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(TABLE_WIDTH)
    const row = cells(lines.find((l) => l.includes('…service:1.2.3')) as string)
    // Both ends of a reference stay (the registry and the tag); a place keeps its file name and line, its
    // directories give way, leaving at least `…/` (a place without it would read as a top-level file; the
    // name gives up two characters for it here).
    expect(row[1]).toMatch(/^ghcr\.io\/acme\/[^ ]*…[^ ]*service:1\.2\.3$/)
    expect(row[2]).toMatch(/^ghcr-image[^ ]*…[^ ]*:1\.2\.3$/)
    expect(row[6]).toMatch(/^(?:clusters\/[^ ]*)?…[^ ]*\/deplo[^ ]*\.yaml:1234$/)
    // Platforms are cut at a platform, the rest counted.
    expect(row[4]).toMatch(/^linux\/amd64(?:,[a-z0-9/]+)*,\+[1-4]$/)
    // The ordinary rows beside it keep their full references.
    expect(text).toContain('ghcr.io/acme/api:1.4.2')
    expect(lines[0]).toMatch(/^STATUS\s+IMAGE\s+ZOT REFERENCE\s+DIGEST\s+PLATFORMS\s+TIME\s+USED IN$/)
    // A table that fits is left as it is.
    expect(renderTable(MIXED, 'warm', 1000)).toContain('docker-images/library/nginx:1.27')
    expect(shortenMiddle('abcdefghij', 5)).toBe('ab…ij')
    expect(shortenMiddle('abc', 5)).toBe('abc')
  })

  it('leaves out the columns no row has anything in: plan mode shows image, Zot reference and place', () => {
    const planned = [
      img('not-attempted', 'docker.io/library/nginx:1.27', {
        zotReference: 'docker-images/library/nginx:1.27',
      }),
      img('invalid', 'nginx:Bad Tag', { sources: [src('deploy/x.yaml', 3, 14)] }),
    ]
    const lines = renderTable(planned, 'plan').split('\n')
    expect(lines[0]).toMatch(/^STATUS +IMAGE +ZOT REFERENCE +USED IN$/)
    expect(cells(lines[2] as string)).toEqual([
      'planned',
      'docker.io/library/nginx:1.27',
      'docker-images/library/nginx:1.27',
      'deploy/app.yaml:10',
    ])
    // A column with something in one row stays, `-` in the others.
    const warm = renderTable([...planned, img('cached', 'docker.io/library/a:1', { digest: D })], 'warm')
    expect(warm.split('\n')[0]).toMatch(/^STATUS +IMAGE +ZOT REFERENCE +DIGEST +TIME +USED IN$/)
    expect(cells(warm.split('\n')[1] as string)).toEqual([
      'invalid',
      'nginx:Bad Tag',
      '-',
      '-',
      '-',
      'deploy/x.yaml:3',
    ])
    // Nothing but an image list: no Zot reference, digest, platforms or time to show.
    expect(renderTable([img('invalid', 'a b')], 'warm').split('\n')[0]).toBe('STATUS   IMAGE  USED IN')
  })

  it('keeps the file name and line of a place: the directories give way in the middle', () => {
    const deep = 'clusters/production/eu-west-1/platform/cert-manager/cert-manager-controller.yaml'
    const operator = (line: number, runtime?: 'arg' | 'env', more = 0) => [
      { ...src(deep, line, 44), ...(runtime ? { runtime, runtimeName: '--acme-http01-solver-image' } : {}) },
      ...Array.from({ length: more }, (_, i) => src(`other/${i}.yaml`, 1)),
    ]
    const results = [
      img('cached', 'quay.io/jetstack/cert-manager-controller:v1.15.3', {
        zotReference: 'quay-images/jetstack/cert-manager-controller:v1.15.3',
        digest: D,
        platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x', 'linux/ppc64le'],
        sources: operator(9),
      }),
      img('cached', 'quay.io/jetstack/cert-manager-acmesolver:v1.15.3', {
        zotReference: 'quay-images/jetstack/cert-manager-acmesolver:v1.15.3',
        digest: D,
        platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x', 'linux/ppc64le'],
        sources: operator(11, 'arg'),
      }),
      img('cached', 'quay.io/jetstack/cert-manager-webhook:v1.15.3', {
        zotReference: 'quay-images/jetstack/cert-manager-webhook:v1.15.3',
        digest: D,
        platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x', 'linux/ppc64le'],
        sources: operator(14, 'env', 2),
      }),
    ]
    for (const mode of ['warm', 'plan']) {
      const shown =
        mode === 'plan'
          ? results.map((r) => ({
              ...r,
              status: 'not-attempted' as const,
              digest: undefined,
              platforms: undefined,
            }))
          : results
      const lines = renderTable(shown, mode).split('\n')
      for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(TABLE_WIDTH)
      const places = lines.slice(1, 4).map((l) => cells(l).at(-1))
      // The start of the name (after the start of its directories when it fits whole, else after `…/` and
      // cut in its middle, so that the place does not read as a top-level file), the line and the marks.
      expect(places[0]).toMatch(/^(?:clus[^ ]*)?…[^ ]*\/cert-m[^ ]*\.yaml:9$/)
      expect(places[1]).toMatch(/^(?:clus[^ ]*)?…[^ ]*\/cert-m[^ ]*\.yaml:11 \(rt\)$/)
      // The narrowest: the name before the mark.
      expect(places[2]).toMatch(/^(?:(?:clus[^ ]*)?…[^ ]*\/)?cert-m[^ ]*\.yaml:14 \(rt\) \(\+2\)$/)
      expect(lines.at(-1)).toMatch(/^\(rt\) runtime image: /)
      if (mode === 'plan') {
        // Without the empty columns: the file names whole, the references cut less.
        expect(lines[0]).toMatch(/^STATUS +IMAGE +ZOT REFERENCE +USED IN$/)
        expect(cells(lines[2] as string)[1]).toMatch(/^quay\.io\/jetstack\/[^ ]*…[^ ]*acmesolver:v1\.15\.3$/)
        expect(places[0]).toMatch(/^clus[^ ]*…[^ ]*\/cert-manager-controller\.yaml:9$/)
        expect(places[1]).toMatch(/(?:^|\/)cert-manager-controller\.yaml:11 \(rt\)$/)
      }
    }
    // Wide enough: the whole path.
    expect(renderTable(results, 'warm', 300)).toContain(`  ${deep}:14 (rt) (+2)`)
  })

  it('lists problems with error and diagnosis', () => {
    const text = renderProblems(MIXED)
    expect(text).toContain('failed: ghcr.io/acme/api:1.4.2')
    expect(text).toContain('diagnosis: check the reference')
    expect(text).toContain('used in:   deploy/api.yaml:21, compose.yaml:5')
    expect(text).not.toContain('nginx:1.27')
  })
})

describe('links', () => {
  const env = {
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/deploy',
    GITHUB_SHA: 'f'.repeat(40),
    GITHUB_WORKSPACE: '/work/repo',
  }

  it('GitHub blob links at the commit; PR events use the head sha', () => {
    const ctx = readRepoContext(env)
    expect(ctx && fileUrl(ctx, 'deploy/app one.yaml', 12)).toBe(
      `https://github.com/acme/deploy/blob/${'f'.repeat(40)}/deploy/app%20one.yaml#L12`,
    )
    const head = 'a'.repeat(40)
    const event = JSON.stringify({ pull_request: { head: { sha: head } } })
    expect(commitSha({ ...env, GITHUB_EVENT_PATH: '/e.json' }, () => event)).toBe(head)
    expect(
      commitSha({ ...env, GITHUB_EVENT_PATH: '/missing.json' }, () => {
        throw new Error('ENOENT')
      }),
    ).toBe('f'.repeat(40))
  })

  it('Forgejo uses /src/commit/ and is detected without mistaking GitHub Enterprise', () => {
    expect(detectForge({ FORGEJO_ACTIONS: 'true' })).toBe('forgejo')
    expect(detectForge({ GITHUB_API_URL: 'https://code.example.org/api/v1' })).toBe('forgejo')
    expect(
      detectForge({
        GITHUB_SERVER_URL: 'https://ghe.example.com',
        GITHUB_API_URL: 'https://ghe.example.com/api/v3',
      }),
    ).toBe('github')
    const ctx = readRepoContext({
      ...env,
      GITHUB_SERVER_URL: 'https://code.example.org/',
      FORGEJO_ACTIONS: 'true',
    })
    expect(ctx && fileUrl(ctx, 'a/b.yaml', 3)).toBe(
      `https://code.example.org/acme/deploy/src/commit/${'f'.repeat(40)}/a/b.yaml#L3`,
    )
  })

  it('maps workspace paths into the repository, nothing outside it', () => {
    const ctx = { root: '/work/repo' }
    expect(repoPath(ctx, '/work/repo/charts', 'out/x.yaml')).toBe('charts/out/x.yaml')
    expect(repoPath(ctx, '/tmp/rendered', 'x.yaml')).toBeUndefined()
    expect(readRepoContext({ GITHUB_REPOSITORY: 'a/b' })).toBeUndefined()
  })
})

describe('job summary', () => {
  const repo = {
    forge: 'github' as const,
    serverUrl: 'https://github.com',
    repository: 'acme/deploy',
    sha: 'c'.repeat(40),
    root: '/work/repo',
  }

  it('has header, counts, a row per image with links, and failure details', () => {
    const run = runOf(MIXED)
    const html = renderSummary(run, decideOutcome(run), {
      repo,
      workspace: '/work/repo',
      reportPath: '/tmp/r.json',
    })
    expect(html).toContain(
      '<h2>❌ zot-warm: failed: 1 image failed, 1 invalid reference, 1 unresolved reference</h2>',
    )
    expect(html).toContain(
      '<b>Zot</b> <code>https://zot.example.com</code> · version <code>v2.1.20</code> · mode <b>warm</b> · strict',
    )
    expect(html).toContain('<tr><td>5</td><td>1</td><td>1</td><td>1</td><td>0</td><td>1</td><td>1</td></tr>')
    expect(html).toContain(
      `<a href="https://github.com/acme/deploy/blob/${'c'.repeat(40)}/deploy/api.yaml#L21">deploy/<wbr>api.yaml:21</a>`,
    )
    expect(html).toContain(`<code>sha256:${'ab'.repeat(6)}</code><br>linux/amd64, linux/arm64`)
    expect(html).toContain('<b>Diagnosis:</b> check the reference and the upstream credentials in Zot')
    expect(html.match(/<tr><td>/g)).toHaveLength(6) // counts row + 5 images
    expect(html).not.toContain('✂️')
    // Worst first.
    expect(html.indexOf('api:1.4.2')).toBeLessThan(html.indexOf('redis:7.4'))
    // An HTML block must not be ended by a blank line.
    expect(html).not.toMatch(/\n\s*\n/)
  })

  it('escapes what users wrote', () => {
    const nasty = img('invalid', 'x|<script>alert(1)</script>`*_', {
      error: 'bad "quote" & <tag>\nnext line',
    })
    const run = runOf([nasty])
    const html = renderSummary(run, decideOutcome(run), { workspace: '/w' })
    expect(html).not.toContain('<script>')
    expect(html).toContain('x|&lt;script&gt;alert(1)&lt;/<wbr>script&gt;`*_')
    expect(html).toContain('bad &quot;quote&quot; &amp; &lt;tag&gt; next line')
    expect(htmlText('a\nb')).toBe('a b')
  })

  it('never shows credentials: only the configured URL, no links without repository context', () => {
    const run = runOf(MIXED)
    const html = renderSummary(run, decideOutcome(run), { workspace: '/w' })
    expect(html).not.toContain('<a href')
    expect(html).toContain('deploy/<wbr>api.yaml:21')
  })

  it('cuts rows, worst kept, under the budget and says so', () => {
    const many: ImageResult[] = []
    for (let i = 0; i < 3000; i++)
      many.push(
        img(i % 100 === 0 ? 'failed' : 'cached', `docker.io/library/image-${i}:1.0.${i}`, {
          zotReference: `docker-images/library/image-${i}:1.0.${i}`,
          digest: D,
          error: i % 100 === 0 ? 'sync failed' : undefined,
        }),
      )
    const run = runOf(many)
    const budget = 200 * 1024
    const html = renderSummary(run, decideOutcome(run), {
      workspace: '/w',
      reportPath: '/tmp/report.json',
      budgetBytes: budget,
    })
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(budget)
    const shown = Number(/Showing (\d+) of 3000 images/.exec(html)?.[1])
    expect(shown).toBeGreaterThan(100)
    expect(shown).toBeLessThan(3000)
    expect(html).toContain('<code>/tmp/report.json</code>')
    // All 30 failures survive the cut.
    expect(html.match(/❌\u00a0failed<\/td>/g)).toHaveLength(30)
  })

  it('hard failure is shown with its hint; cancellation is stated', () => {
    const run = runOf([img('not-attempted', 'docker.io/library/a:1')], {
      hardFailure: { message: 'Zot at https://zot.example.com is unreachable', hint: 'Check zot-url.' },
    })
    const html = renderSummary(run, decideOutcome(run), { workspace: '/w' })
    expect(html).toContain('<p><b>Zot at https://zot.example.com is unreachable</b><br>Check zot-url.</p>')
    const cancelled = runOf([img('not-attempted', 'docker.io/library/a:1')], {
      cancelled: 'cancelled by SIGTERM',
    })
    expect(renderSummary(cancelled, decideOutcome(cancelled), { workspace: '/w' })).toContain(
      '<b>stopped early: cancelled by SIGTERM</b>',
    )
  })

  it('Forgejo text summary: readable Markdown with the aligned table and linked problems, within budget', () => {
    const run = runOf(MIXED)
    const forgejo = { ...repo, forge: 'forgejo' as const, serverUrl: 'https://code.example.org' }
    const text = renderTextSummary(run, decideOutcome(run), {
      repo: forgejo,
      workspace: '/work/repo',
      reportPath: '/tmp/r.json',
    })
    expect(text).toContain('## ❌ zot-warm: failed: 1 image failed')
    expect(text).toContain('total 5 · cached 1 · warmed 1 · failed 1 · skipped 0 · unresolved 1 · invalid 1')
    expect(text).toContain(`\`\`\`text\n${renderTable(MIXED)}\n\`\`\``)
    expect(text).toContain(
      `- failed: \`ghcr.io/acme/api:1.4.2\`\n  - error: not found in Zot after sync\n  - diagnosis: check the reference and the upstream credentials in Zot\n  - used in: [deploy/api.yaml:21](https://code.example.org/acme/deploy/src/commit/${'c'.repeat(40)}/deploy/api.yaml#L21), [compose.yaml:5](`,
    )
    expect(text).not.toContain('<')
    const many = Array.from({ length: 2000 }, (_, i) => img('cached', `docker.io/library/image-${i}:1`))
    const big = renderTextSummary(runOf(many), decideOutcome(runOf(many)), { budgetBytes: 50_000 })
    expect(Buffer.byteLength(big)).toBeLessThanOrEqual(50_000)
    expect(big).toMatch(/Showing \d+ of 2000 images/)
  })

  it('Forgejo text summary: a hard failure whose message renders empty (a lone NEL) is no thematic break', () => {
    for (const message of ['', ' ', '\u0085', '\u2028']) {
      const run = runOf([], { hardFailure: { message, hint: '' } })
      const text = renderTextSummary(run, decideOutcome(run), { workspace: '/w' })
      expect(
        text.split('\n').filter((l) => /^\s*(?:\*\s*){3,}$/.test(l)),
        JSON.stringify(message),
      ).toEqual([])
    }
  })
})

describe('rewrite in the outcome, the report and the summaries', () => {
  const ALIAS_WHY =
    'reached through the alias *api, whose anchored text is not an image field rewritten here; write the reference itself in place of the alias, or put the anchor on the image field it copies'
  const rewritten = img('cached', 'docker.io/library/nginx:1.27', {
    digest: D,
    rewrittenAs: `zot.example.com/docker-images/library/nginx:1.27@${D}`,
  })
  const partly = img('warmed', 'ghcr.io/acme/api:2', {
    digest: D,
    warnings: [`not rewritten at deploy/app.yaml:14:9: ${ALIAS_WHY}`],
  })
  const summary = {
    mode: 'zot' as const,
    output: '/runner/temp/zot-warm-rewritten',
    inPlace: false,
    written: true,
    files: 3,
    changedFiles: 2,
    rewritten: 4,
    unchanged: 0,
    left: [
      {
        reference: 'ghcr.io/acme/api:2',
        where: 'deploy/app.yaml:14:9',
        places: 1,
        why: ALIAS_WHY,
      },
      {
        reference: 'quay.io/x/y:1',
        where: 'deploy/app.yaml:20:9',
        places: 2,
        why: 'its registry is not in registry-map',
      },
    ],
    problems: [],
    unwritable: [
      { reference: 'ghcr.io/acme/api:2', file: 'deploy/app.yaml', line: 14, column: 9, why: ALIAS_WHY },
    ],
  }
  const unmapped = img('skipped-unmapped', 'quay.io/x/y:1')

  it('places left for warm images warn in soft mode, fail a strict run; so do unwritten files', () => {
    const soft = runOf([rewritten, partly, unmapped], { rewrite: summary, strict: false })
    expect(decideOutcome(soft)).toMatchObject({
      exitCode: 0,
      conclusion: 'warning',
      reason: '1 image skipped (registry not in registry-map), 1 reference to warm images not rewritten',
    })
    // Strict: the rewrite stage wrote nothing (held), and the run fails for that place.
    const strict = runOf([rewritten, partly, unmapped], {
      rewrite: {
        ...summary,
        written: false,
        held: '1 reference to warm images cannot be rewritten in place',
      },
    })
    expect(decideOutcome(strict)).toMatchObject({
      exitCode: 2,
      conclusion: 'failure',
      reason:
        '1 reference to warm images cannot be rewritten in place; 1 image skipped (registry not in registry-map)',
    })
    const broken = runOf([rewritten], {
      rewrite: {
        ...summary,
        left: [],
        unwritable: [],
        problems: [{ file: 'deploy/app.yaml', message: 'permission denied (EACCES)' }],
      },
    })
    expect(decideOutcome(broken)).toMatchObject({ exitCode: 2, reason: '1 manifest file not written' })
  })

  it('rewrittenAs is in the report (null when not rewritten) and in the summaries', () => {
    const run = runOf([rewritten, partly, unmapped], { rewrite: summary, strict: false })
    const outcome = decideOutcome(run)
    const report = buildReport(run, outcome)
    expect(report.images.map((i) => i.rewrittenAs)).toEqual([rewritten.rewrittenAs, null, null])
    const line =
      'rewrite zot: 4 references rewritten in 2 files, 3 files written to /runner/temp/zot-warm-rewritten; 3 places left as written (see the warnings and statuses)'
    const html = renderSummary(run, outcome, { workspace: '/w' })
    expect(html).toContain(`<p>📝 ${line}</p>`)
    expect(html).toContain(`<b>Warning:</b> not rewritten at deploy/app.yaml:14:9: ${ALIAS_WHY}`)
    const text = renderTextSummary(run, outcome)
    expect(text).toContain(line.replace(/\*/g, '\\*'))
    const held = runOf([rewritten], {
      rewrite: { ...summary, written: false, held: 'the run failed (1 image failed)', unwritable: [] },
    })
    expect(renderSummary(held, decideOutcome(held), { workspace: '/w' })).toContain(
      '<p>📝 rewrite zot: nothing written: the run failed (1 image failed)</p>',
    )
  })
  it('a place rewrite cannot replace: listed in the summaries and annotated at its line, an error when strict', () => {
    const held = {
      ...summary,
      written: false,
      held: '1 reference to warm images cannot be rewritten in place',
    }
    const strict = runOf([rewritten, partly], { rewrite: held })
    const outcome = decideOutcome(strict)
    expect(outcome.reason).toBe('1 reference to warm images cannot be rewritten in place')
    const note = `ghcr.io/acme/api:2 cannot be rewritten here (rewrite: zot), so the deploy would pull it from upstream: ${ALIAS_WHY}`
    expect(planAnnotations(strict)).toEqual([
      {
        level: 'error',
        title: 'reference cannot be rewritten',
        message: note,
        file: 'deploy/app.yaml',
        line: 14,
        column: 9,
        where: 'deploy/app.yaml:14:9',
      },
    ])
    expect(planAnnotations({ ...strict, strict: false })[0]?.level).toBe('warning')
    const html = renderSummary(strict, outcome, { workspace: '/w' })
    expect(html).toContain(
      '<h2>❌ zot-warm: failed: 1 reference to warm images cannot be rewritten in place</h2>',
    )
    expect(html).toContain(
      '<p>📝 rewrite zot: nothing written: 1 reference to warm images cannot be rewritten in place</p>\n' +
        '<p><b>This reference to warm images cannot be rewritten in place: the deploy would pull it from upstream (strict: nothing was written).</b></p>\n' +
        `<ul>\n<li>❌ deploy/<wbr>app.yaml:14 <code>ghcr.io/<wbr>acme/<wbr>api:2</code>: ${htmlText(ALIAS_WHY)}</li>\n</ul>\n`,
    )
    const text = renderTextSummary(strict, outcome)
    expect(text).toContain(
      '**This reference to warm images cannot be rewritten in place: the deploy would pull it from upstream (strict: nothing was written).**\n\n' +
        `- ❌ deploy/app.yaml:14 \`ghcr.io/acme/api:2\`: ${ALIAS_WHY.replace(/\*/g, '\\*')}\n`,
    )
  })
})

describe('annotations', () => {
  it('one per site of failed, invalid and unresolved references, errors in strict mode', () => {
    const a = planAnnotations(runOf(MIXED))
    expect(a.map((x) => `${x.level} ${x.file}:${x.line}:${x.column} ${x.title}`)).toEqual([
      'error deploy/api.yaml:21:16 image not warmed',
      'error deploy/x.yaml:3:14 invalid image reference',
      'error chart/t.yaml:7:18 unresolved image reference',
      'error compose.yaml:5:12 image not warmed',
    ])
    expect(a[0]?.message).toBe(
      'ghcr.io/acme/api:1.4.2 failed: not found in Zot after sync. check the reference and the upstream credentials in Zot',
    )
  })

  it('warnings in soft mode; unresolved only warns without fail-on-unresolved', () => {
    expect(new Set(planAnnotations(runOf(MIXED, { strict: false })).map((a) => a.level))).toEqual(
      new Set(['warning']),
    )
    const lenient = planAnnotations(runOf(MIXED, { failOnUnresolved: false }))
    expect(lenient.find((a) => a.title === 'unresolved image reference')?.level).toBe('warning')
  })

  it('stays within the per-level limit: worst first, one aggregated line, reserve honoured', () => {
    const results = [
      ...Array.from({ length: 12 }, (_, i) =>
        img('unresolved', `{{ v${i} }}`, { sources: [src('a.yaml', i + 1)] }),
      ),
      ...Array.from({ length: 12 }, (_, i) =>
        img('failed', `docker.io/library/f${i}:1`, { sources: [src('b.yaml', i + 1)] }),
      ),
    ]
    const a = planAnnotations(runOf(results), { reserve: { error: 1 } })
    expect(a).toHaveLength(9)
    expect(a.slice(0, 8).every((x) => x.title === 'image not warmed')).toBe(true)
    const last = a[8]
    expect(last?.file).toBeUndefined()
    expect(last?.message).toBe(
      '… and 16 more (4 × image not warmed, 12 × unresolved image reference): see the job summary and the JSON report.',
    )
  })

  it('every image gets its first site before any image gets a second', () => {
    const results = Array.from({ length: 6 }, (_, i) =>
      img('failed', `docker.io/library/f${i}:1`, { sources: [src(`f${i}.yaml`, 1), src(`g${i}.yaml`, 1)] }),
    )
    const files = planAnnotations(runOf(results)).map((a) => a.file)
    expect(files.slice(0, 6)).toEqual(['f0.yaml', 'f1.yaml', 'f2.yaml', 'f3.yaml', 'f4.yaml', 'f5.yaml'])
    expect(files).toHaveLength(10)
  })

  it('directly given references have no file; files outside the repository are named in the text', () => {
    const r = [
      img('failed', 'docker.io/library/a:1', { sources: [{ file: '<images input>', line: 2, column: 1 }] }),
      img('failed', 'docker.io/library/b:1', { sources: [src('rendered.yaml', 4)] }),
    ]
    const a = planAnnotations(runOf(r), { toRepoPath: () => undefined })
    expect(a[0]?.file).toBeUndefined()
    expect(a[1]?.file).toBeUndefined()
    expect(a[1]?.message).toContain('(in rendered.yaml:4)')
  })

  it('input problems are annotated too', () => {
    const notices: Notice[] = [
      { level: 'error', file: 'bad.yaml', line: 3, column: 1, message: 'YAML syntax error' },
      { level: 'warning', file: 'big.bin', message: 'binary file skipped' },
    ]
    const a = planAnnotations(runOf([], { notices }))
    expect(a).toEqual([
      {
        level: 'error',
        title: 'input problem',
        message: 'YAML syntax error',
        file: 'bad.yaml',
        line: 3,
        column: 1,
        where: 'bad.yaml:3:1',
      },
      {
        level: 'warning',
        title: 'input warning',
        message: 'binary file skipped',
        file: 'big.bin',
        line: 1,
        column: 1,
        where: 'big.bin',
      },
    ])
  })
})

describe('format helpers', () => {
  it('shortDigest and worstFirst', () => {
    expect(shortDigest(D)).toBe(`sha256:${'ab'.repeat(6)}`)
    expect(shortDigest(undefined)).toBe('')
    expect(worstFirst(MIXED).map((r) => r.status)).toEqual([
      'failed',
      'invalid',
      'unresolved',
      'warmed',
      'cached',
    ])
  })
})

describe('runtime sources (images the workload starts later)', () => {
  const flag: Source = {
    file: 'deploy/operator.yaml',
    line: 27,
    column: 44,
    field: 'spec.template.spec.containers[0].args[2]',
    runtime: 'arg',
    runtimeName: '--prometheus-config-reloader',
  }
  const env: Source = {
    file: 'deploy/olm.yaml',
    line: 18,
    column: 22,
    field: 'spec.template.spec.containers[0].env[RELATED_IMAGE_DB]',
    runtime: 'env',
    runtimeName: 'RELATED_IMAGE_DB',
  }
  const failed = img('failed', 'quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0', {
    error: 'not found in Zot after sync',
    sources: [flag, env, src('deploy/prometheus.yaml', 9, 14)],
  })

  it('are marked in the log table (a short mark, said in its legend) and the problem list', () => {
    // The 120-column table keeps the place and a short mark; the problem lines name the flag.
    const lines = renderTable([failed]).split('\n')
    expect(lines[1]).toMatch(/ deploy\/operator\.yaml:27 \(rt\) \(\+2\)$/)
    expect(lines.slice(2)).toEqual([
      '',
      '(rt) runtime image: named by a container flag or env value; the workload pulls it later',
    ])
    // No runtime place in the table, no legend.
    expect(renderTable([img('failed', 'ghcr.io/acme/api:1.4.2')]).split('\n')).toHaveLength(2)
    expect(renderProblems([failed])).toContain(
      'used in:   deploy/operator.yaml:27 (runtime: arg --prometheus-config-reloader), deploy/olm.yaml:18 (runtime: env RELATED_IMAGE_DB), deploy/prometheus.yaml:9',
    )
  })

  it('are marked in the job summary (escaped) and the Forgejo text summary', () => {
    const run = runOf([failed])
    const repo = {
      forge: 'github' as const,
      serverUrl: 'https://github.com',
      repository: 'acme/deploy',
      sha: 'c'.repeat(40),
      root: '/work/repo',
    }
    const html = renderSummary(run, decideOutcome(run), { repo, workspace: '/work/repo' })
    expect(html).toContain(
      `<a href="https://github.com/acme/deploy/blob/${'c'.repeat(40)}/deploy/operator.yaml#L27">deploy/<wbr>operator.yaml:27 (runtime: arg --prometheus-config-reloader)</a>`,
    )
    expect(html).toContain('deploy/<wbr>olm.yaml:18 (runtime: env RELATED_IMAGE_DB)')
    const text = renderTextSummary(run, decideOutcome(run), {})
    expect(text).toContain('deploy/olm.yaml:18 (runtime: env RELATED\\_IMAGE\\_DB)')
    // The fenced table: its row, then the legend of its mark, inside the fence.
    expect(text).toMatch(
      /\n[^\n]* deploy\/operator\.yaml:27 \(rt\) \(\+2\)\n\n\(rt\) runtime image: [^\n]*\n```\n/,
    )
  })

  it('say so in their annotation, at the reference itself', () => {
    const notes = planAnnotations(runOf([failed]))
    expect(notes.map((n) => [n.file, n.line, n.column, n.message])).toEqual([
      [
        'deploy/operator.yaml',
        27,
        44,
        'quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0 failed: not found in Zot after sync (runtime: arg --prometheus-config-reloader: the workload starts this image later)',
      ],
      [
        'deploy/olm.yaml',
        18,
        22,
        'quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0 failed: not found in Zot after sync (runtime: env RELATED_IMAGE_DB: the workload starts this image later)',
      ],
      [
        'deploy/prometheus.yaml',
        9,
        14,
        'quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0 failed: not found in Zot after sync',
      ],
    ])
  })

  it('carry runtime and runtimeName in the JSON report, null for image fields', () => {
    const run = runOf([failed])
    const sources = buildReport(run, decideOutcome(run)).images[0]?.sources
    expect(sources?.map((s) => [s.runtime, s.runtimeName, s.field])).toEqual([
      ['arg', '--prometheus-config-reloader', 'spec.template.spec.containers[0].args[2]'],
      ['env', 'RELATED_IMAGE_DB', 'spec.template.spec.containers[0].env[RELATED_IMAGE_DB]'],
      [null, null, null],
    ])
  })
})

describe('an explanation several images share is said once per run', () => {
  const digest = (n: number) => `sha256:${String(n).repeat(64)}`
  const unsigned = [1, 2, 3].map((n) =>
    img('failed', `docker.io/acme/app${n}:1`, {
      digest: digest(n),
      error: `no signature of hub/acme/app${n}@${digest(n)} in Zot (referrers: require-signed)`,
      diagnosis: diagnose({
        kind: 'unsigned',
        what: `hub/acme/app${n}@${digest(n)}`,
        verified: true,
        mode: 'warm',
        copied: true,
      }),
      referrers: { state: 'verified', items: [] },
      sources: [src(`deploy/app${n}.yaml`, 12, 18)],
    }),
  )
  const unpinned = [4, 5].map((n) =>
    img('warmed', `docker.io/library/web${n}:1`, {
      digest: digest(n),
      warnings: [`not rewritten: ${unprovenDigest(digest(n), { state: 'verified', items: [] })}`],
    }),
  )
  const run = runOf([...unsigned, ...unpinned])
  const outcome = decideOutcome(run)
  const BRIEF = "Zot holds no signature of the image's digest after copying its referrers."
  const UNSIGNED = EXPLANATIONS.unsigned
  const DIGEST = EXPLANATIONS.digestUnproven
  const count = (text: string, part: string) => text.split(part).length - 1

  it('each message is the image’s own sentence followed by the shared explanation, which the report keeps whole', () => {
    expect(unsigned[0]?.diagnosis).toBe(`${BRIEF} ${UNSIGNED.text}`)
    expect(splitExplained(unsigned[0]?.diagnosis as string)).toEqual({ brief: BRIEF, explanation: UNSIGNED })
    expect(splitExplained('no explanation here')).toEqual({ brief: 'no explanation here' })
    const report = buildReport(run, outcome)
    expect(report.images.slice(0, 3).map((i) => i.diagnosis)).toEqual(unsigned.map((r) => r.diagnosis))
    expect(report.images[3]?.warnings[0]).toContain(DIGEST.text)
  })

  it('the job summary and the comment: one short line per image, each explanation once below them', () => {
    const html = renderSummary(run, outcome, { workspace: '/w' })
    const comment = renderComment(run, outcome, {
      forge: 'github',
      workspace: '/w',
      meta: { key: 'k', run: { id: 1, attempt: 1 }, runLabel: 'run #1' },
    })
    const forgejo = renderComment(run, outcome, {
      forge: 'forgejo',
      workspace: '/w',
      meta: { key: 'k', run: { id: 1, attempt: 1 }, runLabel: 'run #1' },
    })
    for (const body of [html, comment]) {
      expect(count(body, htmlText(UNSIGNED.text, 4000))).toBe(1)
      expect(count(body, htmlText(DIGEST.text, 4000))).toBe(1)
      expect(count(body, `<b>Diagnosis:</b> ${htmlText(BRIEF)} (see “${UNSIGNED.title}” below)`)).toBe(3)
      expect(count(body, `<h4>ℹ️ ${UNSIGNED.title}</h4>`)).toBe(1)
      expect(
        count(body, htmlText("may not be upstream's: Zot holds this image with OCI media types only")),
      ).toBe(2)
      // Below every image that points at it.
      expect(body.indexOf(`<h4>ℹ️ ${UNSIGNED.title}</h4>`)).toBeGreaterThan(
        body.lastIndexOf(`(see “${UNSIGNED.title}” below)`),
      )
    }
    expect(count(forgejo, `**ℹ️ ${UNSIGNED.title}**`)).toBe(1)
    expect(count(forgejo, `diagnosis: ${markdownText(BRIEF)} (see “${UNSIGNED.title}” below)`)).toBe(3)
    expect(count(forgejo, markdownText(UNSIGNED.text, 4000))).toBe(1)
  })

  it('the explanations stay when image details are cut to the budget', () => {
    const many = runOf(
      Array.from({ length: 60 }, (_, i) =>
        img('failed', `docker.io/acme/many${i}:1`, { error: 'x', diagnosis: unsigned[0]?.diagnosis }),
      ),
    )
    const html = renderSummary(many, decideOutcome(many), { workspace: '/w', budgetBytes: 12_000 })
    expect(html).toMatch(/Details shown for \d+ of 60 images/)
    expect(count(html, htmlText(UNSIGNED.text, 4000))).toBe(1)
  })

  it('the log’s problem list and the annotations: the short form and where the explanation is', () => {
    const problems = renderProblems(run.results)
    expect(count(problems, UNSIGNED.text)).toBe(1)
    expect(problems).toContain(`  diagnosis: ${BRIEF} (see “${UNSIGNED.title}” below)\n`)
    expect(problems.endsWith(`\n\n${UNSIGNED.title}:\n  ${UNSIGNED.text}`)).toBe(true)
    const annotations = planAnnotations(run, { explainedIn: 'the results in the log' })
    expect(annotations.map((a) => a.message)).toEqual(
      unsigned.map(
        (r) =>
          `${r.reference} failed: ${r.error}. ${BRIEF} See “${UNSIGNED.title}” in the results in the log.`,
      ),
    )
    expect(planAnnotations(run)[0]?.message.endsWith(`See “${UNSIGNED.title}” in the job summary.`)).toBe(
      true,
    )
  })
})
