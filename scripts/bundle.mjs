// Bundles the tsc output (lib/) into dist/: dist/index.js for the action, dist/cli.js for the CLI.
// ncc's own TypeScript loader does not work with TypeScript 7, so it bundles the compiled JS.
import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ncc = join('node_modules', '.bin', 'ncc')
const entries = [
  ['lib/index.js', 'index.js'],
  ['lib/cli.js', 'cli.js'],
]
// Built beside dist/ and swapped in at the end, so a reader (a test running dist/) never sees it half-written.
const stage = mkdtempSync('dist-stage-')
for (const [entry, name] of entries) {
  const out = mkdtempSync(join(tmpdir(), 'zot-warm-ncc-'))
  try {
    execFileSync(
      ncc,
      ['build', entry, '-o', out, '--license', 'licenses.txt', '--quiet', '--no-source-map-register'],
      {
        stdio: 'inherit',
      },
    )
    let code = readFileSync(join(out, 'index.js'), 'utf8')
    if (name === 'cli.js' && !code.startsWith('#!')) code = `#!/usr/bin/env node\n${code}`
    writeFileSync(join(stage, name), code, { mode: name === 'cli.js' ? 0o755 : 0o644 })
    // Code loaded on demand (`await import(…)`) comes as chunk files beside the entry, e.g. 123.index.js.
    for (const chunk of readdirSync(out).filter((f) => f.endsWith('.js') && f !== 'index.js')) {
      if (existsSync(join(stage, chunk))) throw new Error(`bundle: two entries produced ${chunk}`)
      copyFileSync(join(out, chunk), join(stage, chunk))
    }
    // Licenses of what each bundle contains: dist/licenses.txt (action), dist/cli.licenses.txt (CLI).
    const licenses = name === 'index.js' ? 'licenses.txt' : 'cli.licenses.txt'
    copyFileSync(join(out, 'licenses.txt'), join(stage, licenses))
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}
writeFileSync(join(stage, 'package.json'), '{\n  "type": "module"\n}\n')
copyFileSync('LICENSE', join(stage, 'LICENSE'))
rmSync('dist', { recursive: true, force: true })
renameSync(stage, 'dist')
