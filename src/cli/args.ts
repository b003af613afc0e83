import { parseArgs } from 'node:util';
import { fail } from '../core/errors';

/** What the operator asked for on the command line; flags left out fall back to the function's settings. */
export interface StatusArgs {
  command: 'status';
  bucket?: string;
  key?: string;
  prefix?: string;
  json: boolean;
}

export type CliArgs = StatusArgs | { command: 'help' };

export const USAGE = `Usage: cloudtrail-enrollment status [--bucket NAME] [--key ARN] [--prefix P] [--json]

Reads the trail bucket's policy and the trail key's policy and shows, for every account either one lists,
whether it is enrolled in both and whether a statement would still deny its trail.

  --bucket NAME   trail bucket (default: TRAIL_BUCKET_NAME)
  --key ARN       full KMS key ARN (default: TRAIL_KEY_ARN); its region is used for both calls
  --prefix P      expected log file prefix (default: TRAIL_LOG_FILE_PREFIX; unset: any prefix)
  --json          print one JSON object instead of a table

Statements are found by BUCKET_POLICY_SID and KEY_POLICY_SID as in the function.
Exit status: 0 clean, 1 drift or problems found, 2 usage or AWS error.`;

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
        json: { type: 'boolean', default: false },
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
  if (command !== 'status') fail(`Unknown command '${command}'; the only command is 'status' (run --help for usage).`);
  if (rest.length > 0) fail(`Unexpected argument '${rest[0]}'; 'status' takes only flags (run --help for usage).`);
  return {
    command: 'status',
    json: values.json ?? false,
    ...(values.bucket !== undefined ? { bucket: values.bucket } : {}),
    ...(values.key !== undefined ? { key: values.key } : {}),
    ...(values.prefix !== undefined ? { prefix: values.prefix } : {}),
  };
}
