import { measureSource } from './measure-source/index.js';
import type { Simulator } from './simulator.js';

export type { Simulator, SimulatorStartOptions } from './simulator.js';

/** Every bundled reference simulator. */
export const simulators: readonly Simulator[] = [measureSource];

export function simulatorById(id: string): Simulator | undefined {
  return simulators.find((s) => s.id === id);
}

/** The simulator that stands in for an actor when no SUT is configured. */
export function simulatorPlaying(actor: string): Simulator | undefined {
  return simulators.find((s) => s.plays.includes(actor));
}
