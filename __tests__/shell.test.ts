// The run shell with a recording entry point: configuration problems from either place, unexpected errors,
// redaction before publish, the report file, the overall timeout and a signal (against a loopback server
// that accepts and never answers, so nothing waits long). The entry points through it: main.test.ts,
// cli.test.ts and the bundles in dist.int.test.ts.
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../src/errors.js'
import { parseConfig } from '../src/inputs/config.js'
import type { Logger } from '../src/logger.js'
import { type EntryPoint, type Finished, runShell } from '../src/shell.js'
import { tempDir } from './support/temp.js'

const SECRET = 'zak_shell-secret-value'
let ws: string
let silent: Server
let silentUrl: string
const sockets = new Set<Socket>()
let connected: () => void = () => undefined

beforeAll(async () => {
  ws = tempDir('zot-warm-shell-')
  writeFileSync(
    join(ws, 'app.yaml'),
    `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27\n    - name: b\n      image: "${SECRET}/Upper:1"\n`,
  )
  silent = createServer((s) => {
    sockets.add(s)
    connected()
  })
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise((r) => silent.close(r))
})

interface Recorded {
  code: number
  lines: string[]
  configProblems?: readonly string[]
  internal?: unknown
  finished?: Finished
}

async function shell(inputs: Record<string, string>, over: Partial<EntryPoint> = {}): Promise<Recorded> {
  const secrets: string[] = []
  const lines: string[] = []
  const rec: Partial<Recorded> = { lines }
  const logger: Logger = {
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`warning: ${m}`),
    debug: () => undefined,
    group: (_name, fn) => fn(),
    progress: (m) => lines.push(m),
  }
  rec.code = await runShell({
    secrets,
    logger,
    userAgent: 'zot-warm/test',
    configure: () => {
      const parsed = parseConfig((n) => inputs[n], { workspace: ws })
      secrets.push(...parsed.secrets, SECRET)
      return { config: parsed.config }
    },
    stopping: (m) => lines.push(`stopping: ${m}`),
    configProblems: (p) => {
      rec.configProblems = p
    },
    internalError: (err) => {
      rec.internal = err
    },
    publish: async (f) => {
      rec.finished = f
      return f.outcome.exitCode
    },
    ...over,
  })
  return rec as Recorded
}

describe('runShell', () => {
  it('plan mode: publish gets the redacted run, outcome and report; the report file is written', async () => {
    const report = join(ws, 'out', 'report.json')
    const r = await shell({ mode: 'plan', paths: 'app.yaml', report })
    expect(r.code).toBe(2)
    const f = r.finished as Finished
    expect(f.outcome).toMatchObject({ exitCode: 2, conclusion: 'failure' })
    expect(f.reportFile).toEqual({ path: report })
    expect(JSON.stringify(f.run)).not.toContain(SECRET)
    expect(f.run.results.map((i) => i.reference)).toContain('***/Upper:1')
    expect(JSON.parse(readFileSync(report, 'utf8'))).toEqual(JSON.parse(JSON.stringify(f.report)))
  })

  it('a report file that cannot be written is handed to publish, which decides', async () => {
    const r = await shell({ mode: 'plan', paths: 'app.yaml', report: join(ws, 'app.yaml', 'report.json') })
    expect(r.finished?.reportFile).toMatchObject({ path: join(ws, 'app.yaml', 'report.json') })
    expect(r.finished?.reportFile?.error).toMatch(/ENOTDIR|EEXIST/)
  })

  it('configuration problems, from the inputs or from extraction, end with exit 1', async () => {
    const bad = await shell({ mode: 'plan', concurrency: 'many' })
    expect(bad.code).toBe(1)
    expect(bad.configProblems).toEqual(['concurrency: "many" must be a whole number from 1 to 64.'])
    const nothing = await shell({ mode: 'plan', paths: 'missing/*.yaml' })
    expect(nothing.code).toBe(1)
    expect(nothing.configProblems?.join('\n')).toMatch(/missing\/\*\.yaml/)
    expect(nothing.finished).toBeUndefined()
  })

  it('configuration problems are redacted', async () => {
    const r = await shell(
      {},
      {
        configure: () => {
          throw new ConfigError([`zot-url: "https://u:${SECRET}@zot" must not hold credentials`])
        },
        secrets: [SECRET],
      },
    )
    expect(r.configProblems).toEqual(['zot-url: "https://u:***@zot" must not hold credentials'])
  })

  it('anything else is an internal error, exit 1, publish never called', async () => {
    const boom = new Error('boom')
    const r = await shell(
      { mode: 'plan', paths: 'app.yaml' },
      {
        publish: () => {
          throw boom
        },
      },
    )
    expect(r).toMatchObject({ code: 1, internal: boom })
  })

  it('the overall timeout stops the run; the rest is not attempted', async () => {
    const r = await shell({ mode: 'check', paths: 'app.yaml', 'zot-url': silentUrl, timeout: '300ms' })
    expect(r.code).toBe(2)
    expect(r.finished?.run.cancelled).toBe('overall timeout of 0.3s reached')
    expect(r.finished?.outcome.reason).toContain('not attempted (overall timeout of 0.3s reached)')
  })

  it('SIGTERM stops the run once, says so, and removes its handlers afterwards', async () => {
    const before = process.listeners('SIGTERM')
    const arrived = new Promise<void>((r) => {
      connected = r
    })
    const pending = shell({ mode: 'check', paths: 'app.yaml', 'zot-url': silentUrl })
    await arrived
    const mine = process.listeners('SIGTERM').filter((l) => !before.includes(l))
    expect(mine).toHaveLength(1)
    ;(mine[0] as (s: NodeJS.Signals) => void)('SIGTERM')
    const r = await pending
    expect(r.code).toBe(2)
    expect(r.lines).toContain(
      'stopping: Received SIGTERM: stopping; unfinished images are reported as not attempted.',
    )
    expect(r.finished?.run.cancelled).toBe('cancelled by SIGTERM')
    expect(process.listeners('SIGTERM')).toEqual(before)
  })
})
