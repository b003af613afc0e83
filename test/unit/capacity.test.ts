import { fillToLimit } from '../../src/core/capacity';
import { policyLayout } from '../../src/core/layouts';
import { POLICY_LAYOUTS } from '../../src/core/layout-names';
import { PolicyDocument } from '../../src/core/policy-document';
import { BUCKET_POLICY_LIMIT_BYTES, KEY_POLICY_LIMIT_BYTES } from '../../src/core/size-limits';
import { bucketTarget, consoleKeyPolicy, keyTarget, seedBucketPolicy } from './helpers';

// doctor counts the accounts that still fit by extrapolating once growth is steady; npm run bench adds them one by
// one. Both must give the same numbers, from the fixtures and from a policy that has no CloudTrail statement yet.
describe('fillToLimit', () => {
  const starts: Array<[string, () => PolicyDocument]> = [
    ['the seed bucket policy', seedBucketPolicy],
    ['a bucket policy with no CloudTrail statement', () => ({ Version: '2012-10-17', Statement: [] })],
  ];

  describe.each(POLICY_LAYOUTS)('%s layout', (name) => {
    const layout = policyLayout(name);

    it.each(starts)('bucket policy from %s, with and without a prefix: extrapolated equals added one by one', (_, start) => {
      for (const logFilePrefix of ['', 'cloudtrail']) {
        const target = bucketTarget({ logFilePrefix });
        const add = (doc: PolicyDocument, accountId: string) => layout.bucket.enroll(doc, target, { partition: 'aws', accountId });
        const exact = fillToLimit(start(), BUCKET_POLICY_LIMIT_BYTES, add);
        const fast = fillToLimit(start(), BUCKET_POLICY_LIMIT_BYTES, add, 8);
        expect(exact.stalled).toBeUndefined();
        expect(fast.extrapolatedAfter).toBeLessThan(20);
        expect([fast.accounts, fast.bytesAtCapacity, fast.bytesOverLimit]).toEqual([exact.accounts, exact.bytesAtCapacity, exact.bytesOverLimit]);
      }
    });

    it('key policy from the console key policy: extrapolated equals added one by one', () => {
      const add = (doc: PolicyDocument, accountId: string) => layout.key.enroll(doc, keyTarget(), { partition: 'aws', accountId });
      const exact = fillToLimit(consoleKeyPolicy(), KEY_POLICY_LIMIT_BYTES, add);
      const fast = fillToLimit(consoleKeyPolicy(), KEY_POLICY_LIMIT_BYTES, add, 8);
      expect([fast.accounts, fast.bytesAtCapacity, fast.bytesOverLimit]).toEqual([exact.accounts, exact.bytesAtCapacity, exact.bytesOverLimit]);
    });
  });

  it('reports a document that stops growing instead of looping', () => {
    const fill = fillToLimit(seedBucketPolicy(), BUCKET_POLICY_LIMIT_BYTES, (doc) => doc);
    expect(fill).toMatchObject({ accounts: 0, stalled: { accountId: '200000000000' } });
  });
});
