/**
 * The engine's control-flow errors, in one place. The runner turns each into a verdict: a stopped
 * test into the verdict its kind names, a timeout or an interruption into `error`, a harness
 * mistake into `error` saying it is the harness's.
 */

/** The harness itself (a suite definition, a plan, a configuration) is wrong; never the SUT's fault. */
export class HarnessError extends Error {
  override name = 'HarnessError';
}

/** Ends the test early; the runner turns it into the verdict its kind names. */
export class TestStop extends Error {
  override name = 'TestStop';
  constructor(
    readonly kind: 'skip' | 'manual' | 'assertion',
    message: string,
  ) {
    super(message);
  }
}

/** Nothing matching arrived at a simulator in time; the message says what did arrive. */
export class WaitTimeout extends Error {
  override name = 'WaitTimeout';
}

/** A trigger could not make a client SUT act (a webhook refused, a prompt with no terminal). */
export class TriggerError extends Error {
  override name = 'TriggerError';
}

/** A test ran past its deadline. */
export class TestTimeout extends Error {
  override name = 'TestTimeout';
}

/** The run was stopped (Ctrl-C) while the test ran. */
export class Interrupted extends Error {
  override name = 'Interrupted';
}
