/**
 * What a run with no SUT makes for itself, so the reference simulators whose profiles ask for it
 * (mADX QRPH-58, RPC LAB-90) show it on the wire:
 * - a certificate, so they serve https and the harness and the reference clients trust exactly
 *   that certificate. Made by openssl 3 into a private temporary folder that is removed at once:
 *   the key lives only in this process and is never written where it could be kept;
 * - a bearer token, the credential their mutual authentication demands of a client, which the
 *   harness and the reference Content Creators present. Random, held in memory only.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunCertificate {
  cert: string;
  key: string;
}

export type CertificateOutcome = { ok: true; certificate: RunCertificate } | { ok: false; reason: string };

let made: CertificateOutcome | undefined;

function make(hosts: readonly string[]): CertificateOutcome {
  const dir = mkdtempSync(join(tmpdir(), 'measure-conformance-tls-'));
  try {
    const names = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=measure-conformance reference run',
        '-addext',
        `subjectAltName=${names.join(',')}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 15_000 },
    );
    return { ok: true, certificate: { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') } };
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n')[0];
    return { ok: false, reason: `openssl could not make a certificate (${stderr || (err as Error).message})` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The run's certificate for localhost and the simulators' host, made on first use and then reused. */
export function runCertificate(host: string): CertificateOutcome {
  made ??= make([...new Set(['localhost', '127.0.0.1', '::1', host])]);
  return made;
}

let token: string | undefined;

/** The run's bearer token, made on first use and then reused. */
export function runBearerToken(): string {
  token ??= `run-${randomBytes(24).toString('base64url')}`;
  return token;
}
