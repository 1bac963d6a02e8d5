// biome-ignore-all lint/suspicious/noTemplateCurlyInString: '${VAR}' is config.yaml's own syntax for an environment variable, written as text.
import { describe, it, expect } from 'vitest';
import { ConfigError, parseConfig, defaultConfig } from '../../src/config/load.js';

const env = { SUT_TOKEN: 'tok-secret-123', SUT_URL: 'https://fhir.example.org/r4' };

function errorOf(text: string, e: NodeJS.ProcessEnv = env): string {
  try {
    parseConfig(text, 'config.yaml', e);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config.yaml loading', () => {
  it('applies defaults when the file is empty', () => {
    const { config } = parseConfig('', 'config.yaml', env);
    expect(config.sut).toBeUndefined();
    expect(config.suites).toEqual(['*']);
    expect(config.report).toEqual({ dir: 'reports', failOn: 'shall' });
    expect(config.simulators.host).toBe('127.0.0.1');
    expect(defaultConfig().config).toEqual(config);
  });

  it('expands ${VAR} references and treats their values as secrets', () => {
    const { config, secrets } = parseConfig(['sut:', '  name: Acme', '  baseUrl: ${SUT_URL}', '  auth:', '    bearerToken: ${SUT_TOKEN}'].join('\n'), 'config.yaml', env);
    expect(config.sut?.baseUrl).toBe('https://fhir.example.org/r4');
    expect(config.sut?.auth?.bearerToken).toBe('tok-secret-123');
    expect(secrets).toContain('tok-secret-123');
  });

  it('names file, line and key of an invalid URL', () => {
    const text = ['# comment', 'sut:', '  name: Acme', '  baseUrl: fhir.example.org'].join('\n');
    expect(errorOf(text)).toBe('config.yaml:4 sut.baseUrl: must be an absolute URL (http:// or https://)');
  });

  it('names the line of a misspelt key, even when its value is a block', () => {
    const text = ['suites: ["*"]', 'simulatorz:', '  host: 127.0.0.1'].join('\n');
    expect(errorOf(text)).toBe('config.yaml:2 simulatorz: unknown key (check its spelling and indentation)');
  });

  it('takes the Data Source data set a SUT holds, and refuses one the generator cannot make, with its line', () => {
    const { config } = parseConfig(['sut:', '  name: Acme', '  dataSet: { patients: 200, seed: 7, loaded: true }'].join('\n'), 'config.yaml', env);
    expect(config.sut?.dataSet).toEqual({ patients: 200, seed: 7, loaded: true });
    expect(errorOf(['sut:', '  name: Acme', '  dataSet:', '    patients: 5'].join('\n'))).toBe('config.yaml:4 sut.dataSet.patients: must be >= 21');
    expect(errorOf(['sut:', '  name: Acme', '  dataSet:', '    sead: 5'].join('\n'))).toBe('config.yaml:4 sut.dataSet.sead: unknown key (check its spelling and indentation)');
  });

  it('names an unset environment variable where it is used', () => {
    const text = ['sut:', '  name: Acme', '  auth:', '    bearerToken: ${MISSING_TOKEN}'].join('\n');
    expect(errorOf(text, {})).toBe('config.yaml:4 sut.auth.bearerToken: environment variable MISSING_TOKEN is not set');
  });

  it('reports YAML syntax errors with their line and the key where they are, as schema errors are', () => {
    expect(errorOf('sut:\n  name: [unclosed\n')).toMatch(/^config\.yaml:2 sut\.name: Flow sequence/);
    expect(errorOf('sut:\n  name: Acme\n  baseUrl: http://x\n    extra: 1\n')).toBe('config.yaml:3 sut.baseUrl: Nested mappings are not allowed in compact mappings');
    expect(errorOf('sut:\n\tname: x\n')).toBe('config.yaml:2 sut: Tabs are not allowed as indentation');
    // An unclosed quote is found only at the end of the text: the line is the key's.
    expect(errorOf('suites: [x]\nsut:\n  name: "Acme\n  baseUrl: http://x\n')).toMatch(/^config\.yaml:3 sut\.name: Missing closing "quote/);
  });

  it('rejects a wrong enum and a trigger of unknown type', () => {
    expect(errorOf('report:\n  failOn: sometimes\n')).toBe('config.yaml:2 report.failOn: must be one of "shall", "should", "never"');
    expect(errorOf('sut:\n  name: A\n  triggers:\n    MeasureConsumer:\n      type: carrier-pigeon\n')).toMatch(/^config\.yaml:\d sut\.triggers\.MeasureConsumer(\.type)?: /);
  });

  it('takes a client certificate for mutual TLS only with its key, and keeps the key passphrase secret', () => {
    const tls = (...lines: string[]) => ['sut:', '  name: Acme', '  baseUrl: https://fhir.example.org/r4', '  tls:', ...lines].join('\n');
    expect(errorOf(tls('    certFile: ./client.pem'))).toMatch(/^config\.yaml:4 sut\.tls: .*keyFile/);
    const { config, secrets } = parseConfig(tls('    certFile: ./client.pem', '    keyFile: ./client-key.pem', '    passphrase: open-the-key-991'), 'config.yaml', env);
    expect(config.sut?.tls).toEqual({ certFile: './client.pem', keyFile: './client-key.pem', passphrase: 'open-the-key-991' });
    expect(secrets).toContain('open-the-key-991');
  });

  it('rejects duplicate keys', () => {
    expect(errorOf('suites: ["a"]\nsuites: ["b"]\n')).toMatch(/^config\.yaml:2 suites: .*[Mm]ap keys must be unique/);
  });
});
