import {
  bucketAdmission,
  bucketLayoutOf,
  bucketToAccountList,
  bucketToResourceList,
  enrollInAccountListBucket,
  enrollInAccountListKey,
  keyAdmission,
  keyLayoutOf,
  keyToAccountList,
  keyToResourceList,
  managedBucketValues,
  managedKeyValues,
  removeFromAccountListBucket,
  removeFromAccountListKey,
  StillNeeded,
} from './account-list';
import { BucketTarget, enrollInBucketPolicy, removeFromBucketPolicy } from './bucket-policy';
import { enrollInKeyPolicy, KeyTarget, removeFromKeyPolicy } from './key-policy';
import { PolicyLayoutName } from './layout-names';
import { PolicyDocument } from './policy-document';
import { MemberTrail } from './source-conditions';

/** How one layout edits the bucket policy (SPEC R34). All pure; failures are OperatorErrors. */
export interface BucketLayout {
  name: PolicyLayoutName;
  /** The statement rewritten into this layout; unchanged when it already is. `knownPrefixes`: the ledger's prefixes of an account. */
  convert(current: PolicyDocument | undefined, target: BucketTarget, knownPrefixes: (accountId: string) => string[]): PolicyDocument | undefined;
  enroll(current: PolicyDocument | undefined, target: BucketTarget, member: MemberTrail): PolicyDocument;
  /** `still` matters to the account-list layout only: the resource-list layout names each (account, prefix) on its own. */
  remove(current: PolicyDocument | undefined, target: BucketTarget, member: MemberTrail, still: StillNeeded): PolicyDocument | undefined;
  /** Whether the policy admits (account, prefix); reads either layout. */
  listed(current: PolicyDocument | undefined, target: BucketTarget): (accountId: string, logFilePrefix: string) => boolean;
  /** The listed values, for change logs. */
  managedValues(current: PolicyDocument | undefined, target: BucketTarget): string[];
}

export interface KeyLayout {
  name: PolicyLayoutName;
  convert(current: PolicyDocument, target: KeyTarget): PolicyDocument;
  enroll(current: PolicyDocument, target: KeyTarget, member: MemberTrail): PolicyDocument;
  remove(current: PolicyDocument, target: KeyTarget, member: MemberTrail): PolicyDocument;
  listed(current: PolicyDocument, target: KeyTarget): (accountId: string) => boolean;
  managedValues(current: PolicyDocument, target: KeyTarget): string[];
}

export interface PolicyLayout {
  name: PolicyLayoutName;
  bucket: BucketLayout;
  key: KeyLayout;
}

const RESOURCE_LIST: PolicyLayout = {
  name: 'resource-list',
  bucket: {
    name: 'resource-list',
    convert: bucketToResourceList,
    enroll: enrollInBucketPolicy,
    remove: (current, target, member) => removeFromBucketPolicy(current, target, member),
    listed: bucketAdmission,
    managedValues: managedBucketValues,
  },
  key: {
    name: 'resource-list',
    convert: keyToResourceList,
    enroll: enrollInKeyPolicy,
    remove: removeFromKeyPolicy,
    listed: keyAdmission,
    managedValues: managedKeyValues,
  },
};

const ACCOUNT_LIST: PolicyLayout = {
  name: 'account-list',
  bucket: {
    name: 'account-list',
    convert: (current, target) => bucketToAccountList(current, target),
    enroll: enrollInAccountListBucket,
    remove: removeFromAccountListBucket,
    listed: bucketAdmission,
    managedValues: managedBucketValues,
  },
  key: {
    name: 'account-list',
    convert: keyToAccountList,
    enroll: enrollInAccountListKey,
    remove: removeFromAccountListKey,
    listed: keyAdmission,
    managedValues: managedKeyValues,
  },
};

export function policyLayout(name: PolicyLayoutName): PolicyLayout {
  return name === 'account-list' ? ACCOUNT_LIST : RESOURCE_LIST;
}

/** The layout a bucket statement is in (a statement naming both shapes counts as account-list: it has AWSLogs/* paths). */
export function bucketLayoutFound(current: PolicyDocument | undefined, target: BucketTarget): BucketLayout {
  const found = bucketLayoutOf(current, target);
  return policyLayout(found === 'account-list' || found === 'mixed' ? 'account-list' : 'resource-list').bucket;
}

export function keyLayoutFound(current: PolicyDocument, target: KeyTarget): KeyLayout {
  const found = keyLayoutOf(current, target);
  return policyLayout(found === 'account-list' || found === 'mixed' ? 'account-list' : 'resource-list').key;
}
