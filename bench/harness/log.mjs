// Progress goes to stderr so stdout carries only the JSON summary (`npm run -s bench > out.json` works).
const start = Date.now()

/** @param {string} line */
export function progress(line) {
  const s = ((Date.now() - start) / 1000).toFixed(1).padStart(6)
  process.stderr.write(`[bench ${s}s] ${line}\n`)
}
