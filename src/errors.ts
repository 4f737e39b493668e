/** The one error type the library throws for bad input or usage. Its message
 *  is a single line that says what is wrong and where (FILE:LINE[:COLUMN],
 *  1-based, the header is line 1); the CLI prints it as `error: <message>`
 *  and exits with code 2. */
export class BackpropError extends Error {
  override name = 'BackpropError';
  constructor(message: string) {
    super(message.replace(/\s*[\r\n]+\s*/g, ' '));
  }
}

/** Throws a BackpropError unless `cond` holds. */
export function check(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new BackpropError(typeof message === 'string' ? message : message());
}
