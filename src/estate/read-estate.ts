import { bucketPolicyName } from '../core/bucket-policy';
import { keyPolicyName } from '../core/key-policy';
import { parsePolicy, PolicyDocument } from '../core/policy-document';
import { PolicyStore } from '../lifecycle/ports';
import { StatusTargets } from './status-report';

/** Both policies as they are now, plus where the bucket lives (the key's region must match, SPEC R12). */
export interface EstateSnapshot {
  /** undefined when the bucket has no policy at all. */
  bucketPolicy?: PolicyDocument;
  keyPolicy: PolicyDocument;
  bucketRegion: string;
}

export async function readEstate(targets: StatusTargets, store: PolicyStore, signal: AbortSignal): Promise<EstateSnapshot> {
  const [bucketText, keyText, bucketRegion] = await Promise.all([
    store.getBucketPolicy(targets.bucketName, signal),
    store.getKeyPolicy(targets.key, signal),
    store.getBucketRegion(targets.bucketName, signal),
  ]);
  return {
    ...(bucketText !== undefined ? { bucketPolicy: parsePolicy(bucketText, bucketPolicyName(targets.bucketName)) } : {}),
    keyPolicy: parsePolicy(keyText, keyPolicyName(targets.key.arn)),
    bucketRegion,
  };
}
