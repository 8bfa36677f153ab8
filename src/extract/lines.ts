// Offset → 1-based line and column over a whole file, with the `yaml` library's LineCounter. Documents are
// parsed one by one from slices of the file (and pruned, prune.ts), so every offset the parser reports is
// first mapped back to the file; positions stay exact whichever way a document was read.
import { LineCounter } from 'yaml'

/** A line ends at LF, CR, or Unicode's line and paragraph separators (as YAML and JavaScript read them). */
export const isLineTerminator = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029

export interface Position {
  line: number
  column: number
}

export class LineIndex {
  private readonly counter = new LineCounter()

  constructor(readonly text: string) {
    this.counter.addNewLine(0)
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.counter.addNewLine(i + 1)
  }

  get lineCount(): number {
    return this.counter.lineStarts.length
  }

  /** Offset at which the 0-based line starts. */
  lineStart(line: number): number {
    return this.counter.lineStarts[line] ?? this.text.length
  }

  position(offset: number): Position {
    const { line, col } = this.counter.linePos(offset)
    return { line, column: col }
  }
}
