import { OperatorError } from '../core/errors';

/**
 * One request's progress: the step that is running (named by the timeout guard, SPEC R19) and the abort
 * signal every AWS call carries. Once expired, entering a new step throws, so no further write starts.
 */
export class Run {
  private readonly controller = new AbortController();
  private current = 'starting';
  /** Policies written so far, so a timeout can say what may have changed. */
  readonly written: string[] = [];

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get step(): string {
    return this.current;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  enter(step: string): void {
    if (this.expired) throw new OperatorError(`The function ran out of time before ${step}; retry the stack operation.`);
    this.current = step;
  }

  expire(): void {
    this.controller.abort();
  }
}
