/** JSON schema of config.yaml; ajv reports paths into it that the loader turns into file:line messages. */
const trigger = {
  type: 'object',
  required: ['type'],
  properties: { type: { enum: ['command', 'webhook', 'prompt', 'none'] } },
  discriminator: { propertyName: 'type' },
  oneOf: [
    {
      properties: { type: { const: 'command' }, command: { type: 'string', minLength: 1 }, timeoutMs: { type: 'integer', minimum: 1 } },
      required: ['command'],
      additionalProperties: false,
    },
    {
      properties: {
        type: { const: 'webhook' },
        // Not format uri: the URL may hold {MC_SIMULATOR_URL}-style placeholders, filled in when it fires.
        url: { type: 'string', pattern: '^https?://[^\\s/]\\S*$' },
        method: { enum: ['GET', 'POST', 'PUT'] },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        body: { type: 'string' },
      },
      required: ['url'],
      additionalProperties: false,
    },
    { properties: { type: { const: 'prompt' }, message: { type: 'string' } }, additionalProperties: false },
    { properties: { type: { const: 'none' } }, additionalProperties: false },
  ],
} as const;

const httpUrl = { type: 'string', format: 'uri', pattern: '^https?://' } as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sut: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1 },
        baseUrl: httpUrl,
        actors: { type: 'array', items: { type: 'string', minLength: 1 } },
        options: { type: 'array', items: { type: 'string', minLength: 1 } },
        auth: {
          type: 'object',
          additionalProperties: false,
          properties: {
            bearerToken: { type: 'string', minLength: 1 },
            basic: {
              type: 'object',
              additionalProperties: false,
              required: ['username', 'password'],
              properties: { username: { type: 'string' }, password: { type: 'string' } },
            },
          },
        },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        tls: {
          type: 'object',
          additionalProperties: false,
          properties: {
            caFile: { type: 'string', minLength: 1 },
            insecure: { type: 'boolean' },
            certFile: { type: 'string', minLength: 1 },
            keyFile: { type: 'string', minLength: 1 },
            passphrase: { type: 'string' },
          },
          dependencies: { certFile: ['keyFile'], keyFile: ['certFile'], passphrase: ['keyFile'] },
        },
        triggers: { type: 'object', additionalProperties: trigger },
        ids: { type: 'object', additionalProperties: { type: 'string', pattern: '^[A-Za-z0-9\\-.]{1,64}$' } },
        seed: { type: 'boolean' },
        madxRuleSet: { enum: ['trial-implementation', 'comment-draft'] },
        dataSet: {
          type: 'object',
          additionalProperties: false,
          // At least three patients a day of the generator's week: its age-boundary cases need them.
          properties: { patients: { type: 'integer', minimum: 21 }, seed: { type: 'integer' }, loaded: { type: 'boolean' } },
        },
        measure: {
          oneOf: [
            { type: 'string', pattern: '^[a-z][a-z0-9+.-]*:\\S+$' },
            { type: 'object', additionalProperties: { type: 'string', pattern: '^[a-z][a-z0-9+.-]*:\\S+$' }, minProperties: 1 },
          ],
        },
      },
    },
    suites: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    actors: { type: 'array', items: { type: 'string', minLength: 1 } },
    timeouts: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requestMs: { type: 'integer', minimum: 1 },
        testMs: { type: 'integer', minimum: 1 },
        waitMs: { type: 'integer', minimum: 1 },
      },
    },
    simulators: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', minLength: 1 },
        ports: { type: 'object', additionalProperties: { type: 'integer', minimum: 0, maximum: 65535 } },
        dataDir: { type: 'string', minLength: 1 },
        referenceTls: { type: 'boolean' },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['certFile', 'keyFile'],
          properties: { certFile: { type: 'string' }, keyFile: { type: 'string' } },
        },
        auth: {
          type: 'object',
          additionalProperties: false,
          properties: { bearerToken: { type: 'string', minLength: 1 } },
        },
        inspector: {
          type: 'object',
          additionalProperties: false,
          properties: {
            token: { type: 'string', minLength: 8 },
            clientIdentity: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['address', 'token', 'certificate'] } },
          },
        },
      },
    },
    attestations: {
      type: 'object',
      propertyNames: { pattern: '^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['attested', 'by'],
        properties: { attested: { type: 'boolean' }, by: { type: 'string', minLength: 1 }, note: { type: 'string' } },
      },
    },
    report: {
      type: 'object',
      additionalProperties: false,
      properties: {
        dir: { type: 'string', minLength: 1 },
        failOn: { enum: ['shall', 'should', 'never'] },
      },
    },
  },
} as const;
