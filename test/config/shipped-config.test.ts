import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { defaultConfig, loadConfig } from '../../src/config/load.js';
import { TIMEOUTS } from '../../src/http/timeouts.js';
import { projectRoot } from '../../src/harness.js';

describe('the shipped config.yaml', () => {
  it('is valid and names no SUT, so a run uses the bundled simulators', () => {
    const { config } = loadConfig(join(projectRoot, 'config.yaml'), {});
    expect(config.sut).toBeUndefined();
    expect(config.suites).toEqual(['*']);
    expect(config.simulators.host).toBe('127.0.0.1');
  });

  it('states the timeout defaults a run without the file uses, which are the one set of defaults', () => {
    const documented = { requestMs: 15_000, testMs: 120_000, waitMs: 60_000 };
    expect(loadConfig(join(projectRoot, 'config.yaml'), {}).config.timeouts).toEqual(documented);
    expect(defaultConfig().config.timeouts).toEqual(documented);
    expect({ requestMs: TIMEOUTS.requestMs, testMs: TIMEOUTS.testMs, waitMs: TIMEOUTS.waitMs }).toEqual(documented);
  });
});
