/** Types of scripts/licences.js for the TypeScript that imports it (the Vite configs, the test). */
export interface LicenceEntry {
  name: string;
  version: string;
  licence: string;
  repository?: string;
  path: string;
  texts: { file: string; text: string }[];
  notice?: string;
  link?: string;
}
export function collectLicences(): LicenceEntry[];
export function licencesPlugin(): import('vite').Plugin;
