// A hostile or broken Zot, made from a real one: a fault relay in front of the cache answers what Zot itself
// never would (malformed bodies, a token realm that is down, a bad Location, endless tag lists, rate limits,
// answers that never come or come a byte a second). The bundled CLI must say what happened, for that image
// only, with the exit code of the outcome, in bounded time and memory; never "unexpected error", never
// cached. Stalls run through runPipeline with short limits, so no test waits out the real 30 s tries.

import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseConfig } from '../src/inputs/config.js'
import type { Logger } from '../src/logger.js'
import { runPipeline } from '../src/pipeline.js'
import { type FaultRelay, startFaultRelay } from './support/fault-relay.js'
import { pushImages } from './support/images.js'
import { checkDist } from './support/runner.js'
import { tempDir } from './support/temp.js'
import { warmWithCli } from './support/warm-cli.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const MAP = 'docker.io: docker-images'

let hub: ZotServer
let cache: ZotServer
let relay: FaultRelay

beforeAll(async () => {
  checkDist()
  hub = await startZot({ name: 'hub' })
  cache = await startZot({ name: 'cache', upstreams: [{ url: hub.url, destination: 'docker-images' }] })
  relay = await startFaultRelay(cache.url)
  await pushImages(hub.registry(), [
    { repo: 'team/ok', tag: '1', kind: 'oci' },
    { repo: 'team/five', tag: '1', kind: 'oci' },
    { repo: 'throttle/brief', tag: '1', kind: 'oci' },
  ])
})

afterAll(async () => {
  await relay?.stop()
})

/** dist/cli.js against `zotUrl` with `images`; never a stack trace, never "unexpected error". */
async function cli(zotUrl: string, images: string[], args: string[] = [], env: Record<string, string> = {}) {
  const run = await warmWithCli(zotUrl, images, { map: MAP, args, env })
  expect(run.stderr).not.toContain('unexpected error')
  return run
}

const tagsList = (repo: string) => new RegExp(`^GET /v2/docker-images/${repo}/tags/list$`)

describe('malformed answers', () => {
  test('tag lists that are not {"tags": [names]}: each image fails saying so; the others warm', async () => {
    const bodies: Record<string, string> = {
      'bad/string': '{"tags":"1"}',
      'bad/null': 'null',
      'bad/json': '{"tags": [',
      'bad/numbers': '{"tags":[1]}',
    }
    const rules = Object.entries(bodies).map(([repo, body]) =>
      relay.inject({ match: tagsList(repo), fault: { kind: 'status', status: 200, body } }),
    )
    try {
      const refs = [...Object.keys(bodies).map((r) => `docker.io/${r}:1`), 'docker.io/team/ok:1']
      const run = await cli(relay.url, refs)
      expect(run.code, run.stderr).toBe(2)
      expect(run.report.outcome.reason).toBe('4 images failed')
      const errorOf = (repo: string) => run.image(`docker.io/${repo}:1`).error
      const what = (repo: string) => `Zot at ${relay.url} sent a tag list for docker-images/${repo}`
      expect(errorOf('bad/string')).toBe(`${what('bad/string')} whose "tags" is not a list of names`)
      expect(errorOf('bad/null')).toBe(`${what('bad/null')} that is not a JSON object`)
      expect(errorOf('bad/json')).toBe(`${what('bad/json')} that is not JSON`)
      expect(errorOf('bad/numbers')).toBe(`${what('bad/numbers')} whose "tags" is not a list of names`)
      for (const repo of Object.keys(bodies)) {
        expect(run.image(`docker.io/${repo}:1`).status).toBe('failed')
        // An unusable answer is not retried, and not asked again by the image after the look-ahead.
        expect(relay.requests(tagsList(repo))).toHaveLength(1)
      }
      expect(run.image('docker.io/team/ok:1').status).toBe('warmed')
    } finally {
      for (const r of rules) r.remove()
    }
  })

  test('a manifest that is not JSON: failed, naming the manifest; a 500 is not said to be retried', async () => {
    relay.inject({
      match: /^GET \/v2\/docker-images\/bad\/manifest\/manifests\/1$/,
      fault: { kind: 'status', status: 200, body: '<html>oops</html>' },
    })
    relay.inject({
      match: /^GET \/v2\/docker-images\/bad\/five-hundred\/manifests\/1$/,
      fault: { kind: 'status', status: 500 },
    })
    const run = await cli(relay.url, ['docker.io/bad/manifest:1', 'docker.io/bad/five-hundred:1'])
    expect(run.code, run.stderr).toBe(2)
    expect(run.image('docker.io/bad/manifest:1')).toMatchObject({
      status: 'failed',
      error: `Zot at ${relay.url} sent a manifest for docker-images/bad/manifest:1 that is not JSON`,
    })
    const five = run.image('docker.io/bad/five-hundred:1')
    expect(five).toMatchObject({ status: 'failed', attempts: 1 })
    expect(five.diagnosis).toBe("Zot answered 500: check Zot's log and its storage, then run again.")
    expect(relay.requests(/five-hundred\/manifests\/1$/)).toHaveLength(1)
  })
})

