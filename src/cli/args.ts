import { parseArgs } from 'node:util';
import { parseStackId, shown } from '../core/arns';
import { fail } from '../core/errors';
import { isRoleArn } from '../iam/publish';
import { DEFAULT_SILENT_AFTER_HOURS, MAX_SILENT_AFTER_HOURS, parseSilentAfterHours } from '../delivery/threshold';

/** What the operator asked for on the command line; flags left out fall back to the function's settings. */
export interface StatusArgs {
  command: 'status';
  bucket?: string;
  key?: string;
  prefix?: string;
  /** The enrollment ledger table (default: LEDGER_TABLE_NAME); without one, status reads the policies only. */
  table?: string;
  json: boolean;
  /** SPEC R35: also check each enrolled account's deliveries (--delivery, --silent-after HOURS). */
  delivery?: { silentAfterHours: number };
}

/** SPEC R28: hand adopted entries over to the stacks that hold them. */
export interface HandoverArgs {
  command: 'handover';
  accounts: string[];
  all: boolean;
  table?: string;
}

/** SPEC R37: a read-only pre-flight of the deployment. */
export interface DoctorArgs {
  command: 'doctor';
  bucket?: string;
  key?: string;
  prefix?: string;
  table?: string;
  /** The ServiceToken topic ARN; without it the topic-policy check is skipped (a warning). */
  topic?: string;
  organization?: string;
  publisherRole?: string;
  json: boolean;
}

/** Releases holdings by hand: a closed account's, or a stack's whose enrollment was retained. */
export interface ReleaseArgs {
  command: 'release';
  accounts: string[];
  /** Stack ARNs. */
  holders: string[];
  table?: string;
}

export type CliArgs = StatusArgs | HandoverArgs | DoctorArgs | ReleaseArgs | { command: 'help' };

export const USAGE = `Usage: cloudtrail-enrollment status [--bucket NAME] [--key ARN] [--prefix P] [--table NAME] [--delivery [--silent-after HOURS]] [--json]
       cloudtrail-enrollment handover (--account ID ... | --all) [--table NAME]
       cloudtrail-enrollment release (--account ID ... | --holder STACK_ARN ...) [--table NAME]
       cloudtrail-enrollment doctor [--bucket NAME] [--key ARN] [--prefix P] [--table NAME]
                                    [--topic ARN --publisher-role ARN [--organization o-...]] [--json]

status reads the trail bucket's policy and the trail key's policy and shows, for every account either one lists
or the enrollment ledger holds, whether it is enrolled in both, whether a statement would still deny its trail,
and which stacks hold it.

  --bucket NAME   trail bucket (default: TRAIL_BUCKET_NAME)
  --key ARN       full KMS key ARN (default: TRAIL_KEY_ARN); its region is used for both calls
  --prefix P      expected log file prefix (default: TRAIL_LOG_FILE_PREFIX; unset: any prefix)
  --table NAME    enrollment ledger table (default: LEDGER_TABLE_NAME; unset: policies only)
  --json          print one JSON object instead of a table
  --delivery      also check that each enrolled account's logs arrive: the newest digest and log file in its home
                  region's folders, and whether that log file is encrypted with the trail key (needs s3:ListBucket
                  and s3:GetObject on the bucket's AWSLogs objects)
  --silent-after HOURS
                  with --delivery: how old the newest digest may be before the account counts as silent
                  (default ${DEFAULT_SILENT_AFTER_HOURS}, at most ${MAX_SILENT_AFTER_HOURS})

handover gives adopted entries (listed before the first stack enrolled them, so never removed by a Delete)
to the stacks that hold them: after it, the last holder's Delete removes them. Entries no stack holds stay adopted.

  --account ID    an account whose adopted entries to hand over (repeatable)
  --all           every adopted entry that a stack holds

release deletes holdings from the ledger by hand, for a closed account whose stack instances cannot be deleted
or a stack deleted with its enrollment retained; the next request or reconcile then removes the entries the
function wrote that no stack holds any more (adopted entries stay).

  --account ID        every holding of this account (repeatable)
  --holder STACK_ARN  every holding of this stack, as status lists it (repeatable)

doctor checks a deployment before the first StackSet rollout, and whenever something looks wrong, without
writing anything: bucket and key region, the key policy's account-root statement, the statements enrollments
edit, CloudTrail's GetBucketAcl grant, Deny statements, policy sizes, the ledger table, the topic policy and
drift. One line per check (pass, warn or fail, with the fix); it takes the targets as status does, plus:

  --topic ARN           the ServiceToken topic (the stack's ServiceToken output)
  --publisher-role ARN  the role member StackSets run as, in one member account, e.g.
                        arn:aws:iam::222222222222:role/stacksets-exec-<id> (service-managed) or
                        arn:aws:iam::222222222222:role/AWSControlTowerExecution (Customizations for Control Tower)
  --organization o-...  the organization of that account

The ledger table is read in AWS_REGION (default: the key's region). Statements are found by
BUCKET_POLICY_SID and KEY_POLICY_SID as in the function.
Exit status: 0 clean (status), done (handover, release) or no failed check (doctor), 1 drift, problems or a failed
check found (with --delivery, also an account that is silent, unencrypted or could not be checked), 2 usage or
AWS error.`;

