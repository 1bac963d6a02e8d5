// Bad input the seeded fuzz (test/hardening/fuzz-cases.ts) once turned into a 500; each must be a
// client error with an OperationOutcome.
import type { Bundle, OperationOutcome } from 'fhir/r4.js';
import { afterEach, describe, expect, it } from 'vitest';
import { madxProfileUrl, registerMadxProfiles } from '../../ig/madx/profiles.js';
import { processCollection } from '../../simulators/content-consumer/collection.js';
import { madxContentConsumer } from '../../simulators/content-consumer/index.js';
import { FhirError } from '../../src/fhir/errors.js';
import { NO_FAULTS } from '../../src/fhir/faults.js';
import { MAX_JSON_DEPTH, parseJson } from '../../src/fhir/json.js';
import { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { validateAgainstProfile } from '../../src/fhir/validation/index.js';
import { parseXml } from '../../src/fhir/xml.js';
import { FHIR_JSON, outcome, testServer, type TestServer } from './server-helpers.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('nesting deeper than any resource needs', () => {
  it('JSON past the depth limit is a 400 FhirError, not a stack overflow', () => {
    const depth = 100_000;
    const err = thrown(() => parseJson(`{"resourceType":"Basic","x":${'['.repeat(depth)}${']'.repeat(depth)}}`));
    expect(err).toBeInstanceOf(FhirError);
    expect((err as FhirError).status).toBe(400);
    expect((err as FhirError).message).toContain(`nested more than ${MAX_JSON_DEPTH} deep`);
  });

  it('JSON at the depth limit still parses', () => {
    const inner = MAX_JSON_DEPTH - 1;
    const resource = parseJson(`{"resourceType":"Basic","x":${'['.repeat(inner)}${']'.repeat(inner)}}`);
    expect(resource.resourceType).toBe('Basic');
  });

  it('XML nested past the parser limit is a 400 FhirError', () => {
    const depth = 1_000;
    const err = thrown(() => parseXml(`<Basic xmlns="http://hl7.org/fhir">${'<extension url="urn:x">'.repeat(depth)}${'</extension>'.repeat(depth)}</Basic>`));
    expect(err).toBeInstanceOf(FhirError);
    expect((err as FhirError).status).toBe(400);
  });
});

it('a literal < in an XML attribute value is not well-formed, so a 400', () => {
  const err = thrown(() => parseXml('<Basic xmlns="http://hl7.org/fhir"><id value="<a"/></Basic>'));
  expect(err).toBeInstanceOf(FhirError);
  expect((err as FhirError).message).toContain("literal '<'");
});

it('a profile check of a resource whose resourceType is not a string locates the issue with a string', () => {
  registerMadxProfiles();
  const issues = validateAgainstProfile({ resourceType: 42 } as never, madxProfileUrl('trial-implementation'));
  expect(issues.length).toBeGreaterThan(0);
  for (const issue of issues) expect(typeof issue.expression).toBe('string');
});

describe('operation inputs', () => {
  let server: TestServer | undefined;
  afterEach(async () => server?.close());

  it('a POSTed Parameters whose parameter is not an array is a 400 OperationOutcome', async () => {
    server = await testServer();
    const res = await server.app.inject({ method: 'POST', url: '/$ping', headers: { 'content-type': FHIR_JSON }, payload: '{"resourceType":"Parameters","parameter":{}}' });
    expect(res.statusCode).toBe(400);
    expect(outcome(res.body).issue.length).toBeGreaterThan(0);
  });
});

describe('mADX collection Bundles of odd shapes', () => {
  const store = () => ResourceStore.open({ path: ':memory:', searchParams: [] });
  const profile = { url: madxProfileUrl('trial-implementation'), ruleSet: 'madx-trial-implementation' };

  it('a null entry is an invalid entry (422), not a crash', () => {
    registerMadxProfiles();
    const s = store();
    const answer = processCollection({ resourceType: 'Bundle', type: 'collection', entry: [null] } as unknown as Bundle, s, profile, NO_FAULTS);
    expect(answer.status).toBe(422);
    expect(s.count()).toBe(0);
    s.close();
  });

  it('an entry that is not an array is a 400', () => {
    const s = store();
    const err = thrown(() => processCollection({ resourceType: 'Bundle', type: 'collection', entry: 'x' } as unknown as Bundle, s, profile, NO_FAULTS));
    expect((err as FhirError).status).toBe(400);
    s.close();
  });
});

it('a collection entry whose resourceType is not a string is refused with string-located issues', () => {
  registerMadxProfiles();
  const s = ResourceStore.open({ path: ':memory:', searchParams: [] });
  const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: -0.5 } }] } as unknown as Bundle;
  const answer = processCollection(bundle, s, { url: madxProfileUrl('trial-implementation'), ruleSet: 'madx-trial-implementation' }, NO_FAULTS);
  expect(answer.status).toBe(422);
  const issues = ((answer.resource as Bundle).entry ?? []).flatMap((e) => (e.resource as OperationOutcome).issue);
  expect(issues.length).toBeGreaterThan(0);
  for (const issue of issues) for (const expression of issue.expression ?? []) expect(typeof expression).toBe('string');
  s.close();
});

it('a body that is not UTF-8 is a 400 before any route reads it, also at the mADX Consumer [base]/Bundle hook', async () => {
  const consumer = await madxContentConsumer.start({});
  try {
    const bundle = Buffer.from(JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'MeasureReport', status: 'complete' } }] }));
    const body = Buffer.concat([bundle.subarray(0, 20), Buffer.from([0xc3, 0x28]), bundle.subarray(20)]);
    const stored = consumer.store.count();
    for (const url of ['/Bundle', '/']) {
      const res = await consumer.app.inject({ method: 'POST', url, headers: { 'content-type': FHIR_JSON }, payload: body });
      expect(res.statusCode).toBe(400);
      expect(outcome(res.body).issue[0]?.diagnostics).toContain('not valid UTF-8');
    }
    expect(consumer.store.count()).toBe(stored);
  } finally {
    await consumer.close();
  }
});
