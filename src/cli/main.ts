import { awsPolicyStore } from '../aws/aws-policy-store';
import { OperatorError } from '../core/errors';
import { CliArgs, parseCliArgs, USAGE } from './args';
import { doctor } from './doctor';
import { deliveryFailed, withDeliveryCheck } from './delivery';
import { handover } from './handover';
import { release } from './release';
import { ledgerOf } from './ledger';
import { s3ForcePathStyle } from '../config/settings';
import { dropSdkNodeVersionWarning } from './quiet-warnings';
import { readEstate } from '../estate/read-estate';
import { renderJson, renderText } from './render';
import { buildStatusReport } from '../estate/status-report';
import { resolveTargets } from './targets';
import { CLI_SETTINGS, forCli, targetSources } from './wording';

/** cloudtrail-enrollment status | handover | doctor: exit 0 clean, 1 drift, problems or a failed check, 2 usage or AWS error (one line on stderr). */
export async function main(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    return await run(args, env);
  } catch (error) {
    throw forCli(error, targetSources(args));
  }
}

async function run(args: Exclude<CliArgs, { command: 'help' }>, env: Record<string, string | undefined>): Promise<number> {
  if (args.command === 'handover') {
    process.stdout.write(`${await handover(args, env)}\n`);
    return 0;
  }
  if (args.command === 'release') {
    process.stdout.write(`${await release(args, env)}\n`);
    return 0;
  }
  if (args.command === 'doctor') {
    const { output, code } = await doctor(args, env);
    process.stdout.write(`${output}\n`);
    return code;
  }
  const targets = resolveTargets(args, env);
  const signal = new AbortController().signal;
  const ledger = ledgerOf(args.table, env, targets.key.region);
  const [estate, snapshot] = await Promise.all([readEstate(targets, awsPolicyStore(targets.key.region, s3ForcePathStyle(env, CLI_SETTINGS)), signal), ledger?.readSnapshot(signal)]);
  const policies = buildStatusReport(targets, estate, snapshot);
  const report = args.delivery ? await withDeliveryCheck(policies, snapshot, targets, { ...args, delivery: args.delivery }, env) : policies;
  process.stdout.write(`${args.json ? renderJson(report) : renderText(report)}\n`);
  return report.drift || deliveryFailed(report) ? 1 : 0;
}

function oneLine(error: unknown): string {
  if (error instanceof OperatorError) return error.message.replace(/\s+/g, ' ');
  return `Unexpected error: ${String((error as Error)?.message ?? error).replace(/\s+/g, ' ').slice(0, 300)}`;
}

if (require.main === module) {
  dropSdkNodeVersionWarning();
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`cloudtrail-enrollment: ${oneLine(error)}\n`);
      process.exitCode = 2;
    },
  );
}
