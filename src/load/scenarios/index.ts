/** The load scenarios, by the name `load --scenario` takes. */
import type { Scenario } from '../scenario.js';
import { madxSend } from './madx-send.js';
import { produceMeasure } from './produce-measure.js';
import { queryMeasure } from './query-measure.js';
import { rpcSend } from './rpc-send.js';

/** A scenario's state only ever goes from its own setup to its own flow, so the runner need not know its type. */
function erased<S>(scenario: Scenario<S>): Scenario<unknown> {
  return scenario as unknown as Scenario<unknown>;
}

export const SCENARIOS: Readonly<Record<string, Scenario<unknown>>> = Object.freeze({
  'produce-measure': erased(produceMeasure),
  'query-measure': erased(queryMeasure),
  'madx-send': erased(madxSend),
  'rpc-send': erased(rpcSend),
});

export function scenarioNamed(name: string): Scenario<unknown> | undefined {
  return Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name] : undefined;
}
