// Entry point of the action bundle (dist/index.js). Kept tiny: it turns Node's compile cache on, then loads
// the action, which the bundler puts in chunks of their own (dist/*.index.js), so the cache applies to them.
import { enableCompileCache } from './compile-cache.js'

enableCompileCache()
const { run, exitWhenDone } = await import('./main.js')
exitWhenDone(await run())
