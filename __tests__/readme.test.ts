// The README's inputs and outputs tables mirror action.yml: same names, same order, same defaults.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { parse } from 'yaml'
import { INPUTS } from '../src/inputs/spec.js'

const readme = readFileSync('README.md', 'utf8')
const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, unknown>
  outputs: Record<string, unknown>
}
/** Rows of the markdown table under `## heading`: first cell (unquoted) → second cell. */
function table(heading: string): [string, string][] {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? ''
  return section
    .split('\n')
    .filter((l) => /^\| `/.test(l))
    .map((l) => {
      const cells = l.split(/(?<!\\)\|/).map((c) => c.trim())
      return [cells[1]?.replace(/`/g, '') ?? '', cells[2] ?? '']
    })
}

it('lists every input of action.yml in order with its default', () => {
  const rows = table('Inputs')
  expect(rows.map(([name]) => name)).toEqual(Object.keys(action.inputs))
  for (const [name, def] of rows) {
    const spec = INPUTS.find((i) => i.name === name)
    const want = spec?.defaultText ?? (spec?.default ? `\`${spec.default}\`` : '')
    expect(def, name).toBe(want)
  }
})

it('lists every output of action.yml in order', () => {
  expect(table('Outputs').map(([name]) => name)).toEqual(Object.keys(action.outputs))
})

it('states the test command that .ci/run runs', () => {
  expect(readme).toContain('npm test ')
  expect(readFileSync('.ci/run', 'utf8')).toMatch(/^npm test\b/m)
})
