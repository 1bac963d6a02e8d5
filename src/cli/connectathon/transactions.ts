/**
 * Which suites judge recorded traffic: a transaction is the pair of suites sharing an id prefix
 * (`saner/produce-measure/…`), its client suite judging the client's requests (it names the
 * simulator the client talks to) and its server suite naming the server rows the answer checks
 * cite. Derived from the suites, so a new transaction needs no entry here.
 */
import type { Suite } from '../../engine/index.js';
import { suites as allSuites } from '../../../suites/index.js';

export interface Transaction {
  /** `saner/produce-measure`: the suites' ids without their last segment. */
  id: string;
  /** The client-role suite that judges the client's requests. */
  client: Suite<object>;
  /** The server-role suite of the transaction, when the project has one. */
  server?: Suite<object>;
  /** The simulator the client talks to (the client suite's). */
  simulator: string;
}

const transactionIdOf = (suite: Suite<object>): string => suite.id.split('/').slice(0, -1).join('/');

/** Every transaction whose client side recorded traffic can be graded, in suite order. */
export function transactions(suites: readonly Suite<object>[] = allSuites): Transaction[] {
  return suites
    .filter((s) => s.role === 'client' && s.simulator && !s.cannotGradeRecordings)
    .map((client) => {
      const id = transactionIdOf(client);
      const server = suites.find((s) => s.role === 'server' && transactionIdOf(s) === id);
      return { id, client, simulator: client.simulator!, ...(server ? { server } : {}) };
    });
}

/** The transaction whose client talks to this simulator, e.g. `measure-consumer` → Produce Measure. */
export function transactionAt(simulator: string): Transaction | undefined {
  return transactions().find((t) => t.simulator === simulator);
}

export function transactionById(id: string): Transaction | undefined {
  return transactions().find((t) => t.id === id);
}

/** Why a simulator's traffic is recorded but not graded, for the inspector and README. */
export function whyNotGraded(simulator: string): string | undefined {
  if (transactionAt(simulator)) return undefined;
  const suite = allSuites.find((s) => s.role === 'client' && s.simulator === simulator);
  return suite?.cannotGradeRecordings ? `${suite.id} cannot grade it: ${suite.cannotGradeRecordings}` : `no client suite judges the clients of ${simulator}`;
}
