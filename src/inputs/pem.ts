// Certificates and keys arrive as PEM text (from a secret) or as a path to a PEM file.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

export type PemResult = { pem: string } | { problem: string }

/** Inline PEM is used as is; anything else is read as a file relative to `baseDir`. */
export function loadPem(
  input: string,
  value: string,
  baseDir: string,
  expect: 'certificate' | 'key',
): PemResult {
  const text = value.trim()
  const inline = text.includes('-----BEGIN ')
  let pem = text
  if (!inline) {
    // A PEM body without its BEGIN line would otherwise be taken for a file name and echoed: keep a
    // key's text out of the message.
    const looksLikeFile = text.length < 4096 && !/\s/.test(text)
    if (!looksLikeFile)
      return { problem: `${input}: expected PEM text (starting with "-----BEGIN") or a path to a PEM file.` }
    try {
      pem = readFileSync(resolve(baseDir, text), 'utf8')
    } catch (err) {
      const code = (err as { code?: string }).code
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable')
      const shown = expect === 'key' ? 'the given path' : `"${text}"`
      return {
        problem: `${input}: cannot read ${shown} (${why}); give PEM text or the path of a readable PEM file.`,
      }
    }
  }
  const wanted = expect === 'key' ? /-----BEGIN [A-Z ]*PRIVATE KEY-----/ : /-----BEGIN CERTIFICATE-----/
  if (!wanted.test(pem)) {
    const what = expect === 'key' ? 'a PEM private key (-----BEGIN … PRIVATE KEY-----)' : 'a PEM certificate'
    return { problem: `${input}: ${inline ? 'the text' : 'the file'} does not contain ${what}.` }
  }
  return { pem }
}

/**
 * The lines of a PEM key to mask. The runner masks line by line, so a multi-line secret is only hidden
 * when each of its lines is registered.
 */
export function pemSecretLines(pem: string): string[] {
  return pem
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 8 && !l.startsWith('-----'))
}
