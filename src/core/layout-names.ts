/**
 * The two ways the managed statements can list member accounts (SPEC R34):
 * - `resource-list`: the bucket statement's Resource names <bucket>/[<prefix>/]AWSLogs/<account>/* per account and
 *   prefix, the key statement's encryption-context condition names arn:<p>:cloudtrail:*:<account>:trail/* per account;
 * - `account-list`: one <bucket>/[<prefix>/]AWSLogs/* per prefix and one arn:<p>:cloudtrail:*:*:trail/*, with the
 *   accounts listed once in StringEquals aws:SourceAccount.
 */
export const POLICY_LAYOUTS = ['resource-list', 'account-list'] as const;
export type PolicyLayoutName = (typeof POLICY_LAYOUTS)[number];

export function isPolicyLayoutName(value: string): value is PolicyLayoutName {
  return (POLICY_LAYOUTS as readonly string[]).includes(value);
}
