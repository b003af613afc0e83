import { randomUUID } from 'node:crypto';
import { OperatorError } from '../core/errors';
import { Metrics, noMetrics } from '../metrics/metrics';
import type { LedgerStore } from './ports';

/** How long before the deadline the guard answers: room for the response PUT (SPEC R19). */
export function guardMarginMs(remainingMs: number): number {
  return Math.min(5000, Math.max(1000, remainingMs * 0.1));
}

/**
 * One request's progress: the step that is running (named by the timeout guard, SPEC R19) and the abort
 * signal every AWS call carries. Once expired, entering a new step throws, so no further write starts.
 */
export class Run {
  private readonly controller = new AbortController();
  private current = 'starting';
  private linked: AbortSignal[] = [];
  /** Policies written so far, so a timeout can say what may have changed. */
  readonly written: string[] = [];
  /** The policy whose write has been sent and not yet answered, if any. */
  writing?: string;
  /**
   * The PhysicalResourceId a FAILED answer carries once the request may have changed the ledger: a failed Create
   * answers its enrollment id while a holding of it may be in the ledger, so the rollback Delete releases it (R39).
   */
  failureId?: string;
  /** Where this request's answer is recorded once it got past validation (SPEC R39). */
  answerLedger?: LedgerStore;
  /** Epoch milliseconds when the timeout guard answers (SPEC R19); a lease taken now lapses shortly after (R39). */
  readonly guardAt: number;

  /** Names this request as the ledger lease's owner (R30). */
  readonly id = randomUUID();

  /**
   * @param deadline epoch milliseconds when Lambda ends the invocation (or this request's share of it).
   * @param metrics where this request's numbers go (SPEC R36); the handler flushes them.
   */
  constructor(
    readonly deadline: number = Date.now() + 60_000,
    readonly metrics: Metrics = noMetrics,
  ) {
    this.guardAt = deadline - guardMarginMs(deadline - Date.now());
  }

  /** Aborted when the guard fires or when a linked signal (the ledger lease being lost) aborts. */
  get signal(): AbortSignal {
    return this.linked.length === 0 ? this.controller.signal : AbortSignal.any([this.controller.signal, ...this.linked]);
  }

  get step(): string {
    return this.current;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  enter(step: string): void {
    if (this.expired) throw new OperatorError(`The function ran out of time before ${step}; retry the stack operation.`);
    const lost = this.linked.find((s) => s.aborted);
    if (lost) throw lost.reason instanceof OperatorError ? lost.reason : new OperatorError(`The function stopped before ${step}; retry the stack operation.`);
    this.current = step;
  }

  expire(): void {
    this.controller.abort();
  }

  /** Also aborts this run's calls while `signal` is linked; returns the unlink. */
  link(signal: AbortSignal): () => void {
    this.linked.push(signal);
    return () => {
      this.linked = this.linked.filter((s) => s !== signal);
    };
  }

  /**
   * Runs one policy write, remembering it as in flight until AWS answered. A write that puts back what an earlier
   * write of this request changed (`restores`) takes that one off the list once it landed.
   */
  async write(policy: string, send: () => Promise<void>, restores = false): Promise<void> {
    this.writing = policy;
    try {
      await send();
      if (!restores) this.written.push(policy);
      else if (this.written.lastIndexOf(policy) !== -1) this.written.splice(this.written.lastIndexOf(policy), 1);
    } finally {
      this.writing = undefined;
    }
  }
}

/** The Reason for a failure: an OperatorError's own sentence, or one naming the step for anything unexpected (R20). */
export function failureReason(error: unknown, run: Run): string {
  if (error instanceof OperatorError) return error.message;
  return `The function failed unexpectedly while ${run.step} (${(error as Error)?.name ?? 'Error'}); check its logs for this request and retry the stack operation.`;
}
