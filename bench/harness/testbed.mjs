// Loads the real-Zot test bed (__tests__/support/*.ts, TypeScript) into this plain-Node bench.
//
// Choice: compile __tests__/support with the project's own `tsc` (a devDependency, TypeScript 7 native —
// well under a second) into .bench/build-PID/ using a tsconfig written there, then import the emitted JS.
// Rejected: running the bench under vitest (it would become a "test", with vitest's workers and timeouts
// around a 10-minute run), vite's runnerImport (vite is only a transitive dependency) and Node's
// --experimental-strip-types (missing on Node 20). Nothing new to install; works after `npm ci`.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { progress } from './log.mjs'

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')
const WORK = join(ROOT, '.bench')
// Per process, so a selftest next to a bench run cannot delete the code the other is importing.
const BUILD_NAME = `build-${process.pid}`
const BUILD = join(WORK, BUILD_NAME)

let loaded

/**
 * @returns {Promise<{ startZot: Function, pushImage: Function, pushImages?: Function, zotBin: string }>}
 */
export function loadTestbed() {
  loaded ??= load()
  return loaded
}

async function load() {
  for (const f of ['zot.ts', 'images.ts']) {
    if (!existsSync(join(ROOT, '__tests__', 'support', f))) {
      throw new Error(`the test bed is not there yet: __tests__/support/${f} is missing`)
    }
  }
  // The Zot binary first: ensure-zot builds it on a fresh machine (minutes, once), and says so on stderr.
  const { ensureZot } = await import(pathToFileURL(join(ROOT, 'scripts', 'ensure-zot.mjs')).href)
  const zotBin = await ensureZot({ log: (line) => progress(line) })
  process.env.ZOT_WARM_ZOT_BIN ??= zotBin

  rmSync(BUILD, { recursive: true, force: true })
  mkdirSync(BUILD, { recursive: true })
  process.once('exit', () => rmSync(BUILD, { recursive: true, force: true }))
  const tsconfig = join(BUILD, 'tsconfig.json')
  writeFileSync(
    tsconfig,
    `${JSON.stringify(
      {
        extends: '../../tsconfig.json',
        compilerOptions: { rootDir: '../..', outDir: '.', noEmitOnError: false, declaration: false },
        // zot.ts and images.ts pull in what they import; zot-vitest.ts (vitest glue) stays out.
        files: ['../../__tests__/support/zot.ts', '../../__tests__/support/images.ts'],
        include: [],
      },
      null,
      2,
    )}\n`,
  )
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc')
  const start = Date.now()
  try {
    execFileSync(tsc, ['-p', tsconfig], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
  } catch (err) {
    // Type errors still emit JS (noEmitOnError false); the bench only needs the code to run.
    const text = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim()
    if (!existsSync(join(BUILD, '__tests__', 'support', 'zot.js'))) {
      throw new Error(`compiling __tests__/support failed:\n${text}`)
    }
    progress(
      `tsc reported type errors in the test bed (ignored for the bench):\n${text.split('\n').slice(0, 5).join('\n')}`,
    )
  }
  // The support code imports plain-JS helpers by relative path (e.g. ../../scripts/ensure-zot.mjs), which tsc
  // does not copy: link those directories into the build tree so the relative imports resolve.
  for (const dir of ['scripts']) {
    const link = join(BUILD, dir)
    if (!existsSync(link)) symlinkSync(join(ROOT, dir), link, 'dir')
  }
  progress(`compiled __tests__/support with tsc into .bench/${BUILD_NAME} (${Date.now() - start} ms)`)
  const zot = await import(pathToFileURL(join(BUILD, '__tests__', 'support', 'zot.js')).href)
  const images = await import(pathToFileURL(join(BUILD, '__tests__', 'support', 'images.js')).href)
  return { ...zot, ...images, zotBin }
}
