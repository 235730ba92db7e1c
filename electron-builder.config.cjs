/**
 * electron-builder configuration (`npm run package`). Packs what electron-vite built in
 * out/ plus the production node_modules; native modules are unpacked from the asar
 * (Node cannot dlopen from inside an archive) and rebuilt for Electron's ABI at packaging
 * time; the sample data ships as a resource so a first start shows a chart. Signing and
 * notarisation read their secrets from the environment of the release machine only:
 *   macOS  CSC_LINK/CSC_KEY_PASSWORD (Developer ID), APPLE_API_KEY, APPLE_API_KEY_ID,
 *          APPLE_API_ISSUER (notarisation through notarytool; skipped with a warning without them)
 *   Windows CSC_LINK/CSC_KEY_PASSWORD (Authenticode); the publisher name goes into
 *          app-update.yml, and the updater refuses an installer signed by anyone else
 *   all    KEEL_UPDATE_URL, the HTTPS folder the update files (latest*.yml, beta*.yml) are served from
 * electron/build/packaging.test.ts checks this file against electron-builder's own schema.
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
  buildDependenciesFromSource: false,
  // Electron fuses, flipped in the packaged binary before it is signed: no running Electron as
  // plain Node (ELECTRON_RUN_AS_NODE), no NODE_OPTIONS or --inspect from outside, cookies
  // encrypted at rest, the app loaded only from an app.asar whose integrity is checked, and
  // no file:// extras (the renderer is served from app://keel).
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
  linux: {
    target: ['AppImage', 'deb'],
    executableName: 'keel',
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
    // electron-builder's notarytool step; it runs where the APPLE_* variables above are set and
    // skips with a warning elsewhere (a local unsigned build).
    notarize: true,
  },
  dmg: { sign: false },
  win: { target: ['nsis'], icon: 'resources/icon.png', verifyUpdateCodeSignature: true },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  // Stable releases go to latest*.yml, versions like 1.3.0-beta.1 to beta*.yml; a stable
  // release is written to the beta files too, so beta users get it.
  publish: [{ provider: 'generic', url: process.env.KEEL_UPDATE_URL || 'https://updates.invalid/keel' }],
  generateUpdatesFilesForAllChannels: true,
};

module.exports = config;
