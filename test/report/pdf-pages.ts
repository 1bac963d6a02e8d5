/**
 * Pages of a PDF written by Chromium's page.pdf(): its page objects are plain dictionaries
 * (`/Type /Page`), never inside compressed object streams, so counting them is enough here.
 */
export function countPdfPages(pdf: Uint8Array): number {
  return (
    Buffer.from(pdf)
      .toString('latin1')
      .match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []
  ).length;
}