describe('a token realm or a redirect that leads nowhere', () => {
  let deadPort: number
  beforeAll(async () => {
    const srv = createServer()
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
    deadPort = (srv.address() as { port: number }).port
    await new Promise((resolve) => srv.close(resolve))
  })

  test('Zot’s challenge names a token service that is down: exit 1 naming it, asked once, no zot-url advice', async () => {
    const realm = `http://127.0.0.1:${deadPort}`
    const rule = relay.inject({
      match: /^GET \/v2\/$/,
      fault: {
        kind: 'status',
        status: 401,
        headers: { 'www-authenticate': `Bearer realm="${realm}/token",service="zot"` },
      },
    })
    try {
      const before = relay.records.length
      const run = await cli(relay.url, ['docker.io/team/ok:1'], ['--username', 'ci', '--password', 'pw-1234'])
      expect(run.code, run.stderr).toBe(1)
      expect(run.stderr).toContain(
        `cannot reach the token service at ${realm} (named in Zot's challenge): connection refused`,
      )
      expect(run.stderr).not.toContain('zot-url')
      expect(run.stderr).not.toContain('cannot reach Zot')
      expect(relay.records.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/'])
    } finally {
      rule.remove()
    }
  })

  test('a Location that is not a URL: exit 1 saying so, asked once', async () => {
    const rule = relay.inject({
      match: /^GET \/v2\/$/,
      fault: { kind: 'status', status: 307, headers: { location: 'http://[zot' }, body: '' },
    })
    try {
      const before = relay.records.length
      const run = await cli(relay.url, ['docker.io/team/ok:1'])
      expect(run.code, run.stderr).toBe(1)
      expect(run.stderr).toContain(
        `Zot at ${relay.url} answered 307 with a Location that is not an http(s) URL`,
      )
      expect(run.stderr).not.toContain('cannot reach Zot')
      expect(relay.records.slice(before)).toHaveLength(1)
    } finally {
      rule.remove()
    }
  })
})

describe('a Zot that sends too much', () => {
  /** Page `n` of an endless tag list: about 7 MiB of distinct names, and a Link to page n + 1. */
  const page = (path: string) => Number(/[?&]last=p(\d+)/.exec(path)?.[1] ?? 0)
  const NAMES_PER_PAGE = 480_000
  const pageBody = (repo: string, n: number) => {
    const names = Array.from({ length: NAMES_PER_PAGE }, (_, i) => `"p${n}-${i}"`)
    return `{"name":"docker-images/${repo}","tags":[${names.join(',')}]}`
  }

  test('endless 7 MiB tag-list pages for three repositories: each image fails at the listing bound; no crash in a 192 MB heap', async () => {
    const repos = ['huge/a', 'huge/b', 'huge/c']
    const rules = repos.map((repo) =>
      relay.inject({
        match: new RegExp(`^GET /v2/docker-images/${repo}/tags/list`),
        fault: {
          kind: 'status',
          status: 200,
          headers: (path) => ({
            link: `</v2/docker-images/${repo}/tags/list?n=${NAMES_PER_PAGE}&last=p${page(path) + 1}>; rel="next"`,
          }),
          body: (path) => pageBody(repo, page(path)),
        },
      }),
    )
    try {
      const run = await cli(
        relay.url,
        [...repos.map((r) => `docker.io/${r}:1`), 'docker.io/team/five:1'],
        [],
        { NODE_OPTIONS: '--max-old-space-size=192' },
      )
      expect(run.code, run.stderr).toBe(2)
      expect(run.report.outcome.reason).toBe('3 images failed')
      for (const repo of repos)
        expect(run.image(`docker.io/${repo}:1`)).toMatchObject({
          status: 'failed',
          error: `Zot at ${relay.url} sent more than 32 MiB of tags for docker-images/${repo}`,
        })
      expect(run.image('docker.io/team/five:1').status).toBe('warmed')
      // The look-ahead's listing stopped at the page that crossed 32 MiB; the image did not list again.
      const pageBytes = Buffer.byteLength(pageBody('huge/a', 1))
      const pages = Math.floor((32 * 1024 * 1024) / pageBytes) + 1
      for (const repo of repos) expect(relay.requests(new RegExp(`/${repo}/tags/list`))).toHaveLength(pages)
    } finally {
      for (const r of rules) r.remove()
    }
  })
})

describe('a throttling or stalled Zot', () => {
  test('Retry-After: 999999 on a tag list: not waited for, said in the log, the image fails after one request', async () => {
    const rule = relay.inject({
      match: tagsList('throttle/forever'),
      fault: { kind: 'status', status: 429, headers: { 'retry-after': '999999' } },
    })
    try {
      const run = await cli(relay.url, ['docker.io/throttle/forever:1'])
      expect(run.code, run.stderr).toBe(2)
      expect(run.image('docker.io/throttle/forever:1')).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: 'Zot answered 429 TOOMANYREQUESTS for the tag list of docker-images/throttle/forever',
        diagnosis: 'Zot answered 429 (too many requests): lower concurrency or retry later.',
      })
      expect(run.stderr).toContain(
        'not retrying: 429 from Zot, and the next try (in 1m00s) would pass the time bound of a request (GET /v2/docker-images/throttle/forever/tags/list, try 1 of 5)',
      )
      expect(relay.requests(tagsList('throttle/forever'))).toHaveLength(1)
    } finally {
      rule.remove()
    }
  })

  test('a brief rate limit: each wait is in the log, then the image warms', async () => {
    const rule = relay.inject({
      match: tagsList('throttle/brief'),
      fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
      times: 2,
    })
    try {
      const run = await cli(relay.url, ['docker.io/throttle/brief:1'])
      expect(run.code, run.stderr).toBe(0)
      expect(run.image('docker.io/throttle/brief:1')).toMatchObject({ status: 'warmed', attempts: 3 })
      for (const n of [1, 2])
        expect(run.stderr).toContain(
          `retrying in 1s: 429 from Zot (GET /v2/docker-images/throttle/brief/tags/list, try ${n} of 5)`,
        )
    } finally {
      rule.remove()
    }
  })

  test('an endless 503 on a tag list: one request’s five tries for both images of the repository', async () => {
    const rule = relay.inject({ match: tagsList('throttle/down'), fault: { kind: 'status', status: 503 } })
    try {
      const run = await cli(relay.url, ['docker.io/throttle/down:1', 'docker.io/throttle/down:2'])
      expect(run.code, run.stderr).toBe(2)
      for (const tag of ['1', '2'])
        expect(run.image(`docker.io/throttle/down:${tag}`)).toMatchObject({ status: 'failed', attempts: 5 })
      expect(run.image('docker.io/throttle/down:1').diagnosis).toMatch(
        /^Zot answered 503 after every retry \(5 tries\)/,
      )
      expect(relay.requests(tagsList('throttle/down'))).toHaveLength(5)
      expect(run.stderr.match(/retrying in [\d.]+s: 503 from Zot/g)).toHaveLength(4)
      expect(run.stderr).toContain(
        'giving up: 503 from Zot (GET /v2/docker-images/throttle/down/tags/list, try 5 of 5)',
      )
    } finally {
      rule.remove()
    }
  })

  describe('stalled (runPipeline with short limits: 300 ms a try, 1 s a request)', () => {
    const settings = {
      requestTimeoutMs: 300,
      retry: { baseDelayMs: 20, maxDelayMs: 40, requestBudgetMs: 1_000 },
    }
    let workspace: string
    beforeAll(() => {
      workspace = tempDir('zot-warm-stall-ws-')
    })

    function recorder() {
      const lines: string[] = []
      const logger: Logger = {
        info: (m) => lines.push(m),
        warning: (m) => lines.push(`warning: ${m}`),
        debug: () => {},
        group: (_name, fn) => fn(),
        progress: (m) => lines.push(m),
      }
      return { lines, logger }
    }

    const config = (images: string[]) =>
      parseConfig(
        (n) => ({ 'zot-url': relay.url, 'registry-map': MAP, images: images.join(','), concurrency: '1' })[n],
        {
          workspace,
        },
      ).config

    test.each([
      ['held without an answer', { kind: 'hold' } as const],
      ['trickled at 1 byte/s', { kind: 'trickle', bytesPerSecond: 1 } as const],
    ])('GET /v2/ %s: a hard failure within the request budget, each wait logged', async (_name, fault) => {
      const rule = relay.inject({ match: /^GET \/v2\/$/, fault })
      try {
        const before = relay.records.length
        const { lines, logger } = recorder()
        const run = await runPipeline(config(['docker.io/team/ok:1']), { logger, client: settings })
        expect(run.hardFailure?.message).toMatch(
          new RegExp(`^Zot at ${relay.url.replaceAll('.', '\\.')} did not answer GET /v2/ within 0\\.\\ds$`),
        )
        expect(run.hardFailure?.hint).toMatch(/stopped answering .* check Zot's load and its log/)
        const sent = relay.records.slice(before)
        expect(sent.length).toBeGreaterThanOrEqual(2)
        expect(sent.every((r) => r.path === '/v2/')).toBe(true)
        expect(lines.filter((l) => l.startsWith('retrying in '))).toHaveLength(sent.length - 1)
        expect(
          lines.some((l) => /^not retrying: .*time bound of a request \(GET \/v2\/, try \d of 5\)$/.test(l)),
        ).toBe(true)
      } finally {
        rule.release()
        rule.remove()
      }
    })

    test('tag lists held mid-run: after one request uses up its budget nothing more is sent; every image fails saying so', async () => {
      const rule = relay.inject({
        match: /^GET \/v2\/docker-images\/stall\/.+\/tags\/list$/,
        fault: { kind: 'hold' },
      })
      try {
        const before = relay.records.length
        const { logger } = recorder()
        const repos = ['stall/a', 'stall/b', 'stall/c']
        const run = await runPipeline(config(repos.map((r) => `docker.io/${r}:1`)), {
          logger,
          client: settings,
        })
        expect(run.hardFailure).toBeUndefined()
        const byRef = (ref: string) => run.results.find((r) => r.reference === ref)
        expect(run.results.map((r) => r.status)).toEqual(['failed', 'failed', 'failed'])
        expect(byRef('docker.io/stall/a:1')?.error).toMatch(
          /did not answer GET \/v2\/docker-images\/stall\/a\/tags\/list/,
        )
        for (const repo of ['stall/b', 'stall/c'])
          expect(byRef(`docker.io/${repo}:1`)?.error).toMatch(
            /^not sent: Zot at .+ stopped answering \(GET \/v2\/docker-images\/stall\/a\/tags\/list got no answer in \d+ s, \d tries\)$/,
          )
        // Only stall/a's listing (its tries) reached Zot: nothing for b or c, no manifest, no search.
        const sent = relay.records.slice(before).map((r) => `${r.method} ${r.path}`)
        expect(new Set(sent)).toEqual(
          new Set([
            'GET /v2/',
            'GET /v2/_zot/ext/mgmt',
            'GET /v2/_oci/ext/discover',
            'GET /v2/docker-images/stall/a/tags/list',
          ]),
        )
      } finally {
        rule.release()
        rule.remove()
      }
    })
  })
})
