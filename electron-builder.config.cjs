/**
 * electron-builder configuration (`npm run package`). Packs what electron-vite built in
 * out/ plus the production node_modules; native modules are unpacked from the asar
 * (Node cannot dlopen from inside an archive); the sample data ships as a resource so a
 * first start shows a chart. Signing and notarisation read their secrets from the
 * environment of the release machine only.
 *
 * @type {import('electron-builder').Configuration}
 */
const config = {
  appId: 'app.keel.workstation',
  productName: 'Keel',
  copyright: 'Copyright © Keel authors',
  directories: { output: 'release', buildResources: 'resources' },
  files: [
    'out/**/*',
    'package.json',
    '!**/*.map',
    '!**/*.{test,spec}.{ts,js,mjs,cjs}',
    '!**/{test,tests,__tests__}/**',
    '!**/*.{ts,tsx,mts,cts}',
    '!**/*.d.ts',
    '!**/{.github,docs,doc,example,examples}/**',
  ],
  asar: true,
  asarUnpack: ['**/node_modules/better-sqlite3/**', '**/node_modules/@duckdb/**', '**/node_modules/@napi-rs/**', '**/*.node'],
  extraResources: [{ from: 'data/samples', to: 'samples', filter: ['**/*'] }, { from: 'data/README.md', to: 'samples/README.md' }],
  npmRebuild: true,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Office;Finance',
    icon: 'resources/icon.png',
    maintainer: 'Keel authors',
  },
  deb: { depends: ['libsecret-1-0'] },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.finance',
    icon: 'resources/icon.png',
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'resources/entitlements.mac.plist',
    entitlementsInherit: 'resources/entitlements.mac.plist',
    // Notarisation runs only where APPLE_TEAM_ID (and the Apple ID or API key variables) are set.
    notarize: process.env.APPLE_TEAM_ID ? { teamId: process.env.APPLE_TEAM_ID } : false,
  },
  dmg: { sign: false },
  win: { target: ['nsis'], icon: 'resources/icon.png' },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  publish: process.env.KEEL_UPDATE_URL ? [{ provider: 'generic', url: process.env.KEEL_UPDATE_URL }] : [{ provider: 'generic', url: 'https://updates.invalid/keel' }],
};

module.exports = config;
