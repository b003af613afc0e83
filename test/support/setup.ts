import { quietSdkNodeWarning } from '../../devtools/semantic';

quietSdkNodeWarning();
