// Fails when dist/ differs from what `npm run package` builds from src/: the action runs from dist/.
import { execFileSync } from 'node:child_process'

execFileSync('npm', ['run', '-s', 'package'], { stdio: 'inherit' })
const status = execFileSync('git', ['status', '--porcelain', '--', 'dist'], { encoding: 'utf8' })
if (status.trim() !== '') {
  console.error('dist/ is stale: it differs from a fresh `npm run package`:')
  console.error(status)
  console.error(execFileSync('git', ['diff', '--stat', '--', 'dist'], { encoding: 'utf8' }))
  console.error('Run `npm run package` and commit dist/.')
  process.exit(1)
}
console.log('dist/ is fresh.')
