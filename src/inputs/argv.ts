// The CLI's command line: every input as `--name VALUE` (or `--name=VALUE`), boolean inputs as `--name`,
// `--no-name` or `--name=true|false`, `--soft` for `--no-strict` (the seed CLI's spelling), and the
// flags of the CLI itself. A boolean flag followed by a bare `true` / `false` is refused: taken as
// written it would be a flag and an image named `false`, which is never what was meant.
import { parseArgs } from 'node:util'
import { CLI_INPUTS, envName, INPUTS } from './spec.js'

/** Inputs that may be given several times (`--paths a --paths b`); the values are joined as lines. */
const LIST_INPUTS = new Set(['paths', 'images'])
const BOOLEAN_INPUTS = new Set(INPUTS.filter((i) => i.boolean).map((i) => i.name))
/**
 * Words a boolean takes in `--name=WORD` (any case), and so the ones refused right after a bare boolean
 * flag: `--strict 0` is as surely meant as a value as `--strict false`, never as an image named `0`.
 */
const TRUE_WORDS = new Set(['true', 'yes', 'on', '1'])
const FALSE_WORDS = new Set(['false', 'no', 'off', '0'])
/** Other spellings of a boolean flag: `--soft` is `--no-strict`. */
const SYNONYMS: Record<string, { input: string; value: boolean }> = {
  soft: { input: 'strict', value: false },
}

export interface ParsedArgv {
  /** Input name → value as the parser reads it (booleans as `true` / `false`, lists as lines). */
  inputs: Map<string, string>
  positionals: string[]
  help: boolean
  version: boolean
  quiet: boolean
}

/** A command line that cannot be understood; `message` says what to write instead. */
export class ArgvError extends Error {
  override readonly name = 'ArgvError'
}

export function parseArgv(argv: readonly string[]): ParsedArgv {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
  }
  for (const spec of CLI_INPUTS) {
    if (spec.boolean) {
      options[spec.name] = { type: 'boolean' }
      options[`no-${spec.name}`] = { type: 'boolean' }
    } else options[spec.name] = { type: 'string', multiple: LIST_INPUTS.has(spec.name) }
  }

  // `--name=WORD` and the synonyms become plain `--name` / `--no-name`, one argument for one, so the
  // indexes parseArgs reports still point at what the user typed.
  const args = [...argv]
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (arg === '--') break
    const m = /^--(no-)?([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg)
    if (!m) continue
    const [, no, name = '', word] = m
    const synonym = SYNONYMS[name]
    const input = synonym?.input ?? name
    if (!BOOLEAN_INPUTS.has(input)) continue
    let value = synonym ? synonym.value : true
    if (no) {
      if (synonym) throw new ArgvError(`unknown option '${arg}'; write --${synonym.input} instead.`)
      value = false
    }
    if (word !== undefined) {
      const w = word.toLowerCase()
      if (no || synonym)
        throw new ArgvError(
          `'${arg}': --${no ? 'no-' : ''}${name} takes no value; write --${input}=true or --${input}=false.`,
        )
      if (TRUE_WORDS.has(w)) value = true
      else if (FALSE_WORDS.has(w)) value = false
      else throw new ArgvError(`'${arg}': --${input} is true or false; write --${input} or --no-${input}.`)
    }
    args[i] = value ? `--${input}` : `--no-${input}`
  }

  const parse = () => parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true })
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse()
  } catch (err) {
    throw new ArgvError((err as Error).message)
  }

  const inputs = new Map<string, string>()
  const lists = new Map<string, string[]>()
  const tokens = parsed.tokens ?? []
  tokens.forEach((token, t) => {
    if (token.kind !== 'option') return
    const name = token.name
    const negated = name.startsWith('no-') && BOOLEAN_INPUTS.has(name.slice(3))
    const input = negated ? name.slice(3) : name
    if (BOOLEAN_INPUTS.has(input)) {
      const next = tokens[t + 1]
      const word = next?.kind === 'positional' ? next.value.toLowerCase() : ''
      if (
        next?.kind === 'positional' &&
        next.index === token.index + 1 &&
        (TRUE_WORDS.has(word) || FALSE_WORDS.has(word))
      ) {
        const typed = `${argv[token.index]} ${next.value}`
        const wanted = negated !== TRUE_WORDS.has(word)
        throw new ArgvError(
          `'${typed}': boolean flags take no separate value; write ${wanted ? `--${input}` : `--no-${input}`} (or --${input}=${wanted}).`,
        )
      }
      // The last of `--strict … --no-strict` wins, as with any other repeated flag.
      inputs.set(input, negated ? 'false' : 'true')
    } else if (LIST_INPUTS.has(input) && token.value !== undefined) {
      const list = lists.get(input) ?? []
      list.push(token.value)
      lists.set(input, list)
    } else if (token.value !== undefined) inputs.set(input, token.value)
  })
  for (const [name, values] of lists) inputs.set(name, values.join('\n'))
  return {
    inputs,
    positionals: parsed.positionals,
    help: Boolean(parsed.values.help),
    version: Boolean(parsed.values.version),
    quiet: Boolean(parsed.values.quiet),
  }
}

/**
 * The CLI's value of an input: the command line, then `ZOT_WARM_<NAME>`, then the seed CronJob's
 * variables (`envAliases`); undefined when none is set (the configuration file and the default come next).
 */
export function cliValue(
  parsed: ParsedArgv,
  env: Record<string, string | undefined>,
  name: string,
): string | undefined {
  const spec = INPUTS.find((i) => i.name === name)
  if (spec?.actionOnly) return undefined
  const flag = parsed.inputs.get(name)
  if (flag !== undefined && flag !== '') return flag
  for (const key of [envName(name), ...(spec?.envAliases ?? [])]) {
    const fromEnv = env[key]
    if (fromEnv) return fromEnv
  }
  return undefined
}
