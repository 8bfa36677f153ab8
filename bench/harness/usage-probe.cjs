// Preloaded with --require into a node child when GNU time is missing: writes the process's peak RSS (KB,
// the kernel's ru_maxrss) and user/system CPU seconds to $ZOT_WARM_BENCH_USAGE_FILE when it exits.
const { writeFileSync } = require('node:fs')

const file = process.env.ZOT_WARM_BENCH_USAGE_FILE
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage()
    writeFileSync(file, `${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}\n`)
  })
}
