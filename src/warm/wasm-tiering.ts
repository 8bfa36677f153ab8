// undici parses HTTP with llhttp, compiled to WebAssembly. On Node 20 (V8 11), once llhttp has parsed a few
// responses, V8 recompiles it with its optimising compiler (TurboFan) on a background thread: 40–100 CPU-ms
// per process, more than the faster parser ever gives back in a run of a few hundred or thousand requests.
// Measured with undici against a loopback server, CPU of the whole process, Node 20: 100 requests 77 → 37 ms,
// 500: 235 → 135 ms, 2000: 447 → 360 ms; a cold warm run of 20 images: 0.38 → 0.30 CPU-s. That CPU is taken
// from the Zot the run waits on when both share a small machine. So there V8's baseline WebAssembly compiler
// (Liftoff) is kept. Node 24's V8 gains nothing from it (measured equal), and a flag V8 does not know makes it
// print an error on stdout, so only V8 11 is told.
import { setFlagsFromString } from 'node:v8'

/** Keeps WebAssembly on V8's baseline compiler where that saves CPU (V8 11, Node 20); elsewhere nothing. */
export function keepWasmOnBaseline(v8Version: string = process.versions.v8): boolean {
  if (v8Version.split('.')[0] !== '11') return false
  setFlagsFromString('--liftoff-only')
  return true
}
