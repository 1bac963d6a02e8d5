/**
 * mADX publishes no CapabilityStatement (digest §7), so the project states the two actors'
 * requirements under its own canonical URLs — not IHE ones — and files every QRPH-58
 * requirement under the actor it binds.
 */
export const PROJECT_CAPABILITY_BASE = 'https://measure-conformance.example.org/fhir/CapabilityStatement';

/** The actor name a run selects the Content Creator suite and reference client by. */
export const MADX_CREATOR_ACTOR = 'MadxContentCreator';

export const MADX_CONTENT_CREATOR = `${PROJECT_CAPABILITY_BASE}/IHE.mADX.ContentCreator`;
export const MADX_CONTENT_CONSUMER = `${PROJECT_CAPABILITY_BASE}/IHE.mADX.ContentConsumer`;

/**
 * The Validate mADX Message option (QRPH 1:6.2): the name a run claims it by (`sut.options`), and
 * the project URL a Consumer's CapabilityStatement instantiates to claim it.
 */
export const MADX_VALIDATE_OPTION = 'ValidateMadxMessage';
export const MADX_VALIDATE_MESSAGE = `${PROJECT_CAPABILITY_BASE}/IHE.mADX.ContentConsumer.ValidateMadxMessage`;

/** Canonical URL -> title, merged into the report's capability titles. */
export const madxCapabilityTitles: Readonly<Record<string, string>> = Object.freeze({
  [MADX_CONTENT_CREATOR]: 'IHE mADX Content Creator implementing Send Aggregate Report [QRPH-58] (project-owned statement)',
  [MADX_CONTENT_CONSUMER]: 'IHE mADX Content Consumer implementing Send Aggregate Report [QRPH-58] (project-owned statement)',
});
