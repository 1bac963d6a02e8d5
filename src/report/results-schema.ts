/**
 * JSON Schema of results.json (RunResults, schemaVersion 1). Objects stay open to extra properties
 * because the contract grows by optional fields; what a renderer relies on is required and typed.
 */
const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const bool = { type: 'boolean' } as const;
const strings = { type: 'array', items: str } as const;
const verdict = { enum: ['pass', 'fail', 'warning', 'skip', 'error', 'manual'] } as const;
const headers = { type: 'object', additionalProperties: str } as const;
const body = {
  type: 'object',
  required: ['text', 'size', 'truncated'],
  properties: { text: str, size: num, truncated: bool },
} as const;
const share = { type: 'object', required: ['passed', 'total'], properties: { passed: num, total: num } } as const;
// Fields added within schemaVersion 1 (optional; typed so a renderer can rely on their shape).
const applicability = {
  type: 'array',
  items: {
    type: 'object',
    required: ['kind', 'name', 'capabilities', 'suites', 'claimed', 'source', 'reason'],
    properties: {
      kind: { enum: ['actor', 'option'] },
      name: str,
      capabilities: strings,
      suites: strings,
      claimed: bool,
      source: { enum: ['capability-statement', 'config', 'command-line', 'reference-run', 'assumption'] },
      reason: str,
    },
  },
} as const;
const writes = {
  type: 'array',
  items: {
    type: 'object',
    required: ['type', 'id', 'by', 'interaction', 'cleanup'],
    properties: {
      type: str,
      id: str,
      by: str,
      interaction: { enum: ['create', 'update', 'batch', 'operation'] },
      cleanup: { enum: ['deleted', 'restored', 'kept', 'not-removed'] },
      note: str,
    },
  },
} as const;
const ruleSets = { type: 'array', items: { type: 'object', required: ['ig', 'ruleSet', 'reason'], properties: { ig: str, ruleSet: str, reason: str } } } as const;

export const RESULTS_SCHEMA = {
  $id: 'urn:measure-conformance:results:1',
  type: 'object',
  required: ['schemaVersion', 'harness', 'sut', 'startedAt', 'finishedAt', 'interrupted', 'overall', 'counts', 'capabilities', 'suites', 'requirements', 'tests'],
  properties: {
    schemaVersion: { const: 1 },
    harness: { type: 'object', required: ['name', 'version'], properties: { name: str, version: str } },
    sut: {
      type: 'object',
      required: ['name', 'simulated'],
      properties: {
        name: str,
        baseUrl: str,
        simulated: bool,
        assumption: str,
        software: { type: 'object', properties: { name: str, version: str, fhirVersion: str } },
      },
    },
    startedAt: str,
    finishedAt: str,
    interrupted: bool,
    overall: { enum: ['pass', 'fail', 'error'] },
    counts: {
      type: 'object',
      required: ['pass', 'fail', 'warning', 'skip', 'error', 'manual'],
      properties: { pass: num, fail: num, warning: num, skip: num, error: num, manual: num },
    },
    capabilities: {
      type: 'array',
      items: { type: 'object', required: ['url', 'title', 'shall', 'should'], properties: { url: str, title: str, shall: share, should: share } },
    },
    suites: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'title', 'actorUnderTest', 'role', 'capabilities', 'target', 'testIds', 'startedAt', 'durationMs'],
        properties: {
          id: str,
          title: str,
          actorUnderTest: str,
          role: { enum: ['server', 'client'] },
          capabilities: strings,
          target: str,
          testIds: strings,
          startedAt: str,
          durationMs: num,
          stopped: str,
          setupEvidence: { type: 'array' },
          dataSet: { type: 'object', required: ['kind', 'description'], properties: { kind: { enum: ['seeded', 'named', 'discovered', 'generated', 'recorded'] }, description: str } },
        },
      },
    },
    requirements: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'expectation', 'statement', 'source', 'verdict', 'tests'],
        properties: {
          id: str,
          expectation: { enum: ['SHALL', 'SHOULD', 'MAY', 'SHOULD-NOT'] },
          statement: str,
          source: str,
          capability: str,
          element: str,
          notTestedReason: str,
          verdict: { enum: ['pass', 'fail', 'warning', 'skip', 'error', 'manual', 'not-tested'] },
          tests: strings,
        },
      },
    },
    tests: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'suite', 'title', 'requirements', 'verdict', 'startedAt', 'durationMs', 'assertions', 'evidence'],
        properties: {
          id: str,
          suite: str,
          title: str,
          requirements: strings,
          verdict,
          reason: str,
          startedAt: str,
          durationMs: num,
          negativeControl: str,
          assertions: {
            type: 'array',
            items: { type: 'object', required: ['passed', 'message'], properties: { passed: bool, message: str, requirement: str, requirements: strings, severity: { enum: ['error', 'warning'] } } },
          },
          evidence: {
            type: 'array',
            items: {
              type: 'object',
              required: ['kind'],
              properties: { kind: { enum: ['http', 'validation', 'note', 'attestation'] } },
              // biome-ignore-start lint/suspicious/noThenProperty: if/then is JSON Schema's conditional (draft 7), an object for Ajv, never awaited.
              allOf: [
                {
                  if: { properties: { kind: { const: 'http' } } },
                  then: {
                    required: ['exchange'],
                    properties: {
                      exchange: {
                        type: 'object',
                        required: ['direction', 'method', 'url', 'requestHeaders', 'startedAt'],
                        properties: {
                          direction: { enum: ['outbound', 'inbound'] },
                          method: str,
                          url: str,
                          requestHeaders: headers,
                          requestBody: body,
                          status: num,
                          responseHeaders: headers,
                          responseBody: body,
                          startedAt: str,
                          durationMs: num,
                          error: str,
                        },
                      },
                    },
                  },
                },
                {
                  if: { properties: { kind: { const: 'validation' } } },
                  then: {
                    required: ['subject', 'issues'],
                    properties: {
                      subject: str,
                      issues: {
                        type: 'array',
                        items: { type: 'object', required: ['severity', 'code', 'message'], properties: { severity: str, code: str, message: str, expression: str, rule: str } },
                      },
                    },
                  },
                },
                { if: { properties: { kind: { const: 'note' } } }, then: { required: ['text'], properties: { text: str } } },
                {
                  if: { properties: { kind: { const: 'attestation' } } },
                  then: { required: ['requirement', 'question', 'attested', 'by'], properties: { requirement: str, question: str, attested: bool, by: str, note: str } },
                },
              ],
              // biome-ignore-end lint/suspicious/noThenProperty: the conditionals end here.
            },
          },
        },
      },
    },
    applicability,
    writes,
    ruleSets,
  },
} as const;
