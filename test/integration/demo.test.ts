// npm run demo as a newcomer runs it (npm test builds first): it finishes, shows only a supported set-up (every
// member stack in the owner's region, where the ServiceToken topic is), and ends with both policies as they were.
import { join } from 'node:path';
import { projectRoot } from '../../devtools/project-root';
import { runNode } from '../support/run-node';

it('enrolls one account from two stacks in the owner\'s region and removes it with the last one', async () => {
  const run = await runNode(join(projectRoot(), 'dist', 'tools', 'scripts', 'demo.js'), [], { env: process.env });
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  const stackRegions = [...run.stdout.matchAll(/arn:aws:cloudformation:([a-z0-9-]+):222222222222:stack\//g)].map((m) => m[1]);
  expect(stackRegions.length).toBeGreaterThanOrEqual(2);
  expect(new Set(stackRegions)).toEqual(new Set(['us-east-1']));
  expect(run.stdout).toMatch(/key arn:aws:kms:us-east-1:/);
  expect(run.stdout).toContain('both policies unchanged (no write)');
  expect(run.stdout).toContain('both policies still list 222222222222');
  expect(run.stdout).toContain('bucket policy back to the original: yes');
  expect(run.stdout).toContain('key policy back to the original:    yes');
  // Quiet by default: no function log lines or metric records between the demo's own lines.
  expect(run.stdout.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
}, 120_000);
