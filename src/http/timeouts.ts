/**
 * Every timeout default, in one place. config.yaml's `timeouts` start from the first three (the
 * shipped config.yaml and README state the same values); the HTTP client, the runner and the
 * reference simulators fall back to them too, so a run from code and a run from the command line
 * wait equally long.
 */
export const TIMEOUTS = {
  /** One HTTP request, connect to last byte (config `timeouts.requestMs`). */
  requestMs: 15_000,
  /** One test, all its requests and waits (config `timeouts.testMs`). */
  testMs: 120_000,
  /** Waiting for a client SUT's request after triggering it (config `timeouts.waitMs`). */
  waitMs: 60_000,
  /** TCP + TLS connect. */
  connectMs: 10_000,
  /** From sending a request to the end of the response headers. */
  headersMs: 30_000,
  /** The whole response body once its headers arrived. */
  bodyMs: 30_000,
  /**
   * One page of a Data Source search read by the reference Measure Computer, headers and body
   * alike: a large data set (100 000 patients) may take minutes over one query, and the computer
   * waits rather than report nothing.
   */
  dataSourceReadMs: 300_000,
} as const;
