import { getMaxListeners, setMaxListeners } from 'node:events';
import { classify } from './classify';
import { checkPlace, PlaceCheckOptions } from './check-place';
import { DeliveryPlace } from './cloudtrail-names';
import { DeliveryFinding } from './delivery-status';
import { LogObjectReader } from './ports';

/** SPEC R35: at most this many S3 requests in flight; each place's requests run one after another. */
export const CHECKS_IN_FLIGHT = 32;

export interface DeliveryCheckOptions extends PlaceCheckOptions {
  /** Called after each place, for a progress line. */
  onProgress?(done: number, total: number): void;
}

/**
 * Checks every place, CHECKS_IN_FLIGHT at a time, in the order given. Once the signal aborts (the function's own
 * deadline), the places not yet checked are unknown with the reason the signal gives, and no request starts.
 */
export async function checkDeliveries(places: readonly DeliveryPlace[], reader: LogObjectReader, options: DeliveryCheckOptions): Promise<DeliveryFinding[]> {
  // Every request in flight listens on the one signal (the SDK's abort and the retry's sleep).
  setMaxListeners(Math.max(getMaxListeners(options.signal), 4 * CHECKS_IN_FLIGHT), options.signal);
  const findings: DeliveryFinding[] = new Array(places.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < places.length) {
      const index = next++;
      const place = places[index]!;
      if (options.signal.aborted) {
        findings[index] = { accountId: place.accountId, status: classify(place, { failure: options.explain(options.signal.reason) }, options), requests: 0 };
      } else {
        const { status, requests } = await checkPlace(place, reader, options);
        findings[index] = { accountId: place.accountId, status, requests };
      }
      options.onProgress?.(++done, places.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHECKS_IN_FLIGHT, places.length) }, worker));
  return findings;
}
