// htpasswd files for Zot's basic auth. Neither Node nor this machine has bcrypt (no apache2-utils `htpasswd`),
// so the hashes are SHA-512 crypt (`$6$`) from `openssl passwd -6`, which Zot's htpasswd store also verifies
// (pkg/api/htpasswd.go; checked against the real binary in __tests__/testbed.int.test.ts).
import { execFile } from 'node:child_process'

/** `user:hash` lines for every user. Passwords go through stdin, never the command line. */
export async function htpasswdText(users: Record<string, string>): Promise<string> {
  const entries = Object.entries(users)
  if (entries.length === 0) return ''
  for (const [user, password] of entries) {
    if (!user || !password || user.includes(':') || /[\r\n]/.test(user) || /[\r\n]/.test(password)) {
      throw new Error(
        `htpasswd: user "${user}" has an empty password or a name/password that cannot be stored in an htpasswd file`,
      )
    }
  }
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile('openssl', ['passwd', '-6', '-stdin'], (err, out, errOut) => {
      if (err)
        reject(new Error(`openssl passwd -6 failed (is the openssl CLI installed?): ${errOut.trim() || err}`))
      else resolve(out)
    })
    child.stdin?.end(`${entries.map(([, password]) => password).join('\n')}\n`)
  })
  const hashes = stdout.trim().split('\n')
  if (hashes.length !== entries.length || !hashes.every((h) => h.startsWith('$6$'))) {
    throw new Error('openssl passwd -6 returned unexpected output')
  }
  return `${entries.map(([user], i) => `${user}:${hashes[i]}`).join('\n')}\n`
}
