import { compactByteLength, PolicyDocument } from './policy-document';

/**
 * How many more member accounts a policy holds before its compact JSON passes the size limit (SPEC R11), found
 * by adding accounts one at a time with a layout's own enroll function, so the count is the one the function
 * would reach (used by `doctor` and `npm run bench`).
 */
export interface Fill {
  /** Accounts that fit on top of the start document. */
  accounts: number;
  startBytes: number;
  /** Compact size with that many more accounts, and the size the next one would have made it. */
  bytesAtCapacity: number;
  bytesOverLimit: number;
  bytesPerAccount: number;
  limit: number;
  /** Set when an added account did not grow the document (or the cap was reached): the count is then a floor. */
  stalled?: { accountId: string; bytes: number };
  /** Set when the count was extrapolated from this many accounts added one by one (see fillToLimit's `steady`). */
  extrapolatedAfter?: number;
}

/** Far above any real capacity; stops an enroll function that never grows the document from looping forever. */
export const MAX_FILL_ACCOUNTS = 5_000;
/** Accounts used to fill: 200000000000, 200000000001, … (no real estate lists them all). */
export const FIRST_FILL_ACCOUNT = 200_000_000_000;

/**
 * Adds accounts one at a time until the next one would pass the limit. Each step costs a pass over the document,
 * so a full fill is quadratic; with `steady`, once that many accounts in a row each grew the document by the same
 * number of bytes (every further account appends one equally long value to the same lists), the rest is counted
 * by that growth instead of added. The result is the same when growth stays constant, which the unit tests check
 * against the full fill for both layouts.
 */
export function fillToLimit(start: PolicyDocument, limit: number, add: (document: PolicyDocument, accountId: string) => PolicyDocument, steady?: number): Fill {
  let document = start;
  const startBytes = compactByteLength(start);
  let size = startBytes;
  let growth = 0;
  let sameGrowth = 0;
  for (let accounts = 0; ; accounts++) {
    const accountId = String(FIRST_FILL_ACCOUNT + accounts);
    const next = add(document, accountId);
    const nextSize = compactByteLength(next);
    if (nextSize > limit) {
      return { accounts, startBytes, bytesAtCapacity: size, bytesOverLimit: nextSize, bytesPerAccount: (nextSize - startBytes) / (accounts + 1), limit };
    }
    if (nextSize <= size || accounts >= MAX_FILL_ACCOUNTS) {
      return { accounts, startBytes, bytesAtCapacity: size, bytesOverLimit: NaN, bytesPerAccount: NaN, limit, stalled: { accountId, bytes: nextSize } };
    }
    sameGrowth = nextSize - size === growth ? sameGrowth + 1 : 1;
    growth = nextSize - size;
    document = next;
    size = nextSize;
    if (steady !== undefined && sameGrowth >= steady) {
      const more = Math.min(Math.floor((limit - size) / growth), MAX_FILL_ACCOUNTS - accounts - 1);
      const total = accounts + 1 + more;
      const atCapacity = size + more * growth;
      return { accounts: total, startBytes, bytesAtCapacity: atCapacity, bytesOverLimit: atCapacity + growth, bytesPerAccount: (atCapacity + growth - startBytes) / (total + 1), limit, extrapolatedAfter: accounts + 1 };
    }
  }
}
