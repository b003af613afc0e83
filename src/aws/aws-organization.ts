import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OrganizationMembership } from '../lifecycle/ports';
import { explainAwsError } from './aws-errors';
import { perPartition } from './partition-cache';
import { withRetries } from './retry';

/**
 * organizations:DescribeAccount, loaded only when ORGANIZATION_ID is set so the common path stays lean.
 * Organizations is a global service served from us-east-1 (aws), cn-northwest-1 (aws-cn), us-gov-west-1.
 */
const ORGANIZATIONS_REGION: Record<string, string> = { aws: 'us-east-1', 'aws-cn': 'cn-northwest-1', 'aws-us-gov': 'us-gov-west-1' };

type OrganizationsSdk = Pick<typeof import('@aws-sdk/client-organizations'), 'OrganizationsClient' | 'DescribeAccountCommand'>;

/**
 * The SDK from organizations.js beside the bundle (built from src/organizations.ts), read only when needed.
 * The paths are not string literals, so esbuild leaves both requires alone: the handler bundle does not hold
 * the client. From the TypeScript sources (tests, tools) there is no such file and the package is used.
 */
function loadOrganizationsSdk(): OrganizationsSdk {
  const bundled = join(__dirname, 'organizations.js');
  const target = existsSync(bundled) ? bundled : ['@aws-sdk', 'client-organizations'].join('/');
  return require(target) as OrganizationsSdk;
}

export async function awsOrganizationMembership(partition: string): Promise<OrganizationMembership> {
  const { OrganizationsClient, DescribeAccountCommand } = loadOrganizationsSdk();
  const client = new OrganizationsClient({ region: ORGANIZATIONS_REGION[partition] ?? 'us-east-1', maxAttempts: 1 });
  return {
    async describeAccount(accountId, signal) {
      try {
        const out = await withRetries(() => client.send(new DescribeAccountCommand({ AccountId: accountId }), { abortSignal: signal }), signal);
        const account = out.Account;
        return account ? { status: String(account.State ?? account.Status ?? ''), arn: account.Arn ?? '' } : undefined;
      } catch (error) {
        if ((error as { name?: string }).name === 'AccountNotFoundException') return undefined;
        throw explainAwsError(error, 'organizations:DescribeAccount', accountId);
      }
    },
  };
}

/**
 * awsOrganizationMembership, one per partition for the container's life; a failed load (the SDK chunk could not
 * be read, say) is dropped so the next request tries again. This is what the handler's dependencies use.
 */
export const organizationMembership: (partition: string) => Promise<OrganizationMembership> = perPartition(awsOrganizationMembership);
