// Self-signed certificates for the tests' TLS servers and clients, made by openssl (Debian's, always
// on these machines) into files the test owns.
import { execFileSync } from 'node:child_process';

export interface TestCertificateOptions {
  /** The subject, as openssl's -subj writes it: `/CN=127.0.0.1`, `/CN=acme-creator/O=Acme`. */
  subject: string;
  /** Addresses the certificate is for (subjectAltName IP entries); a client's needs none. */
  ips?: readonly string[];
  /** May sign others: a server certificate that also serves as the client's trusted CA. */
  ca?: boolean;
  /** The key encrypted with this passphrase; unencrypted without one. */
  passphrase?: string;
  /** EC P-256 keys are made in a moment; RSA where a test wants the common case. */
  key?: 'ec' | 'rsa';
  days?: number;
}

/** Writes the certificate to `certFile` and its key to `keyFile` (PEM). */
export function selfSignedCertificate(certFile: string, keyFile: string, options: TestCertificateOptions): void {
  const key = options.key === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  const args = [
    'req',
    '-x509',
    ...key,
    ...(options.passphrase ? ['-passout', `pass:${options.passphrase}`] : ['-nodes']),
    '-days',
    String(options.days ?? 2),
    '-subj',
    options.subject,
    ...(options.ips?.length ? ['-addext', `subjectAltName=${options.ips.map((ip) => `IP:${ip}`).join(',')}`] : []),
    ...(options.ca ? ['-addext', 'basicConstraints=critical,CA:TRUE'] : []),
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ];
  execFileSync('openssl', args, { stdio: 'ignore' });
}
