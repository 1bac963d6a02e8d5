/**
 * The actors the project tests, one name each. SANER names two actors the same on both sides of two
 * transactions (a Measure Source serves Query Measure and pushes in Produce Measure; a Measure
 * Consumer queries in one and receives in the other), so each side has its own name here; the
 * IG's shared names stay accepted in config and on the command line for what they select.
 */
/** Which side of an exchange an actor is: the server the harness calls, or the client that calls a simulator. */
export type Role = 'server' | 'client';

export const ACTORS = {
  FhirServer: { title: 'FHIR R4 server (the RESTful rules SANER, mADX and RPC rely on)', role: 'server' },
  QueryMeasureSource: { title: 'SANER Measure Source serving Query Measure', role: 'server' },
  QueryMeasureConsumer: { title: 'SANER Measure Consumer querying a Measure Source', role: 'client' },
  ProduceMeasureConsumer: { title: 'SANER Measure Consumer receiving pushed reports (Produce Measure)', role: 'server' },
  ProduceMeasureSource: { title: 'SANER Measure Source pushing reports (Produce Measure)', role: 'client' },
  MeasureComputer: { title: 'SANER Measure Computer (Compute Measure)', role: 'client' },
  DataSource: { title: 'SANER Data Source (Compute Measure)', role: 'server' },
  MadxContentConsumer: { title: 'IHE mADX Content Consumer (QRPH-58)', role: 'server' },
  MadxContentCreator: { title: 'IHE mADX Content Creator (QRPH-58)', role: 'client' },
  RpcContentConsumer: { title: 'IHE RPC Content Consumer (LAB-90)', role: 'server' },
  RpcContentCreator: { title: 'IHE RPC Content Creator (LAB-90)', role: 'client' },
} as const satisfies Record<string, { title: string; role: Role }>;

export type ActorId = keyof typeof ACTORS;

export const ACTOR_IDS = Object.keys(ACTORS) as ActorId[];

/** The IG's own names, which name an actor on both sides: each selects what it selected before the split. */
export const SHARED_ACTOR_NAMES: Readonly<Record<string, readonly ActorId[]>> = {
  MeasureSource: ['QueryMeasureSource', 'ProduceMeasureSource'],
  MeasureConsumer: ['QueryMeasureConsumer', 'ProduceMeasureConsumer'],
};

/** Trigger keys of config.yaml written before the split: the client side each named. */
export const SHARED_TRIGGER_KEYS: Readonly<Record<string, ActorId>> = {
  MeasureSource: 'ProduceMeasureSource',
  MeasureConsumer: 'QueryMeasureConsumer',
};

export function isActorId(name: string): name is ActorId {
  return Object.hasOwn(ACTORS, name);
}
