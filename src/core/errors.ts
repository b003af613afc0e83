/**
 * An error whose message is one sentence an operator can act on (SPEC R20).
 * Anything that is not an OperatorError is reported with a generic sentence, never with its stack.
 */
export class OperatorError extends Error {
  override readonly name = 'OperatorError';
}

export function fail(message: string): never {
  throw new OperatorError(message);
}
