import { fail } from '../core/errors';
import { HOUR_MS } from './cloudtrail-names';

/** SPEC R35: an account is silent when its newest digest is older than this (CloudTrail writes one every hour). */
export const DEFAULT_SILENT_AFTER_HOURS = 3;

/** The check reads yesterday's and today's folders, which always hold the last 24 hours and no more. */
export const MAX_SILENT_AFTER_HOURS = 24;

/**
 * A threshold in hours from `--silent-after` or DELIVERY_SILENT_AFTER_HOURS: a number above 0 and at most 24.
 * @param source how the message names where the value came from: "--silent-after", "The function setting …".
 */
export function parseSilentAfterHours(value: string | undefined, source: string): number {
  if (value === undefined || value.trim() === '') return DEFAULT_SILENT_AFTER_HOURS;
  const hours = Number(value.trim());
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value.trim()) || !(hours > 0) || hours > MAX_SILENT_AFTER_HOURS) {
    fail(`${source} '${value.slice(0, 40)}' is not a number of hours above 0 and at most ${MAX_SILENT_AFTER_HOURS}; give how old the newest digest file may be before an account counts as silent (default ${DEFAULT_SILENT_AFTER_HOURS}).`);
  }
  return hours;
}

export function hoursToMs(hours: number): number {
  return Math.round(hours * HOUR_MS);
}
