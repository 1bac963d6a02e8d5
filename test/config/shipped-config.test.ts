import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { projectRoot } from '../../src/harness.js';

describe('the shipped config.yaml', () => {
  it('is valid and names no SUT, so a run uses the bundled simulators', () => {
    const { config } = loadConfig(join(projectRoot, 'config.yaml'), {});
    expect(config.sut).toBeUndefined();
    expect(config.suites).toEqual(['*']);
    expect(config.simulators.host).toBe('127.0.0.1');
  });
});
