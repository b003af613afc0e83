import { randomUUID } from 'node:crypto';
import { OperatorError } from '../core/errors';
import { Metrics, noMetrics } from '../metrics/metrics';

/**
 * One request's progress: the step that is running (named by the timeout guard, SPEC R19) and the abort
 * signal every AWS call carries. Once expired, entering a new step throws, so no further write starts.
 */
export class Run {
  private readonly controller = new AbortController();
  private current = 'starting';
  /** Policies written so far, so a timeout can say what may have changed. */
  readonly written: string[] = [];
  /**
   * The PhysicalResourceId a FAILED answer carries once the request changed the ledger: a failed Create whose
   * holding is recorded answers its enrollment id, so the rollback Delete removes whatever gets applied (R29).
   */
  failureId?: string;

  /** Names this request as the ledger lease's owner (R30). */
  readonly id = randomUUID();

  /**
   * @param deadline epoch milliseconds when Lambda ends the invocation; a lease taken now expires then (R30).
   * @param metrics where this request's numbers go (SPEC R36); the handler flushes them.
   */
  constructor(
    readonly deadline: number = Date.now() + 60_000,
    readonly metrics: Metrics = noMetrics,
  ) {}

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

  /** A policy written earlier in this request was put back as it was. */
  unwrite(policy: string): void {
    const index = this.written.lastIndexOf(policy);
    if (index !== -1) this.written.splice(index, 1);
  }
}

/** The Reason for a failure: an OperatorError's own sentence, or one naming the step for anything unexpected (R20). */
export function failureReason(error: unknown, run: Run): string {
  if (error instanceof OperatorError) return error.message;
  return `The function failed unexpectedly while ${run.step} (${(error as Error)?.name ?? 'Error'}); check its logs for this request and retry the stack operation.`;
}
