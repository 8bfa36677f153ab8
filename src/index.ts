// Entry point of the action bundle (dist/index.js).
import { run } from './main.js'
import { exitWhenDone } from './shell.js'

exitWhenDone(await run())
