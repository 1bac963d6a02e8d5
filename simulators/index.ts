import { measureSource } from './measure-source/index.js';
import { measureConsumer } from './measure-consumer/index.js';
import { measureConsumerClient } from './measure-consumer-client/index.js';
import { measureSourceClient } from './measure-source-client/index.js';
import { madxContentCreatorClient, rpcContentCreatorClient } from './content-creator-client/index.js';
import { madxContentConsumer, rpcContentConsumer } from './content-consumer/index.js';
import { dataSource } from './data-source/index.js';
import { measureComputer } from './measure-computer/index.js';
import { publicHealth } from './public-health/index.js';
import type { ReferenceClient, Simulator } from './simulator.js';

export type { ReferenceClient, ReferenceClientRunOptions, Simulator, SimulatorStartOptions, StartProgress } from './simulator.js';

/** Every bundled reference simulator. */
export const simulators: readonly Simulator[] = [measureSource, measureConsumer, madxContentConsumer, rpcContentConsumer, measureComputer, dataSource, publicHealth];

export function simulatorById(id: string): Simulator | undefined {
  return simulators.find((s) => s.id === id);
}

/** The simulator that stands in for an actor when no SUT is configured. */
export function simulatorPlaying(actor: string): Simulator | undefined {
  return simulators.find((s) => (s.plays as readonly string[]).includes(actor));
}

/** Every bundled reference client (client actors run in process as the SUT of a client-role suite). */
export const referenceClients: readonly ReferenceClient[] = [measureConsumerClient, measureSourceClient, madxContentCreatorClient, rpcContentCreatorClient];

/** The reference client that stands in for a client actor when no SUT is configured. */
export function referenceClientPlaying(actor: string): ReferenceClient | undefined {
  return referenceClients.find((c) => (c.plays as readonly string[]).includes(actor));
}
