/** What `serve` and the recording proxy share: the settings their grading uses, their TLS files, and a clear word on a busy port. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SuiteConfig } from '../../engine/index.js';
import type { HarnessConfig } from '../../config/types.js';
import type { ServerTls } from '../../fhir/server/index.js';
import { InputError } from '../command.js';
import { unreadable } from '../input.js';

/** The suite settings config.yaml gives that judging recorded traffic uses (the mADX rule set, a Creator's Measure). */
export function gradingConfig(config: HarnessConfig): SuiteConfig {
  const sut = config.sut;
  return {
    ...(sut?.madxRuleSet ? { madxRuleSet: sut.madxRuleSet } : {}),
    ...(typeof sut?.measure === 'string' ? { measure: sut.measure } : {}),
  };
}

/** A listen that failed because the port is taken, said with who wanted it and where the port is set; undefined for any other failure. */
export function portInUse(command: string, err: unknown, port: number, who: string, key: string): InputError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES') return undefined;
  const why = code === 'EADDRINUSE' ? 'is already in use' : 'may not be opened by this user';
  return new InputError(`measure-conformance ${command}: port ${port} for ${who} ${why} (${key}): stop what uses it or choose another port`);
}

/** The certificate and key `simulators.tls` names, read relative to `cwd`; an unreadable one names its config key. */
export function simulatorTls(config: HarnessConfig, cwd: string): ServerTls | undefined {
  const tls = config.simulators.tls;
  if (!tls) return undefined;
  const read = (key: 'certFile' | 'keyFile'): Buffer => {
    try {
      return readFileSync(resolve(cwd, tls[key]));
    } catch (err) {
      throw unreadable(`simulators.tls.${key} ${tls[key]}`, err);
    }
  };
  return { cert: read('certFile'), key: read('keyFile') };
}