/** Parses argv (without node and the script). Throws OperatorError for anything it does not understand. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        bucket: { type: 'string' },
        key: { type: 'string' },
        prefix: { type: 'string' },
        table: { type: 'string' },
        topic: { type: 'string' },
        organization: { type: 'string' },
        'publisher-role': { type: 'string' },
        account: { type: 'string', multiple: true },
        holder: { type: 'string', multiple: true },
        all: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        delivery: { type: 'boolean', default: false },
        'silent-after': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    // Node's own sentence up to its first full stop: "Unknown option '--x'", "Option '--key <value>' argument missing".
    fail(`${(error as Error).message.split(/\.\s|\n/)[0]}; run 'cloudtrail-enrollment --help' for usage.`);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { command: 'help' };
  const [command, ...rest] = positionals;
  if (command === undefined) fail("No command given; run 'cloudtrail-enrollment status' (or --help for usage).");
  if (command !== 'status' && command !== 'handover' && command !== 'doctor' && command !== 'release') fail(`Unknown command '${command}'; the commands are 'status', 'doctor', 'handover' and 'release' (run --help for usage).`);
  if (rest.length > 0) fail(`Unexpected argument '${rest[0]}'; '${command}' takes only flags (run --help for usage).`);
  const table = values.table !== undefined ? { table: values.table } : {};
  if (command !== 'doctor') {
    for (const flag of ['topic', 'organization', 'publisher-role'] as const) {
      if (values[flag] !== undefined) fail(`The flag --${flag} belongs to 'doctor'; '${command}' does not check the topic.`);
    }
  }
  if (command !== 'release' && values.holder !== undefined) fail(`The flag --holder belongs to 'release'; '${command}' does not release holdings.`);
  if (command === 'release') {
    for (const flag of ['bucket', 'key', 'prefix', 'json', 'delivery', 'silent-after', 'all'] as const) {
      if (values[flag] !== undefined && values[flag] !== false) fail(`The flag --${flag} does not belong to 'release'; it takes --account, --holder and --table.`);
    }
    const accounts = values.account ?? [];
    const holders = values.holder ?? [];
    if (accounts.length + holders.length === 0) fail('Say which holdings to release: --account ID (every holding of a closed account) or --holder STACK_ARN (every holding of a stack), repeatable.');
    for (const account of accounts) if (!/^[0-9]{12}$/.test(account)) fail(`--account '${shown(account)}' is not a 12-digit account ID; give the account whose holdings to release.`);
    for (const holder of holders) if (!parseStackId(holder)) fail(`--holder '${shown(holder)}' is not a CloudFormation stack ARN; give the StackId that status lists as the holder.`);
    return { command: 'release', accounts, holders, ...table };
  }
  if (command === 'handover') {
    const accounts = values.account ?? [];
    for (const flag of ['bucket', 'key', 'prefix', 'json', 'delivery', 'silent-after'] as const) {
      if (values[flag] !== undefined && values[flag] !== false) fail(`The flag --${flag} belongs to 'status'; 'handover' takes --account, --all and --table.`);
    }
    if (values.all === (accounts.length > 0)) fail("Say which adopted entries to hand over: --account ID (repeatable) or --all, not both.");
    for (const account of accounts) if (!/^[0-9]{12}$/.test(account)) fail(`--account '${account}' is not a 12-digit account ID; give the account whose adopted entries to hand over.`);
    return { command: 'handover', accounts, all: values.all ?? false, ...table };
  }
  if (values.account !== undefined || values.all) fail(`The flags --account and --all belong to 'handover'; '${command}' looks at every account.`);
  const targets = {
    json: values.json ?? false,
    ...table,
    ...(values.bucket !== undefined ? { bucket: values.bucket } : {}),
    ...(values.key !== undefined ? { key: values.key } : {}),
    ...(values.prefix !== undefined ? { prefix: values.prefix } : {}),
  };
  if (command === 'doctor') {
    if (values.delivery || values['silent-after'] !== undefined) fail("The flags --delivery and --silent-after belong to 'status'; 'doctor' checks the deployment, not its deliveries.");
    return { command: 'doctor', ...targets, ...doctorTopic(values.topic, values['publisher-role'], values.organization) };
  }
  if (values['silent-after'] !== undefined && !values.delivery) fail('The flag --silent-after sets the threshold of --delivery; add --delivery, or leave --silent-after out.');
  return {
    command: 'status',
    ...targets,
    ...(values.delivery ? { delivery: { silentAfterHours: parseSilentAfterHours(values['silent-after'], '--silent-after') } } : {}),
  };
}

/** --topic, --publisher-role and --organization: all three shapes checked here, so a typo is a usage error (exit 2). */
function doctorTopic(topic: string | undefined, publisherRole: string | undefined, organization: string | undefined): Pick<DoctorArgs, 'topic' | 'publisherRole' | 'organization'> {
  if (topic === undefined) {
    if (publisherRole !== undefined || organization !== undefined) fail('--publisher-role and --organization describe who publishes to the ServiceToken topic; pass --topic with the stack\'s ServiceToken output too.');
    return {};
  }
  if (!/^arn:(aws|aws-cn|aws-us-gov):sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$/.test(topic)) fail(`--topic '${shown(topic)}' is not an SNS topic ARN; pass the stack's ServiceToken output (arn:aws:sns:<region>:<account>:<name>).`);
  if (publisherRole === undefined) fail('--topic needs --publisher-role: the role member StackSets run as (stacksets-exec-<id> for service-managed StackSets, AWSControlTowerExecution for Customizations for AWS Control Tower), with a member account\'s ID in its ARN.');
  if (!isRoleArn(publisherRole)) fail(`--publisher-role '${shown(publisherRole)}' is not an IAM role ARN; give one role in one member account, such as arn:aws:iam::222222222222:role/AWSControlTowerExecution.`);
  if (organization !== undefined && !/^o-[a-z0-9]{10,32}$/.test(organization)) fail(`--organization '${shown(organization)}' is not an organization ID; give one like o-a1b2c3d4e5.`);
  return { topic, publisherRole, ...(organization !== undefined ? { organization } : {}) };
}
