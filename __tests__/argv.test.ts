// The CLI's command line (src/inputs/argv.ts): boolean spellings, --soft, refused bare true/false,
// repeated list flags, and the flag > ZOT_WARM_* > alias order.
import { describe, expect, it } from 'vitest'
import { ArgvError, cliValue, parseArgv } from '../src/inputs/argv.js'

const strictOf = (argv: string[]) => parseArgv(argv).inputs.get('strict')

describe('boolean flags', () => {
  it.each([
    [['--strict'], 'true'],
    [['--no-strict'], 'false'],
    [['--strict=true'], 'true'],
    [['--strict=false'], 'false'],
    [['--strict=FALSE'], 'false'],
    [['--strict=no'], 'false'],
    [['--soft'], 'false'],
    [['--strict', '--soft'], 'false'],
    [['--soft', '--strict'], 'true'],
    [['--no-strict', '--strict=true'], 'true'],
    [[], undefined],
  ])('%j → strict %s', (argv, want) => {
    expect(strictOf(argv)).toBe(want)
  })

  it('every boolean input takes the same spellings', () => {
    const p = parseArgv(['--refresh=true', '--no-skip-tls-verify', '--fail-on-unresolved=false'])
    expect(Object.fromEntries(p.inputs)).toEqual({
      refresh: 'true',
      'skip-tls-verify': 'false',
      'fail-on-unresolved': 'false',
    })
  })

  it.each([
    [
      ['--strict', 'false', 'deploy/'],
      "'--strict false': boolean flags take no separate value; write --no-strict (or --strict=false).",
    ],
    [
      ['--strict', 'true'],
      "'--strict true': boolean flags take no separate value; write --strict (or --strict=true).",
    ],
    [
      ['--no-strict', 'true'],
      "'--no-strict true': boolean flags take no separate value; write --no-strict (or --strict=false).",
    ],
    [
      ['--refresh', 'yes'],
      "'--refresh yes': boolean flags take no separate value; write --refresh (or --refresh=true).",
    ],
    [
      ['--soft', 'false'],
      "'--soft false': boolean flags take no separate value; write --strict (or --strict=true).",
    ],
    // Every word --strict=WORD takes, in any case: `--strict 0` would otherwise plan an image named `0`.
    [
      ['--strict', '0'],
      "'--strict 0': boolean flags take no separate value; write --no-strict (or --strict=false).",
    ],
    [
      ['--refresh', '1', 'deploy/'],
      "'--refresh 1': boolean flags take no separate value; write --refresh (or --refresh=true).",
    ],
    [
      ['--strict', 'FALSE'],
      "'--strict FALSE': boolean flags take no separate value; write --no-strict (or --strict=false).",
    ],
    [
      ['--no-strict', 'Off'],
      "'--no-strict Off': boolean flags take no separate value; write --strict (or --strict=true).",
    ],
    [['--strict=maybe'], "'--strict=maybe': --strict is true or false; write --strict or --no-strict."],
    [['--strict='], "'--strict=': --strict is true or false; write --strict or --no-strict."],
    [
      ['--no-strict=false'],
      "'--no-strict=false': --no-strict takes no value; write --strict=true or --strict=false.",
    ],
    [['--soft=true'], "'--soft=true': --soft takes no value; write --strict=true or --strict=false."],
    [['--no-soft'], "unknown option '--no-soft'; write --strict instead."],
  ])('%j is refused with what to write', (argv, message) => {
    expect(() => parseArgv(argv)).toThrow(new ArgvError(message))
  })

  it('true/false as a positional elsewhere is a positional (an image or path the user named)', () => {
    expect(parseArgv(['--mode', 'plan', 'false']).positionals).toEqual(['false'])
    expect(parseArgv(['--strict', '--', 'false']).positionals).toEqual(['false'])
  })

  it('a string flag takes true/false as its value', () => {
    expect(parseArgv(['--images', 'true']).inputs.get('images')).toBe('true')
  })
})

describe('other flags', () => {
  it('--name=value and --name value; list flags accumulate as lines; the last single value wins', () => {
    const p = parseArgv([
      '--paths=deploy',
      '--paths',
      'more',
      '--mode',
      'check',
      '--mode=plan',
      '-q',
      'nginx',
    ])
    expect(p.inputs.get('paths')).toBe('deploy\nmore')
    expect(p.inputs.get('mode')).toBe('plan')
    expect(p.quiet).toBe(true)
    expect(p.positionals).toEqual(['nginx'])
  })

  it('unknown options and missing values are ArgvErrors', () => {
    expect(() => parseArgv(['--zot', 'x'])).toThrow(/Unknown option '--zot'/)
    expect(() => parseArgv(['--mode'])).toThrow(ArgvError)
  })

  it('flag > ZOT_WARM_* > alias; empty values count as unset', () => {
    const env = { ZOT_WARM_ZOT_URL: 'https://env', ZOT_REGISTRY_URL: 'https://alias' }
    expect(cliValue(parseArgv(['--zot-url', 'https://flag']), env, 'zot-url')).toBe('https://flag')
    expect(cliValue(parseArgv([]), env, 'zot-url')).toBe('https://env')
    expect(cliValue(parseArgv([]), { ...env, ZOT_WARM_ZOT_URL: '' }, 'zot-url')).toBe('https://alias')
    expect(cliValue(parseArgv([]), {}, 'zot-url')).toBeUndefined()
  })
})
