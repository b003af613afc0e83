// The deployment channel examples in examples/ (SPEC R38), read the way each channel reads them: StackSets by CLI
// (the README's commands, run from the repository root), Customizations for AWS Control Tower (manifest.yaml, whose
// resource_file CfCT reads relative to the manifest's folder) and Landing Zone Accelerator (customizations-config.yaml,
// whose template LZA reads relative to the configuration repository's root; the example folders mirror those
// layouts). For each: the file parses, it passes only parameters the member template has, with values the template
// accepts, its template path leads to stacksets/member-account.yaml, it deploys to its ServiceToken's region, its
// README starts with the doctor command for the channel's role, and the topic policy template.yaml builds with its
// PublisherRoleArns admits that role in the organization and nothing else.
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseCliArgs } from '../../src/cli/args';
import { mayPublish } from '../../src/iam/publish';
import { loadTemplate, resolveIntrinsics, TOPIC_ARN } from '../support/cfn-template';
import { commandsStartingWith, flagValues, markdownSection, shellCommands } from '../support/markdown-commands';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const root = resolve(__dirname, '..', '..');
const MEMBER_TEMPLATE = realpathSync(join(root, 'stacksets', 'member-account.yaml'));
const owner = loadTemplate('template.yaml');
const member = loadTemplate('stacksets/member-account.yaml');
const MEMBER = '222222222222';
const OTHER_ORG = 'o-zzzzzzzzzz';

/** What an example deploys, read as its channel reads it. */
interface Deployment {
  /** The template file the channel would upload, resolved from where the channel reads the path. */
  templateFile: string;
  parameters: Record<string, unknown>;
  regions: unknown[];
  /** The capabilities the channel passes to CloudFormation for this StackSet. */
  capabilities: unknown[];
}

interface Channel {
  name: string;
  readme: string;
  /** The README's section for this channel, when one README covers two. */
  section?: string;
  /** Its row in the publisher-roles table of examples/README.md. */
  tableRow: string;
  /** The role name the channel's stacks run as in members (at the path /). */
  role: string;
  /** Role names that are not the channel's role but look like it. */
  lookalikes: string[];
  deployment: (readme: string) => Deployment;
}

