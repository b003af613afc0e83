// Security teams' licence scanners reject copyleft even in dev dependencies: no package of the lock file may be
// licensed only under a GPL-family licence (GPL, LGPL, AGPL). A choice such as "(MIT OR GPL-3.0-or-later)" is fine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../devtools/project-root';

type Lock = { packages: Record<string, { license?: unknown }> };

/** Whether every alternative of an SPDX expression (its OR branches) needs a GPL-family licence. */
function onlyGplFamily(expression: string): boolean {
  return expression
    .replace(/[()]/g, ' ')
    .split(/\s+OR\s+/i)
    .every((alternative) => /GPL/i.test(alternative));
}

describe('package-lock.json licences', () => {
  it('reads SPDX choices: a GPL alternative is fine, a GPL requirement is not', () => {
    expect(onlyGplFamily('AGPL-3.0-or-later')).toBe(true);
    expect(onlyGplFamily('MIT AND LGPL-2.1-only')).toBe(true);
    expect(onlyGplFamily('(MIT OR GPL-3.0-or-later)')).toBe(false);
    expect(onlyGplFamily('Apache-2.0')).toBe(false);
  });

  it('names no package licensed only under a GPL-family licence, and none without a licence', () => {
    const lock = JSON.parse(readFileSync(join(projectRoot(), 'package-lock.json'), 'utf8')) as Lock;
    const offending = Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .flatMap(([path, { license }]) => (typeof license !== 'string' ? [`${path}: no licence field`] : onlyGplFamily(license) ? [`${path}: ${license}`] : []));
    expect(offending).toEqual([]);
  });
});
