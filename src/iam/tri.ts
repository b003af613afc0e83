/**
 * Three-valued logic for parts of a policy this evaluator cannot decide (an operator it does not implement, a
 * policy variable): `unknown` spreads through AND/OR the way SQL's NULL does, so a decision is only ever made when
 * the undecided part could not change it.
 */
export type Tri = boolean | 'unknown';

export function and(values: Iterable<Tri>): Tri {
  let result: Tri = true;
  for (const value of values) {
    if (value === false) return false;
    if (value === 'unknown') result = 'unknown';
  }
  return result;
}

export function or(values: Iterable<Tri>): Tri {
  let result: Tri = false;
  for (const value of values) {
    if (value === true) return true;
    if (value === 'unknown') result = 'unknown';
  }
  return result;
}

export function not(value: Tri): Tri {
  return value === 'unknown' ? value : !value;
}
