/**
 * Who a client is, so a vendor finds its own traffic among everyone's: its address, a hash of its
 * bearer token and the subject of its client certificate, as many of them as configured
 * (`simulators.inspector.clientIdentity`) and as the request carried.
 */
import type { Peer } from '../../http/exchange.js';

export const IDENTITY_PARTS = ['address', 'token', 'certificate'] as const;
export type IdentityPart = (typeof IDENTITY_PARTS)[number];

/** The client's key in the inspector and the API, e.g. `10.0.0.7 · token 3fa2c1d4e5f6 · CN=acme-source`. */
export function clientKey(peer: Peer | undefined, parts: readonly IdentityPart[] = IDENTITY_PARTS): string {
  const shown: Record<IdentityPart, string | undefined> = {
    address: peer?.address,
    token: peer?.tokenHash ? `token ${peer.tokenHash}` : undefined,
    certificate: peer?.certificateSubject,
  };
  const key = parts.flatMap((p) => (shown[p] ? [shown[p]] : [])).join(' · ');
  return key || 'unidentified client';
}
