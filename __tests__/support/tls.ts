// Self-signed test PKI made with the openssl CLI (Node can parse but not issue X.509 certificates).
// One CA + server certificate (SAN IP:127.0.0.1 and DNS:localhost) per process; every TLS Zot reuses it.
// clientPki(): a client CA and certificate for mutual TLS.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

export interface TestPki {
  caPem: string
  certPem: string
  keyPem: string
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd })
  } catch (err) {
    const e = err as { stderr?: string; message: string }
    throw new Error(
      `openssl ${args[0]} failed (is the openssl CLI installed?): ${e.stderr?.trim() || e.message}`,
    )
  }
}

/**
 * Writes a CA (`ca.crt`, `ca.key`) and one certificate it signs (`leaf.crt`, `leaf.key`) into `dir`.
 * `leafExt` is the leaf's extension file (key usage, SAN): server or client certificates.
 */
export async function issuePki(
  dir: string,
  opts: { caName: string; leafName: string; leafExt: string },
): Promise<TestPki> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  await openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '7',
      '-subj',
      `/CN=${opts.caName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  )
  await openssl(
    ['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${opts.leafName}`],
    dir,
  )
  writeFileSync(join(dir, 'ext.cnf'), opts.leafExt)
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'leaf.crt',
      '-days',
      '7',
      '-extfile',
      'ext.cnf',
    ],
    dir,
  )
  const read = (name: string) => readFileSync(join(dir, name), 'utf8')
  return { caPem: read('ca.crt'), certPem: read('leaf.crt'), keyPem: read('leaf.key') }
}

async function generate(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'zot-warm-pki-'))
  try {
    return await issuePki(dir, {
      caName: 'zot-warm test CA',
      leafName: '127.0.0.1',
      leafExt:
        'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' +
        'subjectAltName=IP:127.0.0.1,DNS:localhost\n',
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

let cached: Promise<TestPki> | undefined

/** The process-wide test CA and server certificate (generated on first use, ~50 ms). */
export function testPki(): Promise<TestPki> {
  cached ??= generate()
  cached.catch(() => {
    cached = undefined
  })
  return cached
}

/** A second, unrelated CA: for "the client trusts the wrong CA" tests. */
export async function otherCaPem(): Promise<string> {
  return (await generate()).caPem
}

export interface ClientPki {
  /** CA that signs client certificates (Zot's `http.tls.cacert`), as a file and PEM. */
  caFile: string
  caPem: string
  certPem: string
  keyPem: string
  /** Removes the files. */
  cleanup(): void
}

/** A client CA and one client certificate (clientAuth), made with the openssl CLI, for mutual TLS tests. */
export async function clientPki(): Promise<ClientPki> {
  const dir = mkdtempSync(join(tmpdir(), 'zot-warm-mtls-'))
  const pki = await issuePki(dir, {
    caName: 'zot-warm client CA',
    leafName: 'zot-warm client',
    leafExt: 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n',
  })
  return { caFile: join(dir, 'ca.crt'), ...pki, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
