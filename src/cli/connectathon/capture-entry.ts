/** One recorded exchange as capture files (the inspector's export, HAR files) hold it. */
import type { HttpExchange } from '../../http/exchange.js';
import type { Side } from './exchange-log.js';

/** One recorded exchange of a capture. */
export interface CaptureEntry {
  id: string;
  /** Where it was recorded: a simulator id, `proxy`, or `har`. */
  source: string;
  /** The transaction whose suites judge it; absent in a HAR file. */
  transaction?: string;
  /** Which sides the recording lets judge; absent in a HAR file. */
  sides?: Side[];
  baseUrl: string;
  client: string;
  exchange: HttpExchange;
}

/** A file that is no capture, or a broken one: one line naming the file and, where known, the line. */
export class CaptureError extends Error {
  override name = 'CaptureError';
}
