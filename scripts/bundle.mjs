// Bundles the tsc output (lib/) into dist/: dist/index.js for the action, dist/cli.js for the CLI.
// ncc's own TypeScript loader does not work with TypeScript 7, so it bundles the compiled JS.
//
// Each entry is a small loader (src/index.ts, src/bin.ts) that imports the rest of the program dynamically;
// ncc writes what an `await import(…)` loads as chunk files beside the entry, `<id>.index.js`, which the entry
// imports by that name. Both bundles would name their chunks so, so the CLI's are renamed `<id>.cli.js` and
// its chunk-name template is changed to match. dist/ then holds every file either bundle loads.
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
  ['lib/bin.js', 'cli.js'],
]
const CHUNK = /^(\d+)\.index\.js$/
const TEMPLATE = 'return "" + chunkId + ".index.js";'

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
    const base = name.replace(/\.js$/, '')
    let code = readFileSync(join(out, 'index.js'), 'utf8')
    if (base !== 'index') {
      const uses = code.split(TEMPLATE).length - 1
      if (uses !== 1)
        throw new Error(`bundle: expected ncc's chunk-name template once in ${name}, found it ${uses} times`)
      code = code.replace(TEMPLATE, `return "" + chunkId + ".${base}.js";`)
    }
    if (name === 'cli.js' && !code.startsWith('#!')) code = `#!/usr/bin/env node\n${code}`
    writeFileSync(join(stage, name), code, { mode: name === 'cli.js' ? 0o755 : 0o644 })
    for (const file of readdirSync(out).filter((f) => f.endsWith('.js') && f !== 'index.js')) {
      const chunk = CHUNK.exec(file)
      if (!chunk) throw new Error(`bundle: ncc wrote ${file}, which no entry loads by that name`)
      const target = `${chunk[1]}.${base}.js`
      if (existsSync(join(stage, target))) throw new Error(`bundle: two entries produced ${target}`)
      copyFileSync(join(out, file), join(stage, target))
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
