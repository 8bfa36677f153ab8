// Bundles the tsc output (lib/) into dist/: dist/index.js for the action, dist/cli.js for the CLI.
// ncc's own TypeScript loader does not work with TypeScript 7, so it bundles the compiled JS.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ncc = join('node_modules', '.bin', 'ncc')
const entries = [
  ['lib/index.js', 'index.js'],
  ['lib/cli.js', 'cli.js'],
]
rmSync('dist', { recursive: true, force: true })
mkdirSync('dist')
const licenses = new Set()
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
    writeFileSync(join('dist', name), code, { mode: name === 'cli.js' ? 0o755 : 0o644 })
    licenses.add(readFileSync(join(out, 'licenses.txt'), 'utf8'))
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}
// One licenses file for everything bundled (the two bundles share most dependencies).
writeFileSync(join('dist', 'licenses.txt'), [...licenses].join('\n'))
writeFileSync(join('dist', 'package.json'), '{\n  "type": "module"\n}\n')
copyFileSync('LICENSE', join('dist', 'LICENSE'))
