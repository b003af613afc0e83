/**
 * The Organizations SDK as a bundle of its own (dist/organizations.js beside dist/handler.js): it is needed only
 * when ORGANIZATION_ID is set, so it stays out of the handler bundle that every cold start parses.
 */
export { DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
