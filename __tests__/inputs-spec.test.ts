// action.yml, the CLI's --help and the parser share src/inputs/spec.ts; this keeps them from drifting apart.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { usage } from '../src/cli.js'
import { parseConfig } from '../src/inputs/config.js'
import { CLI_INPUTS, INPUTS, OUTPUTS } from '../src/inputs/spec.js'
import { TOOL_VERSION } from '../src/report/report.js'

interface ActionYml {
  runs: { using: string; main: string }
  branding: { icon: string; color: string }
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}
const action = parse(readFileSync('action.yml', 'utf8')) as ActionYml
const flat = (s: string) => s.replace(/\s+/g, ' ').trim()

describe('action.yml', () => {
  it('runs the bundle on node24 and has branding', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    expect(action.branding.icon).toBeTruthy()
    expect(action.branding.color).toBeTruthy()
  })

  // The runner passes action.yml's default as if the workflow had set it, and an input must stay
  // distinguishable from "not set" so the configuration file can fill it: the defaults live in the
  // descriptions (and are applied by the parser), never in `default:`.
  it('declares exactly the inputs the parser reads, defaults in the descriptions only', () => {
    expect(Object.keys(action.inputs)).toEqual(INPUTS.map((i) => i.name))
    for (const spec of INPUTS) {
      const yml = action.inputs[spec.name]
      // Except the job token, which only the runner can fill in (github-token).
      expect(yml?.default, spec.name).toBe(spec.runnerDefault ?? '')
      // Runners refuse `${{ … }}` anywhere but in `default:` (act: "expressions are not allowed here").
      expect(yml?.description, spec.name).not.toContain('${{')
      expect(yml?.required, spec.name).toBe(false)
      expect(flat(yml?.description ?? ''), spec.name).toContain(flat(spec.description))
      if (spec.defaultText) expect(flat(yml?.description ?? ''), spec.name).toMatch(/Default: /)
      else if (spec.default)
        expect(flat(yml?.description ?? ''), spec.name).toContain(`Default: \`${spec.default}\`.`)
    }
  })

  it('every input the parser reads is declared (no undeclared getInput)', () => {
    const asked = new Set<string>()
    try {
      parseConfig((name) => {
        asked.add(name)
        return undefined
      })
    } catch {
      // zot-url is required; only the names matter here.
    }
    expect([...asked].sort()).toEqual(Object.keys(action.inputs).sort())
  })

  it('declares the documented outputs', () => {
    expect(Object.keys(action.outputs)).toEqual(OUTPUTS.map((o) => o.name))
    for (const o of OUTPUTS) expect(flat(action.outputs[o.name]?.description ?? '')).toBe(flat(o.description))
  })
})

describe('CLI help and version', () => {
  it('lists every input as a flag with its default and the environment aliases', () => {
    const help = usage().replace(/\s+/g, ' ')
    for (const spec of CLI_INPUTS) {
      expect(help).toContain(spec.boolean ? `--[no-]${spec.name}` : `--${spec.name} `)
      if (spec.default && !spec.defaultText) expect(help).toContain(`(default: ${spec.default})`)
    }
    for (const alias of ['ZOT_REGISTRY_URL', 'ZOT_USERNAME', 'ZOT_PASSWORD', 'ZOT_REGISTRY_MAP'])
      expect(help).toContain(alias)
    expect(help).toContain('Exit codes: 0')
  })

  it('offers no flag for what only the action does (the pull request comment)', () => {
    const actionOnly = INPUTS.filter((i) => i.actionOnly).map((i) => i.name)
    expect(actionOnly).toEqual(['pr-comment', 'github-token'])
    for (const name of actionOnly) expect(usage()).not.toContain(`--${name}`)
  })

  it('reports the package version', () => {
    expect(TOOL_VERSION).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version)
  })
})
