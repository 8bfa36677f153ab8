// Reading JSON that Zot (or a token service) sent: nothing in it is trusted to have the shape it should.

/** JSON of a body, or undefined when it is not JSON. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    return undefined
  }
}

/** The value as an object of named fields, or undefined (null, arrays and scalars are not). */
export function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
}
