import { ObjectEncryption } from './trail-key';

/** One ListObjectsV2 page (SPEC R35 reads one bucket's AWSLogs objects; nothing else). */
export interface ListingRequest {
  prefix: string;
  /** List only keys after this one (keys come in ascending order). */
  startAfter?: string;
  continuationToken?: string;
}

export interface ListingPage {
  keys: string[];
  /** Set when more keys follow. */
  nextToken?: string;
}

/** The trail bucket's log objects: ListObjectsV2 and HeadObject, each one S3 request (retries aside). */
export interface LogObjectReader {
  list(request: ListingRequest, signal: AbortSignal): Promise<ListingPage>;
  head(key: string, signal: AbortSignal): Promise<ObjectEncryption>;
}
