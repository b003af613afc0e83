import { OperatorError } from '../core/errors';

/** The checks of `doctor` (SPEC R37), in the order it prints them. */
export const CHECK_IDS = ['bucket-region', 'key-lockout', 'bucket-statement', 'key-statement', 'acl-check', 'bucket-deny', 'key-deny', 'capacity', 'ledger-table', 'topic-policy', 'drift'] as const;
export type CheckId = (typeof CHECK_IDS)[number];
export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface Check {
  id: CheckId;
  status: CheckStatus;
  /** What was found, one sentence. */
  message: string;
  /** What to do about it, one sentence; empty for a pass. */
  fix: string;
}

export function pass(id: CheckId, message: string): Check {
  return { id, status: 'pass', message, fix: '' };
}

export function warn(id: CheckId, message: string, fix: string): Check {
  return { id, status: 'warn', message, fix };
}

export function failed(id: CheckId, message: string, fix: string): Check {
  return { id, status: 'fail', message, fix };
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * A refusal of the core ("what is wrong; what to do.") as a failed check: the core's sentences name the fix after
 * their first semicolon, so the same words reach the operator whether the function or doctor finds the problem.
 */
export function refusal(id: CheckId, error: unknown, fallbackFix: string): Check {
  if (!(error instanceof OperatorError)) throw error;
  const { message, fix } = splitSentence(error.message);
  return failed(id, message, fix ?? fallbackFix);
}

/** "What is wrong; what to do." as its two halves, each a sentence. */
export function splitSentence(text: string): { message: string; fix?: string } {
  const cut = text.indexOf('; ');
  if (cut < 0) return { message: sentence(text) };
  return { message: sentence(text.slice(0, cut)), fix: sentence(text.slice(cut + 2)) };
}

/** "a, b and 3 more" for messages that must stay one line. */
export function listed(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
