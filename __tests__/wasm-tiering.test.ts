// Which V8 is told to keep WebAssembly on its baseline compiler: only V8 11 (Node 20), where it was measured
// to save CPU; other versions are left alone (an unknown flag would make V8 print an error on stdout).
import { expect, test } from 'vitest'
import { keepWasmOnBaseline } from '../src/warm/wasm-tiering.js'

test('V8 11 (Node 20) is told, V8 12 and 13 (Node 22, 24) are not', () => {
  expect(keepWasmOnBaseline('11.3.244.8-node.38')).toBe(true)
  expect(keepWasmOnBaseline('12.4.254.21-node.33')).toBe(false)
  expect(keepWasmOnBaseline('13.6.233.10-node.27')).toBe(false)
})
