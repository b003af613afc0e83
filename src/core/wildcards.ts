/**
 * IAM string wildcards: `*` matches any run of characters (also none), `?` exactly one (SPEC R14).
 * Used to decide whether a policy pattern covers what CloudTrail sends for a member.
 */

function same(a: string, b: string, ignoreCase: boolean): boolean {
  return ignoreCase ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Whether the wildcard pattern matches the literal value. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p++;
      resume = v;
    } else if (c !== undefined && (c === '?' || same(c, value[v]!, ignoreCase))) {
      p++;
      v++;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Whether some string matches both wildcard patterns: the product of the two patterns' automata, searched
 * over (position in a, position in b). `bExcludes` lists characters b's wildcards never stand for (a trail
 * pattern's `*` is a region or a trail name: never a ':').
 */
export function wildcardsIntersect(a: string, b: string, ignoreCase = false, bExcludes = ''): boolean {
  const seen = new Set<number>();
  const width = b.length + 1;
  const queue: Array<[number, number]> = [[0, 0]];
  while (queue.length > 0) {
    const [i, j] = queue.pop()!;
    const id = i * width + j;
    if (seen.has(id)) continue;
    seen.add(id);
    if (i === a.length && j === b.length) return true;
    const ca = a[i];
    const cb = b[j];
    // A star may match nothing.
    if (ca === '*') queue.push([i + 1, j]);
    if (cb === '*') queue.push([i, j + 1]);
    if (ca === undefined || cb === undefined) continue;
    // Both consume one character they can agree on; a star stays where it is.
    const bWild = cb === '*' || cb === '?';
    const aWild = ca === '*' || ca === '?';
    const compatible = bWild ? aWild || !bExcludes.includes(ca) : aWild || same(ca, cb, ignoreCase);
    if (!compatible) continue;
    queue.push([ca === '*' ? i : i + 1, cb === '*' ? j : j + 1]);
  }
  return false;
}
