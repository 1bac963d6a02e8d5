/**
 * The CapabilityStatements LAB-90 links to do not exist (the repository holds only a template), so
 * the project states the two actors' requirements under its own canonical URLs, not IHE ones
 * (digest §7, RPC-CS-003).
 */
import { PROJECT_CAPABILITY_BASE } from '../madx/capabilities.js';

/** The actor name a run selects the Content Creator suite and reference client by. */
export const RPC_CREATOR_ACTOR = 'RpcContentCreator';

export const RPC_CONTENT_CREATOR = `${PROJECT_CAPABILITY_BASE}/IHE.RPC.ContentCreator`;
export const RPC_CONTENT_CONSUMER = `${PROJECT_CAPABILITY_BASE}/IHE.RPC.ContentConsumer`;

/** Canonical URL -> title, merged into the report's capability titles. */
export const rpcCapabilityTitles: Readonly<Record<string, string>> = Object.freeze({
  [RPC_CONTENT_CREATOR]: 'IHE RPC Content Creator implementing Send Concordance Report [LAB-90] (project-owned statement)',
  [RPC_CONTENT_CONSUMER]: 'IHE RPC Content Consumer implementing Send Concordance Report [LAB-90] (project-owned statement)',
});
