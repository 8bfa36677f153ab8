// Where a run's log lines go: the action's runner or the CLI's terminal; every stage writes through it.

export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
  /** A collapsible section of the log (the action: ::group::; the CLI: a heading). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
  /** A progress line; the CLI may draw it differently from info. */
  progress(line: string): void
}
