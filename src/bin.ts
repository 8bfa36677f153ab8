// Entry point of the CLI bundle (dist/cli.js). Kept tiny: it turns Node's compile cache on, then loads the
// CLI, which the bundler puts in chunks of their own (dist/*.cli.js), so the cache applies to them.
import { enableCompileCache } from './compile-cache.js'

enableCompileCache()
const { main } = await import('./cli.js')
await main()
