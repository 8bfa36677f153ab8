// Errors a user can act on. They carry where the problem is and what to do, and are printed without
// a stack trace. Anything else that escapes is a bug and is reported as one.

export interface Location {
  file?: string
  line?: number
  column?: number
}

/** The line of the configuration file a problem is written at. */
export interface ProblemPlace {
  /** Absolute path of the file. */
  file: string
  line: number
  column: number
  /** `./zot-warm.yaml:3:14`: how the problem's text starts (then `: `). */
  label: string
}

/** Bad configuration or input: the run cannot start. Exit code 1 in the CLI, a failed step in the action. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(
    /** One line per problem, each naming the input and what to do. */
    readonly problems: string[],
    /** Per problem (same index): where in the configuration file it is written, when it is. */
    readonly places: readonly (ProblemPlace | undefined)[] = [],
  ) {
    super(problems.join('\n'))
  }
}

/** Zot cannot be used at all (unreachable, TLS failure, credentials rejected). Exit code 1. */
export class HardFailure extends Error {
  override readonly name = 'HardFailure'
  constructor(
    message: string,
    /** What the user should do about it. */
    readonly hint?: string,
  ) {
    super(message)
  }
}

/** A reference that does not follow the distribution/reference grammar. */
export class InvalidReferenceError extends Error {
  override readonly name = 'InvalidReferenceError'
  constructor(
    readonly reference: string,
    readonly reason: string,
  ) {
    super(`invalid image reference "${reference}": ${reason}`)
  }
}

/** Render any thrown value as one line for a user, never a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause
    const code = (err as { code?: unknown }).code
    let text = err.message || err.name
    if (typeof code === 'string' && !text.includes(code)) text += ` (${code})`
    if (cause instanceof Error && cause.message && !text.includes(cause.message))
      text += `: ${describeError(cause)}`
    return text
  }
  return String(err)
}

/** "message. hint" as one sentence pair, whatever punctuation the message ends with. */
export function withHint(message: string, hint?: string): string {
  if (!hint) return message
  return `${/[.!?:]$/.test(message.trimEnd()) ? message.trimEnd() : `${message.trimEnd()}.`} ${hint}`
}
