// Scenario 6 — the rewrite stage on the extraction corpus (≥ 20 MB): bench/rewrite.mjs benchRewrite() in a
// child process, beside extraction of the same corpus in the same loop.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { progress } from '../harness/log.mjs'
import { runProcess } from '../harness/proc.mjs'
import { ROOT } from '../harness/testbed.mjs'

/** @param {{ quick: boolean }} ctx */
export async function rewrite(ctx) {
  // benchRewrite() imports lib/ (tsc output); build it from src/ so the figure is for this source.
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], {
    cwd: ROOT,
    stdio: 'pipe',
  })
  const file = pathToFileURL(join(ROOT, 'bench', 'rewrite.mjs')).href
  const script = `
    const { benchRewrite } = await import(${JSON.stringify(file)})
    process.stdout.write(JSON.stringify(await benchRewrite({ quick: ${ctx.quick} })))`
  progress('rewrite: bench/rewrite.mjs benchRewrite() in a child process')
  const r = await runProcess(process.execPath, ['--input-type=module', '-e', script], {
    usage: 'time',
    timeoutMs: 300_000,
  })
  for (const line of r.stderr.trim().split('\n')) if (line) progress(`  ${line}`)
  if (r.code !== 0) throw new Error(`benchRewrite failed (exit ${r.code}): ${r.stderr.trim().slice(-500)}`)
  // No target: the figure says what the stage adds to a run (compare extraction of the same corpus).
  return { ...JSON.parse(r.stdout), pass: null }
}
