import type { Suite } from '../src/engine/index.js';
import fhirServer from './fhir-core/fhir-server.js';
import sanerMeasureSource from './saner/query-measure/measure-source.js';
import sanerMeasureConsumer from './saner/query-measure/measure-consumer.js';
import sanerPushConsumer from './saner/produce-measure/measure-consumer.js';
import sanerPushingMeasureSource from './saner/produce-measure/measure-source.js';
import madxContentConsumer from './madx/send-aggregate-report/content-consumer.js';
import rpcContentConsumer from './rpc/send-concordance-report/content-consumer.js';
import madxContentCreator from './madx/send-aggregate-report/content-creator.js';
import rpcContentCreator from './rpc/send-concordance-report/content-creator.js';
import sanerMeasureComputer from './saner/compute-measure/measure-computer.js';
import sanerDataSource from './saner/compute-measure/data-source.js';

/** Every suite the harness runs, in the order they appear in reports. */
export const suites: readonly Suite<object>[] = [
  fhirServer,
  sanerMeasureSource,
  sanerMeasureConsumer,
  sanerPushConsumer,
  sanerPushingMeasureSource,
  madxContentConsumer,
  rpcContentConsumer,
  madxContentCreator,
  rpcContentCreator,
  sanerMeasureComputer,
  sanerDataSource,
];