const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const keysOutside = (o: Json, allowed: string[]): string[] => Object.keys(o).filter((k) => !allowed.includes(k));
const fileUrl = (value: string | undefined): string => {
  expect(value).toMatch(/^file:\/\//);
  return value!.slice('file://'.length);
};
const only = <T>(items: T[] | undefined): T => {
  expect(items).toHaveLength(1);
  return items![0]!;
};

/** The StackSet the README's create-stack-set and create-stack-instances commands make (run from the repository root). */
function cliDeployment(readme: string, permissionModel: 'SERVICE_MANAGED' | 'SELF_MANAGED'): Deployment {
  const commands = shellCommands(readme);
  const createSet = only(commandsStartingWith(commands, 'aws', 'cloudformation', 'create-stack-set'));
  const createInstances = only(commandsStartingWith(commands, 'aws', 'cloudformation', 'create-stack-instances'));
  expect(flagValues(createSet, '--permission-model')).toEqual([permissionModel]);
  expect(flagValues(createInstances, '--stack-set-name')).toEqual(flagValues(createSet, '--stack-set-name'));
  // Only service-managed StackSets take --call-as; a delegated administrator must pass DELEGATED_ADMIN to each call.
  for (const words of commandsStartingWith(commands, 'aws', 'cloudformation')) {
    expect(flagValues(words, '--call-as')).toEqual(permissionModel === 'SERVICE_MANAGED' ? ['DELEGATED_ADMIN'] : undefined);
  }
  if (permissionModel === 'SERVICE_MANAGED') expect(only(flagValues(createInstances, '--deployment-targets'))).toMatch(/^OrganizationalUnitIds=ou-/);
  else expect(flagValues(createInstances, '--accounts')?.every((a) => /^[0-9]{12}$/.test(a))).toBe(true);
  const parameterList: Json = JSON.parse(read(fileUrl(only(flagValues(createSet, '--parameters')))));
  expect(Array.isArray(parameterList)).toBe(true);
  for (const p of parameterList) expect(Object.keys(p).sort()).toEqual(['ParameterKey', 'ParameterValue']);
  return {
    templateFile: join(root, fileUrl(only(flagValues(createSet, '--template-body')))),
    parameters: Object.fromEntries(parameterList.map((p: Json) => [p.ParameterKey, p.ParameterValue])),
    regions: flagValues(createInstances, '--regions') ?? [],
    capabilities: flagValues(createSet, '--capabilities') ?? [],
  };
}

/** The stack_set resource of the CfCT manifest, with the keys of CfCT's manifest-v2 schema only. */
function cfctDeployment(): Deployment {
  const path = join(root, 'examples', 'cfct', 'manifest.yaml');
  const manifest: Json = parse(readFileSync(path, 'utf8'));
  expect(keysOutside(manifest, ['region', 'version', 'enable_stack_set_deletion', 'resources'])).toEqual([]);
  expect(String(manifest.version)).toBe('2021-03-15');
  expect(manifest.region).toMatch(/^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/);
  const resource: Json = only((manifest.resources as Json[]).filter((r) => r.deploy_method === 'stack_set'));
  expect(keysOutside(resource, ['name', 'description', 'resource_file', 'deployment_targets', 'parameter_file', 'parameters', 'deploy_method', 'regions', 'export_outputs'])).toEqual([]);
  expect(resource.name).toMatch(/^[A-Za-z][A-Za-z0-9-]*$/);
  expect(resource.resource_file).not.toMatch(/^(s3|https?):/i);
  expect(keysOutside(resource.deployment_targets, ['accounts', 'organizational_units'])).toEqual([]);
  expect(resource.deployment_targets.organizational_units.length).toBeGreaterThan(0);
  for (const ou of resource.deployment_targets.organizational_units) expect(typeof ou).toBe('string');
  for (const p of resource.parameters) expect(Object.keys(p).sort()).toEqual(['parameter_key', 'parameter_value']);
  return {
    templateFile: join(dirname(path), resource.resource_file),
    parameters: Object.fromEntries(resource.parameters.map((p: Json) => [p.parameter_key, p.parameter_value])),
    regions: resource.regions,
    // CfCT passes these to every StackSet it creates; the manifest has no field for them.
    capabilities: ['CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
  };
}

/** The StackSet entry of the LZA customizations config, with the keys of LZA's ICloudFormationStackSet only. */
function lzaDeployment(): Deployment {
  const path = join(root, 'examples', 'lza', 'customizations-config.yaml');
  const config: Json = parse(readFileSync(path, 'utf8'));
  expect(keysOutside(config, ['createCfnStackSetExecutionRole', 'customizations', 'applications', 'firewalls'])).toEqual([]);
  expect(config.createCfnStackSetExecutionRole).not.toBe(false);
  expect(keysOutside(config.customizations, ['cloudFormationStacks', 'cloudFormationStackSets', 'serviceCatalogPortfolios'])).toEqual([]);
  const stackSet: Json = only(config.customizations.cloudFormationStackSets);
  expect(keysOutside(stackSet, ['capabilities', 'deploymentTargets', 'description', 'name', 'regions', 'template', 'parameters', 'operationPreferences', 'dependsOn', 'administrationRoleArn', 'executionRoleName'])).toEqual([]);
  // Without executionRoleName the StackSet runs as CloudFormation's default, the role LZA creates in every account.
  expect(stackSet.executionRoleName).toBeUndefined();
  expect(stackSet.name).toMatch(/^[A-Za-z][A-Za-z0-9-]*$/);
  expect(keysOutside(stackSet.deploymentTargets, ['organizationalUnits', 'accounts', 'excludedRegions', 'excludedAccounts'])).toEqual([]);
  expect(stackSet.deploymentTargets.organizationalUnits.length).toBeGreaterThan(0);
  for (const p of stackSet.parameters) expect(Object.keys(p).sort()).toEqual(['name', 'value']);
  return {
    templateFile: join(dirname(path), stackSet.template),
    parameters: Object.fromEntries(stackSet.parameters.map((p: Json) => [p.name, p.value])),
    regions: stackSet.regions,
    capabilities: stackSet.capabilities ?? [],
  };
}

const STACKSETS_EXEC = 'stacksets-exec-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d';
const channels: Channel[] = [
  {
    name: 'StackSets by CLI, service-managed',
    readme: 'examples/stacksets-cli/README.md',
    section: '## Service-managed',
    tableRow: 'StackSets, service-managed',
    role: STACKSETS_EXEC,
    lookalikes: ['my-stacksets-exec-copy', 'stacksets-exe-1a2b3c4d', `custom/${STACKSETS_EXEC}`],
    deployment: (readme) => cliDeployment(readme, 'SERVICE_MANAGED'),
  },
  {
    name: 'StackSets by CLI, self-managed',
    readme: 'examples/stacksets-cli/README.md',
    section: '## Self-managed',
    tableRow: 'StackSets, self-managed',
    role: 'AWSCloudFormationStackSetExecutionRole',
    lookalikes: ['AWSCloudFormationStackSetExecutionRole2', 'MyAWSCloudFormationStackSetExecutionRole', 'custom/AWSCloudFormationStackSetExecutionRole'],
    deployment: (readme) => cliDeployment(readme, 'SELF_MANAGED'),
  },
  {
    name: 'Customizations for AWS Control Tower',
    readme: 'examples/cfct/README.md',
    tableRow: 'CfCT',
    role: 'AWSControlTowerExecution',
    lookalikes: ['AWSControlTowerExecution-copy', 'MyAWSControlTowerExecution', 'custom/AWSControlTowerExecution'],
    deployment: cfctDeployment,
  },
  {
    name: 'Landing Zone Accelerator',
    readme: 'examples/lza/README.md',
    tableRow: 'LZA',
    role: 'AWSCloudFormationStackSetExecutionRole',
    lookalikes: ['AWSCloudFormationStackSetExecutionRole-copy', 'AWSAccelerator-StackSetExecutionRole', 'custom/AWSCloudFormationStackSetExecutionRole'],
    deployment: () => lzaDeployment(),
  },
];

/** Every role a channel runs as, and the member administrator roles an estate has besides. */
const otherRoles = [STACKSETS_EXEC, 'AWSCloudFormationStackSetExecutionRole', 'AWSControlTowerExecution', 'OrganizationAccountAccessRole'];
const memberAdministrator = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';

/** Whether the topic policy template.yaml builds with these owner parameters lets this role publish. */
function publish(ownerParameters: Record<string, string>, roleName: string, organizationId?: string): string {
  const policy = resolveIntrinsics(owner, owner.Resources.EnrollmentTopicPolicy.Properties.PolicyDocument, ownerParameters);
  const roleArn = `arn:aws:iam::${MEMBER}:role/${roleName}`;
  return mayPublish(policy, TOPIC_ARN, { roleArn, ...(organizationId ? { organizationId } : {}) }).decision;
}

/** The owner stack's parameter overrides in the README's `sam deploy` command. */
function ownerParameters(readme: string): Record<string, string> {
  const deploy = only(commandsStartingWith(shellCommands(readme), 'sam', 'deploy'));
  const overrides = flagValues(deploy, '--parameter-overrides') ?? [];
  return Object.fromEntries(overrides.map((pair) => {
    const at = pair.indexOf('=');
    expect(at).toBeGreaterThan(0);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }));
}

/** Whether a value passes a template parameter's constraints, as CloudFormation checks them. */
function violations(parameter: Json, value: unknown): string[] {
  if (typeof value !== 'string') return [`is a ${typeof value}, not a string`];
  const problems: string[] = [];
  if (parameter.AllowedPattern !== undefined && !new RegExp(`^(?:${parameter.AllowedPattern})$`).test(value)) problems.push(`does not match ${parameter.AllowedPattern}`);
  if (parameter.AllowedValues !== undefined && !parameter.AllowedValues.map(String).includes(value)) problems.push(`is not one of ${parameter.AllowedValues}`);
  if (parameter.MaxLength !== undefined && value.length > Number(parameter.MaxLength)) problems.push(`is longer than ${parameter.MaxLength}`);
  return problems;
}

describe.each(channels)('the $name example (R38)', (channel) => {
  const readme = markdownSection(read(channel.readme), channel.section);
  // Read in beforeAll, so that an example that does not parse fails every test with the reason.
  let deployment: Deployment;
  let owned: Record<string, string>;
  let organizationId: string;
  let publisherRoleArns: string;
  beforeAll(() => {
    deployment = channel.deployment(readme);
    owned = ownerParameters(readme);
    organizationId = owned.OrganizationId!;
    publisherRoleArns = owned.PublisherRoleArns!;
  });

  it('passes only parameters the member template has, every one it requires, with values it accepts', () => {
    const declared: Json = member.Parameters;
    expect(Object.keys(deployment.parameters).filter((k) => !(k in declared))).toEqual([]);
    const required = Object.keys(declared).filter((k) => declared[k].Default === undefined);
    expect(required.filter((k) => !(k in deployment.parameters))).toEqual([]);
    for (const [key, value] of Object.entries(deployment.parameters)) expect({ [key]: violations(declared[key], value) }).toEqual({ [key]: [] });
  });

  it('points at stacksets/member-account.yaml from where the channel reads the template', () => {
    expect(realpathSync(deployment.templateFile)).toBe(MEMBER_TEMPLATE);
  });

  it("deploys to exactly its ServiceToken's region, since a ServiceToken must be in the stack's region", () => {
    const serviceToken = String(deployment.parameters.ServiceToken);
    expect(deployment.regions).toEqual([serviceToken.split(':')[3]]);
  });

  it("grants the capability the member template's IAM role needs", () => {
    const createsIamResources = Object.values(member.Resources as Record<string, Json>).some((r) => r.Type.startsWith('AWS::IAM::'));
    expect(createsIamResources).toBe(true);
    expect(deployment.capabilities.some((c) => c === 'CAPABILITY_IAM' || c === 'CAPABILITY_NAMED_IAM')).toBe(true);
  });

  it('gives the owner stack parameters template.yaml has, with values it accepts', () => {
    expect(Object.keys(owned).filter((k) => !(k in owner.Parameters))).toEqual([]);
    for (const [key, value] of Object.entries(owned)) expect({ [key]: violations(owner.Parameters[key], value) }).toEqual({ [key]: [] });
    expect(organizationId).toBeDefined();
    expect(publisherRoleArns).toBeDefined();
  });

  it("starts with the doctor command, for the channel's role and the example's topic and organization", () => {
    const firstStep = readme.split('\n').find((line) => /^\d+\. /.test(line));
    expect(firstStep).toMatch(/doctor/);
    const doctor = only(commandsStartingWith(shellCommands(readme), 'node', 'dist/cli.js', 'doctor'));
    const args: Json = parseCliArgs(doctor.slice(2));
    expect(args).toMatchObject({
      command: 'doctor',
      topic: deployment.parameters.ServiceToken,
      publisherRole: `arn:aws:iam::${MEMBER}:role/${channel.role}`,
      organization: organizationId,
    });
  });

  it('is the PublisherRoleArns value the publisher-roles table gives for the channel', () => {
    const row = read('examples/README.md').split('\n').find((line) => line.startsWith(`| ${channel.tableRow} |`));
    expect(row?.split('|')[3]?.trim()).toBe(`\`${publisherRoleArns}\``);
  });

  describe('its PublisherRoleArns, in the topic policy template.yaml builds', () => {
    it("admits the channel's execution role in the organization", () => {
      expect(publish(owned, channel.role, organizationId)).toBe('allowed');
    });

    it('refuses a member administrator', () => {
      expect(publish(owned, memberAdministrator, organizationId)).toBe('implicitly-denied');
    });

    it.each(channel.lookalikes)('refuses the look-alike role %s', (lookalike) => {
      expect(publish(owned, lookalike, organizationId)).toBe('implicitly-denied');
    });

    it('refuses the roles of the other channels and OrganizationAccountAccessRole', () => {
      for (const role of otherRoles.filter((r) => r !== channel.role)) expect({ role, decision: publish(owned, role, organizationId) }).toEqual({ role, decision: 'implicitly-denied' });
    });

    it("refuses the channel's role in another organization or in none", () => {
      expect(publish(owned, channel.role, OTHER_ORG)).toBe('implicitly-denied');
      expect(publish(owned, channel.role)).toBe('implicitly-denied');
    });
  });
});

describe('the owner stack without PublisherRoleArns (R38)', () => {
  it('refuses AWSControlTowerExecution, which is why the CfCT example sets it', () => {
    expect(publish({ OrganizationId: 'o-a1b2c3d4e5' }, 'AWSControlTowerExecution', 'o-a1b2c3d4e5')).toBe('implicitly-denied');
  });
});
