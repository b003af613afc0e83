import { handoverPlan } from '../ledger/handover';
import { HandoverArgs } from './args';
import { requiredLedger } from './ledger';

type Env = Record<string, string | undefined>;

/** cloudtrail-enrollment handover (SPEC R28): records the chosen adopted entries as the holders' own. */
export async function handover(args: HandoverArgs, env: Env): Promise<string> {
  const ledger = requiredLedger(args.table, env);
  const signal = new AbortController().signal;
  const plan = handoverPlan(await ledger.readSnapshot(signal), args.all ? 'all' : new Set(args.accounts));
  for (const entry of plan.bucketEntries) await ledger.putBucketEntry(entry, signal);
  for (const entry of plan.keyEntries) await ledger.putKeyEntry(entry, signal);
  const lines = [
    ...plan.bucketEntries.map((e) => `handed over  ${e.accountId}  bucket ${e.bucketName} prefix ${e.logFilePrefix === '' ? '(none)' : e.logFilePrefix}`),
    ...plan.keyEntries.map((e) => `handed over  ${e.accountId}  key ${e.keyArn}`),
    ...plan.notHeld.map((e) => `kept adopted ${e.accountId}  ${'logFilePrefix' in e ? `bucket ${e.bucketName}` : `key ${e.keyArn}`}: no stack holds it, so a Delete would never remove it anyway`),
  ];
  const total = plan.bucketEntries.length + plan.keyEntries.length;
  lines.push(`${total} adopted ${total === 1 ? 'entry' : 'entries'} handed over: the last holder's Delete now removes ${total === 1 ? 'it' : 'them'}.`);
  return lines.join('\n');
}
