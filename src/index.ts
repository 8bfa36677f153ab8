// Entry point of the action bundle (dist/index.js).
import { run } from './main.js'

const code = await run()
// Everything is written by now. Should a handle outlive the run (a socket not yet closed), do not keep the
// job waiting for it.
setTimeout(() => process.exit(code), 2000).unref()
