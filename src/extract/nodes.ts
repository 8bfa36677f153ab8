// The parse bound: what a document costs to parse is its number of nodes, not its bytes. The `yaml` library
// holds about 1 KB per node while it builds a document (tokens, nodes, ranges), so a 50 MB one-line JSON
// with 600 000 objects took 3 GB and crashed the run; 1 MB of `[],` is already half a million collections.
// Before a document (or the part of it that the pruning keeps) is parsed, its nodes are counted from the
// characters that start one, and a document over the bound is reported and skipped.

/** Nodes one parse may create: about 250 MB of parser memory, ≈ 2 s of parsing. */
export const MAX_PARSE_NODES = 250_000

/**
 * An upper estimate of the nodes parsing `text` creates, counted until it passes `limit`: every node but
 * the first starts after one of these — a flow indicator (`[`, `{`, `,`), a `:` (a value; a key before it
 * starts a line or follows a flow indicator), a line break (the next key or entry), a `- ` block entry.
 * Characters inside scalars count too, which only overestimates.
 */
function countNodes(text: string, limit: number): number {
  let n = 1
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 91 || c === 123 || c === 44 || c === 58 || c === 10) n++
    else if (c === 45) {
      const next = text.charCodeAt(i + 1)
      if (next === 32 || next === 10 || next === 13 || next === 9 || i + 1 === text.length) n++
    } else continue
    if (n > limit) return n
  }
  return n
}

/** Whether parsing `text` stays within the bound (only texts longer than the bound are counted). */
export function withinParseBound(text: string): boolean {
  return text.length <= MAX_PARSE_NODES || countNodes(text, MAX_PARSE_NODES) <= MAX_PARSE_NODES
}
