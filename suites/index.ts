import type { Fixture, Suite } from '../src/engine/index.js';
import fhirServer from './fhir-core/fhir-server.js';

/** Every suite the harness runs, in the order they appear in reports. */
export const suites: readonly Suite<Fixture>[] = [fhirServer as Suite<Fixture>];
