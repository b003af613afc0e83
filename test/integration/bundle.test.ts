// The Lambda bundle as `npm run build` (and the template's esbuild settings) produce it: npm test builds first.
import { readFileSync } from 'node:fs';
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

  it('writes source maps beside the bundle for reading traces offline, without the sources and unlinked from the code', () => {
    for (const file of ['handler.js', 'organizations.js']) {
      const map = JSON.parse(readFileSync(join(dist, `${file}.map`), 'utf8')) as { sourcesContent?: unknown; sources: string[] };
      expect(map.sourcesContent).toBeUndefined();
      expect(map.sources.some((s) => s.endsWith('src/handler.ts') || s.endsWith('src/organizations.ts'))).toBe(true);
      // No sourceMappingURL: the runtime finds no map to parse, with or without --enable-source-maps.
      expect(readFileSync(join(dist, file), 'utf8')).not.toContain('sourceMappingURL');
    }
  });
});
