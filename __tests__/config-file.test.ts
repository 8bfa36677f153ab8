// The configuration file (src/inputs/config-file.ts) and its place beneath the other sources in
// parseConfig. Every search location is a temporary directory: no test reads the real /etc, XDG or home.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../src/errors.js'
import { configError, locateProblems, parseConfig } from '../src/inputs/config.js'
import {
  type ConfigSearch,
  configCandidates,
  configSearch,
  loadConfigFile,
  nearestKey,
  parseConfigFile,
} from '../src/inputs/config-file.js'
import { tempDir } from './support/temp.js'

let root: string
let search: ConfigSearch

beforeEach(() => {
  root = tempDir('zot-warm-config-')
  for (const d of ['cwd', 'home', 'xdg', 'etc']) mkdirSync(join(root, d))
  search = {
    cwd: join(root, 'cwd'),
    home: join(root, 'home'),
    xdgConfigHome: join(root, 'xdg'),
    system: join(root, 'etc', 'config.yaml'),
  }
})

const write = (rel: string, text: string) => {
  const path = join(root, rel)
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
  return path
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('where the file is looked for', () => {
  it('./zot-warm.yaml, then $XDG_CONFIG_HOME/zot-warm/config.yaml, then the system file', () => {
    expect(configCandidates(search)).toEqual([
      join(root, 'cwd', 'zot-warm.yaml'),
      join(root, 'xdg', 'zot-warm', 'config.yaml'),
      join(root, 'etc', 'config.yaml'),
    ])
  })

  it('~/.config when XDG_CONFIG_HOME is unset, empty or relative (as the XDG spec says)', () => {
    for (const xdg of [undefined, '', 'relative/dir'])
      expect(configCandidates({ ...search, xdgConfigHome: xdg })[1]).toBe(
        join(root, 'home', '.config', 'zot-warm', 'config.yaml'),
      )
  })

  it('from a process environment: HOME, XDG_CONFIG_HOME, and ZOT_WARM_SYSTEM_CONFIG for the system file', () => {
    expect(configSearch('/w', {}, () => '/home/u')).toEqual({
      cwd: '/w',
      xdgConfigHome: undefined,
      home: '/home/u',
      system: '/etc/zot-warm/config.yaml',
    })
    expect(
      configSearch(
        '/w',
        { HOME: '/h', XDG_CONFIG_HOME: '/x', ZOT_WARM_SYSTEM_CONFIG: '/s.yaml' },
        () => '/home/u',
      ),
    ).toEqual({ cwd: '/w', xdgConfigHome: '/x', home: '/h', system: '/s.yaml' })
    // A container user with neither HOME nor a passwd entry: os.homedir() throws; no ~/.config then.
    const homeless = configSearch('/w', {}, () => {
      throw new Error('ENOENT: no such file or directory, uv_os_get_passwd')
    })
    expect(configCandidates(homeless)).toEqual(['/w/zot-warm.yaml', '/etc/zot-warm/config.yaml'])
  })

  it('the first that exists wins; the others are not read', () => {
    write('etc/config.yaml', 'mode: check\n')
    write('xdg/zot-warm/config.yaml', 'mode: plan\n')
    expect(loadConfigFile(undefined, { base: search.cwd, cwd: search.cwd, search })?.shown).toBe(
      join(root, 'xdg', 'zot-warm', 'config.yaml'),
    )
    write('cwd/zot-warm.yaml', 'mode: warm\n')
    const file = loadConfigFile(undefined, { base: search.cwd, cwd: search.cwd, search })
    expect(file?.shown).toBe('./zot-warm.yaml')
    expect(file?.values.get('mode')).toEqual({ value: 'warm', line: 1, column: 7 })
    // The system file is read when it is the only one.
    const only = { ...search, cwd: join(root, 'home'), xdgConfigHome: join(root, 'nowhere') }
    expect(loadConfigFile(undefined, { base: only.cwd, cwd: only.cwd, search: only })?.path).toBe(
      join(root, 'etc', 'config.yaml'),
    )
  })

  it('none at all: no file (the defaults apply)', () => {
    expect(loadConfigFile(undefined, { base: search.cwd, cwd: search.cwd, search })).toBeUndefined()
  })

  it('an explicit file replaces the search; a missing one is a problem naming it', () => {
    write('cwd/zot-warm.yaml', 'mode: warm\n')
    const other = write('elsewhere/x.yaml', 'mode: plan\n')
    const file = loadConfigFile(other, { base: search.cwd, cwd: search.cwd, search })
    expect(file?.values.get('mode')?.value).toBe('plan')
    const missing = loadConfigFile('nope.yaml', { base: search.cwd, cwd: search.cwd, search })
    expect(missing?.problems).toEqual(['config: cannot read "nope.yaml": no such file (ENOENT).'])
  })

  it('a found file that cannot be read is a problem, not a reason to read the next one', () => {
    mkdirSync(join(root, 'cwd', 'zot-warm.yaml'))
    write('etc/config.yaml', 'mode: plan\n')
    const file = loadConfigFile(undefined, { base: search.cwd, cwd: search.cwd, search })
    expect(file?.problems).toEqual([
      'cannot read the configuration file ./zot-warm.yaml: it is a directory (EISDIR).',
    ])
  })
})

describe('what the file holds', () => {
  it('keys are input names; values as the inputs carry them', () => {
    const file = parseConfigFile(
      '/c/zot-warm.yaml',
      [
        'zot-url: https://zot.example.com',
        'strict: false',
        'concurrency: 8',
        'image-timeout: 1.50',
        'paths:',
        '  - deploy',
        '  - "!deploy/tests"',
        'platforms: [linux/amd64, linux/arm64]',
        'registry-map:',
        '  docker.io: docker-images',
        '  ghcr.io: ""',
        'username:',
        '',
      ].join('\n'),
    )
    expect(file.problems).toEqual([])
    expect(Object.fromEntries([...file.values].map(([k, v]) => [k, v.value]))).toEqual({
      'zot-url': 'https://zot.example.com',
      strict: 'false',
      concurrency: '8',
      'image-timeout': '1.50',
      paths: 'deploy\n!deploy/tests',
      platforms: 'linux/amd64\nlinux/arm64',
      'registry-map': 'docker.io=docker-images\nghcr.io=',
    })
    expect(file.values.get('paths')).toMatchObject({ line: 6, column: 3 })
  })

  it('file paths in the file are relative to the file (as in a kubeconfig); PEM text stays text', () => {
    const file = parseConfigFile(
      '/etc/zot-warm/config.yaml',
      'ca-cert: ca.pem\nreport: /tmp/r.json\nclient-cert: |\n  -----BEGIN CERTIFICATE-----\n  x\n',
    )
    expect(file.values.get('ca-cert')?.value).toBe('/etc/zot-warm/ca.pem')
    expect(file.values.get('report')?.value).toBe('/tmp/r.json')
    expect(file.values.get('client-cert')?.value).toContain('-----BEGIN CERTIFICATE-----')
  })

  it('an empty file or one with only comments sets nothing', () => {
    expect(parseConfigFile('/c', '').values.size).toBe(0)
    expect(parseConfigFile('/c', '# nothing yet\n').problems).toEqual([])
  })

  it.each([
    ['zot_url: x\n', 'c.yaml:1:1: unknown key "zot_url"; did you mean "zot-url"?'],
    ['mode: plan\nzotUrl: x\n', 'c.yaml:2:1: unknown key "zotUrl"; did you mean "zot-url"?'],
    ['  strickt: true\n', 'c.yaml:1:3: unknown key "strickt"; did you mean "strict"?'],
    ['registry_map: {}\n', 'c.yaml:1:1: unknown key "registry_map"; did you mean "registry-map"?'],
    [
      'config: other.yaml\n',
      'c.yaml:1:1: "config" names the configuration file itself and cannot be set inside it.',
    ],
    ['mode: plan\nmode: warm\n', 'c.yaml:2:1: key given twice.'],
    ['mode: [plan]\n', 'c.yaml:1:7: mode: expects a single value, not a list.'],
    ['strict: {a: 1}\n', 'c.yaml:1:9: strict: expects a single value, not a mapping.'],
    ['registry-map: [a]\n', 'c.yaml:1:15: registry-map: expects `registry: prefix` entries.'],
    ['paths: [[a]]\n', 'c.yaml:1:9: paths: list items must be plain values.'],
    [
      '- mode\n',
      'c.yaml:1:1: expected a mapping of input names to values, e.g. `zot-url: https://zot.example.com`.',
    ],
    [
      'mode: plan\n---\nmode: warm\n',
      'c.yaml:2:1: one YAML document expected; remove the `---` and what follows.',
    ],
  ])('%j → %s', (text, problem) => {
    expect(parseConfigFile('/abs/c.yaml', text, 'c.yaml').problems).toEqual([problem])
  })

  it('broken YAML names file, line and column, without quoting the file (it may hold a password)', () => {
    const file = parseConfigFile('/abs/c.yaml', 'username: ci\npassword: "hunter2-secret\n', 'c.yaml')
    expect(file.problems).toEqual(['c.yaml:3:1: invalid YAML: Missing closing "quote'])
    expect(file.problems.join('\n')).not.toContain('hunter2')
  })

  it('the nearest key forgives case, underscores and camelCase, then spelling', () => {
    expect(nearestKey('FAIL_ON_UNRESOLVED')).toBe('fail-on-unresolved')
    expect(nearestKey('imageTimeout')).toBe('image-timeout')
    expect(nearestKey('concurency')).toBe('concurrency')
    expect(nearestKey('platform')).toBe('platforms')
  })

  it('a word of a key or its start is near too; a key near none is suggested nothing', () => {
    expect(nearestKey('registry')).toBe('registry-map')
    expect(nearestKey('user')).toBe('username')
    expect(nearestKey('url')).toBe('zot-url')
    expect(nearestKey('foo')).toBeUndefined()
    expect(nearestKey('kubeconfig')).toBeUndefined()
  })

  it.each([
    // The seed CLI's soft mode: the key here is strict, with the opposite value.
    [
      'soft: true\n',
      'c.yaml:1:1: unknown key "soft"; write strict: false instead (soft: true is strict: false).',
    ],
    [
      'soft: false\n',
      'c.yaml:1:1: unknown key "soft"; write strict: true instead (soft: true is strict: false).',
    ],
    [
      'foo: 1\n',
      `c.yaml:1:1: unknown key "foo"; keys are the input names, e.g. zot-url, paths, registry-map (all in the README's Inputs and zot-warm --help).`,
    ],
  ])('%j → %s', (text, problem) => {
    expect(parseConfigFile('/abs/c.yaml', text, 'c.yaml').problems).toEqual([problem])
  })
})

describe('beneath the inputs (parseConfig)', () => {
  const cwd = () => search.cwd
  const parse = (get: Record<string, string> = {}, extra: { onSecret?: (s: string) => void } = {}) =>
    parseConfig((name) => get[name], { workspace: cwd(), cwd: cwd(), configSearch: search, ...extra })

  it('an input wins over the file; the file over the default; the file is named in the config', () => {
    write('cwd/zot-warm.yaml', 'mode: plan\nstrict: false\nconcurrency: 9\nunmapped: fail\n')
    const { config } = parse({ mode: 'check', 'zot-url': 'https://z', concurrency: '' })
    expect(config).toMatchObject({
      mode: 'check',
      strict: false,
      concurrency: 9,
      unmapped: 'fail',
      failOnUnresolved: true,
      configFile: './zot-warm.yaml',
    })
  })

  it('a bad value in the file is reported at its line', () => {
    write('cwd/zot-warm.yaml', '# settings\nmode: plan\nconcurrency: lots\n')
    expect(problemsOf(() => parse())).toEqual([
      './zot-warm.yaml:3:14: concurrency: "lots" must be a whole number from 1 to 64.',
    ])
  })

  it('a bad item of a list or mapping is reported at its own line, not at the first item', () => {
    write(
      'cwd/zot-warm.yaml',
      [
        'mode: plan',
        'platforms:',
        '  - linux/amd64',
        '  - linux-arm64',
        'registry-map:',
        '  docker.io: docker-images',
        '  ghcr.io: "Bad Prefix"',
        '  quay.io/x: q',
        'images:',
        '  - nginx:1.27',
        '  - [alpine]',
        '',
      ].join('\n'),
    )
    expect(problemsOf(() => parse())).toEqual([
      './zot-warm.yaml:11:5: images: list items must be plain values.',
      './zot-warm.yaml:7:3: registry-map: prefix "Bad Prefix" for ghcr.io: "Bad Prefix" must be lower case (letters, digits, ., _, - separated by /).',
      './zot-warm.yaml:8:3: registry-map: "quay.io/x" has a path; map whole registries by host[:port] (e.g. ghcr.io).',
      './zot-warm.yaml:4:5: platforms: "linux-arm64" not of the form os/arch[/variant] (e.g. linux/arm64/v8), or use all.',
    ])
  })

  it("registry-map as a literal block: its lines are the file's lines; a repeated registry names both", () => {
    write(
      'cwd/zot-warm.yaml',
      'mode: plan\nregistry-map: |\n  docker.io=docker-images\n\n  index.docker.io=hub\n',
    )
    expect(problemsOf(() => parse())).toEqual([
      './zot-warm.yaml:5:3: registry-map: docker.io is already mapped on line 3; keep one entry.',
    ])
  })

  it('a path from a list in the file that selects nothing is placed at its item (locateProblems)', () => {
    write('cwd/zot-warm.yaml', 'mode: plan\npaths:\n  - deploy\n  - "deploy/*.yml"\n')
    const { config } = parse()
    expect(
      locateProblems(
        ['paths: "deploy/*.yml" matches no file (relative to the workspace /w); check the pattern'],
        config.fromFile,
      ),
    ).toEqual([
      './zot-warm.yaml:4:5: paths: "deploy/*.yml" matches no file (relative to the workspace /w); check the pattern',
    ])
  })

  it('the same bad value from a flag is reported without a file position', () => {
    write('cwd/zot-warm.yaml', 'mode: plan\n')
    expect(problemsOf(() => parse({ concurrency: 'lots' }))).toEqual([
      'concurrency: "lots" must be a whole number from 1 to 64.',
    ])
  })

  it('file problems fail the run together with the others', () => {
    write('cwd/zot-warm.yaml', 'mode: plan\nzot_url: x\n')
    expect(problemsOf(() => parse({ concurrency: '0' }))).toEqual([
      './zot-warm.yaml:2:1: unknown key "zot_url"; did you mean "zot-url"?',
      'concurrency: "0" must be a whole number from 1 to 64.',
    ])
  })

  it('a file that failed: its own problems, and those of values given; none of a value it would have given', () => {
    // Broken YAML: no value was read, so `zot-url: required` (mode warm) would only mislead.
    write('cwd/zot-warm.yaml', 'zot-url: https://zot.example.com\nregistry-map:\n  docker.io: hub\n [x\n')
    const broken = problemsOf(() => parse())
    expect(broken.length).toBeGreaterThan(0)
    for (const p of broken) expect(p).toMatch(/^\.\/zot-warm\.yaml:[45]:\d+: invalid YAML: /)
    // An unknown key: the values beside it were read; a bad one is still reported, at its line.
    write('cwd/zot-warm.yaml', 'zot_url: https://zot.example.com\nconcurrency: lots\n')
    expect(problemsOf(() => parse())).toEqual([
      './zot-warm.yaml:1:1: unknown key "zot_url"; did you mean "zot-url"?',
      './zot-warm.yaml:2:14: concurrency: "lots" must be a whole number from 1 to 64.',
    ])
    // Given by inputs: their own problems stand; those that need a value the file may have held do not
    // (the password's user, the rewrite that rewrite-output goes with).
    expect(
      problemsOf(() => parse({ concurrency: '0', password: 'pw-1234567', 'rewrite-output': 'out' })),
    ).toEqual([
      './zot-warm.yaml:1:1: unknown key "zot_url"; did you mean "zot-url"?',
      'concurrency: "0" must be a whole number from 1 to 64.',
    ])
    expect(problemsOf(() => parse({ concurrency: '0', token: 't', password: 'pw-1234567' }))).toContain(
      'token: set either password or token, not both.',
    )
    // A sound file: every problem, as before.
    write('cwd/zot-warm.yaml', 'concurrency: 2\n')
    expect(problemsOf(() => parse({ 'rewrite-output': 'out' }))).toEqual([
      'zot-url: required (the base URL of the Zot cache), unless mode is plan.',
      'rewrite-output: set rewrite (zot or digest) too, or remove rewrite-output.',
    ])
  })

  it('problems placed in the file carry the file, line and column (for annotations)', () => {
    write('cwd/zot-warm.yaml', 'mode: plan\nzot_url: x\nconcurrency: lots\npaths: [deploy, "x/*.yml"]\n')
    const err = (() => {
      try {
        parse()
      } catch (e) {
        return e as ConfigError
      }
      throw new Error('expected a ConfigError')
    })()
    const file = join(search.cwd, 'zot-warm.yaml')
    expect(err.places).toEqual([
      { file, line: 2, column: 1, label: './zot-warm.yaml:2:1' },
      { file, line: 3, column: 14, label: './zot-warm.yaml:3:14' },
    ])
    // And those found later, at the item (configError, as the pipeline raises them).
    write('cwd/zot-warm.yaml', 'mode: plan\npaths: [deploy, "x/*.yml"]\n')
    const { config } = parse()
    const later = configError(['paths: "x/*.yml" matches no file', 'workspace: other'], config.fromFile)
    expect(later.problems).toEqual([
      './zot-warm.yaml:2:17: paths: "x/*.yml" matches no file',
      'workspace: other',
    ])
    expect(later.places).toEqual([{ file, line: 2, column: 17, label: './zot-warm.yaml:2:17' }, undefined])
  })

  it('secrets in the file are handed to onSecret before anything can fail, and redacted from problems', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n'
    write(
      'cwd/zot-warm.yaml',
      `username: ci\npassword: s3cret-in-file\nclient-key: |\n${key.trimEnd().replace(/^/gm, '  ')}\nzot-url: "https://ci:s3cret-in-file@zot"\n`,
    )
    const seen: string[] = []
    const problems = problemsOf(() => parse({}, { onSecret: (s) => seen.push(s) }))
    expect(seen).toContain('s3cret-in-file')
    expect(seen).toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC')
    expect(problems.join('\n')).not.toContain('s3cret-in-file')
    expect(problems).toContain(
      './zot-warm.yaml:7:10: zot-url: must not contain credentials; pass them in the username and password inputs.',
    )
  })

  it('the action (no search) reads only the file its config input names, relative to the workspace', () => {
    write('cwd/zot-warm.yaml', 'mode: plan\n')
    write('cwd/ci/zot.yaml', 'mode: check\nzot-url: https://z\n')
    const none = parseConfig((n) => ({ 'zot-url': 'https://z' })[n], { workspace: cwd() })
    expect(none.config.mode).toBe('warm')
    expect(none.config.configFile).toBeUndefined()
    const named = parseConfig((n) => ({ config: 'ci/zot.yaml' })[n], { workspace: cwd() })
    expect(named.config.mode).toBe('check')
  })

  it('a file the user cannot read fails the run naming it', () => {
    if (process.getuid?.() === 0) {
      // root reads anything: an unreadable file is made a directory instead (EISDIR), same path through the code.
      mkdirSync(join(root, 'cwd', 'zot-warm.yaml'))
    } else {
      chmodSync(write('cwd/zot-warm.yaml', 'mode: plan\n'), 0)
    }
    expect(problemsOf(() => parse({ 'zot-url': 'https://z' }))[0]).toMatch(
      /^cannot read the configuration file \.\/zot-warm\.yaml: /,
    )
  })
})
