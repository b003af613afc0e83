// The Lambda bundle as `npm run build` (and the template's esbuild settings) produce it: npm test builds first.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(__dirname, '..', '..', 'dist');

describe('Lambda bundle', () => {
  it('keeps the Organizations client out of the handler bundle, in dist/organizations.js beside it', () => {
    const handler = readFileSync(join(dist, 'handler.js'), 'utf8');
    expect(handler).not.toContain('AWSOrganizationsV20161128');
    expect(readFileSync(join(dist, 'organizations.js'), 'utf8')).toContain('AWSOrganizationsV20161128');
  });

  it('keeps the SNS client, which only doctor uses to read the topic policy, in the CLI bundle and out of the handler bundle', () => {
    expect(readFileSync(join(dist, 'handler.js'), 'utf8')).not.toContain('AmazonSimpleNotificationService');
    expect(readFileSync(join(dist, 'cli.js'), 'utf8')).toContain('AmazonSimpleNotificationService');
  });

  it('writes source maps for reading traces offline, without the sources inside', () => {
    expect(existsSync(join(dist, 'handler.js.map'))).toBe(true);
    const map = JSON.parse(readFileSync(join(dist, 'handler.js.map'), 'utf8')) as { sourcesContent?: unknown };
    expect(map.sourcesContent).toBeUndefined();
  });
});
