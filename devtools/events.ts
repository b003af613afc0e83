import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

/** CloudFormation custom resource requests as a member stack would send them. */
export interface EventOptions {
  stackAccount?: string;
  /** The requesting stack; default: the one stack of stackAccount (see stackIdIn). */
  stackId?: string;
  logicalResourceId?: string;
  responseUrl: string;
  physicalResourceId?: string;
  oldProperties?: Record<string, string>;
}

/** A stack of the account: the same one every time unless `name` tells another (the ledger matches holders by StackId). */
export function stackIdIn(account: string, name = 'StackSet-enrollment'): string {
  const id = name === 'StackSet-enrollment' ? `00000000-0000-4000-8000-${account}` : randomUUID();
  return `arn:aws:cloudformation:us-east-1:${account}:stack/${name}-${account}/${id}`;
}

export function cfnEvent(requestType: 'Create' | 'Update' | 'Delete', properties: Record<string, string>, options: EventOptions): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:cloudtrail-enrollment',
    ResponseURL: options.responseUrl,
    StackId: options.stackId ?? stackIdIn(options.stackAccount ?? properties.AccountId ?? '222222222222'),
    RequestId: randomUUID(),
    LogicalResourceId: options.logicalResourceId ?? 'Enrollment',
    ResourceType: 'Custom::CloudTrailEnrollment',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:cloudtrail-enrollment', ...properties },
  };
  if (requestType === 'Create') return { ...base, RequestType: 'Create' } as CloudFormationCustomResourceEvent;
  if (requestType === 'Update') {
    return { ...base, RequestType: 'Update', PhysicalResourceId: options.physicalResourceId ?? '', OldResourceProperties: { ServiceToken: base.ServiceToken, ...options.oldProperties } };
  }
  return { ...base, RequestType: 'Delete', PhysicalResourceId: options.physicalResourceId ?? '' };
}

export function lambdaContext(remainingMs = 60_000): { getRemainingTimeInMillis(): number } {
  const deadline = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => deadline - Date.now() };
}
