import type { LedgerTableDescription } from '../aws/aws-ledger-table';
import type { EstateSnapshot } from '../estate/read-estate';
import type { StatusTargets } from '../estate/status-report';
import type { Publisher } from '../iam/publish';
import type { LedgerSnapshot } from '../ledger/model';

/** Everything `doctor` read (SPEC R37); the checks are pure functions of it. */
export interface DoctorInput {
  targets: StatusTargets;
  /** Both policies and the bucket's region. */
  estate: EstateSnapshot;
  /** The ledger table; undefined when neither --table nor LEDGER_TABLE_NAME names one. */
  ledger?: {
    tableName: string;
    region: string;
    table: LedgerTableDescription;
    expectedKeySchema: ReadonlyArray<{ name: string; keyType: string; type: string }>;
    /** Its items; undefined when the table could not be read as a ledger (missing, another key schema). */
    snapshot?: LedgerSnapshot;
  };
  /** The ServiceToken topic; undefined without --topic. */
  topic?: {
    topicArn: string;
    exists: boolean;
    /** The topic policy's JSON text. */
    policy?: string;
    publisher: Publisher;
  };
}
