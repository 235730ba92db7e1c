// The third-party licences Keel ships, generated from the installed dependencies when the UI
// is built (a Vite plugin in both UI builds emits licences.json beside index.html; the About
// dialog shows it). What ships: the packages in package.json's `dependencies` (the engine),
// the packages the renderer's sources import (bundled into the page), Electron (the shell),
// and everything those depend on. Run `node scripts/licences.js` to print the list.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Attribution notices a package asks for that its npm tarball does not carry. lightweight-charts
 * (Apache-2.0) asks for its NOTICE and a link to TradingView; its NOTICE file is in the
 * repository only, so the notice is reproduced here.
 */
const NOTICES = {
  'lightweight-charts': {
    notice: 'TradingView Lightweight Charts™\nCopyright (c) TradingView, Inc. https://www.tradingview.com/',
    link: 'https://www.tradingview.com/',
  },
  electron: {
    notice: 'Electron bundles Chromium and Node.js; the licences of their components ship beside the app as LICENSES.chromium.html.',
  },
};

/**
 * Packages whose npm dependencies do not ship: the electron package is a downloader (its
 * dependencies fetch the binary at install time); what ships is the binary it fetched.
 */
const LEAVES = new Set(['electron']);

/** Where the renderer's bundled imports are found (tests and build configs excluded). */
const BUNDLED_SOURCES = ['renderer/src', 'engine/protocol'];

function bareImports(dir) {
  const names = new Set();
  for (const e of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !/\.(ts|tsx|js)$/.test(e.name) || /\.test\.tsx?$/.test(e.name)) continue;
    const text = readFileSync(join(e.parentPath ?? e.path, e.name), 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^'.][^']*)'|import\(\s*'([^'.][^']*)'\s*\)/gm)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('node:')) continue;
      names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  return [...names];
}

/** Node's lookup: <dir>/node_modules/<name>, then each parent's. */
function packageDir(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function licenceOf(pkg) {
  if (typeof pkg.license === 'string') return pkg.license;
  if (pkg.license && typeof pkg.license.type === 'string') return pkg.license.type;
  if (Array.isArray(pkg.licenses)) return pkg.licenses.map((l) => l.type ?? l).join(' OR ');
  return 'UNKNOWN';
}

function repositoryOf(pkg) {
  const r = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  if (!r) return pkg.homepage;
  if (/^[\w-]+\/[\w.-]+$/.test(r)) return `https://github.com/${r}`;
  return r.replace(/^git\+/, '').replace(/^git:\/\//, 'https://').replace(/\.git$/, '').replace(/^github:/, 'https://github.com/');
}

function licenceTexts(dir) {
  return readdirSync(dir)
    .filter((f) => /^(licen[cs]e|copying|notice)(\b|[._-]|$)/i.test(f))
    .sort()
    .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') }));
}

/** Every package that ships, with its licence, once per name and version, sorted by name. */
export function collectLicences() {
  const top = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const roots = new Set([...Object.keys(top.dependencies ?? {}), ...BUNDLED_SOURCES.flatMap(bareImports), 'electron']);
  const seen = new Map();
  const queue = [...roots].map((name) => ({ name, from: root }));
  while (queue.length > 0) {
    const { name, from } = queue.shift();
    const dir = packageDir(name, from);
    if (!dir) continue; // an optional dependency for another platform, or a name the scan mistook for an import
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const key = `${pkg.name}@${pkg.version}`;
    if (seen.has(key)) continue;
    const extra = NOTICES[pkg.name];
    seen.set(key, {
      name: pkg.name,
      version: pkg.version,
      licence: licenceOf(pkg),
      repository: repositoryOf(pkg),
      path: relative(root, dir),
      texts: licenceTexts(dir),
      ...(extra ? { notice: extra.notice, ...(extra.link ? { link: extra.link } : {}) } : {}),
    });
    if (LEAVES.has(pkg.name)) continue;
    for (const dep of [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]) queue.push({ name: dep, from: dir });
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** The Vite plugin both UI builds use: licences.json in the built UI (not in the dev server). */
export function licencesPlugin() {
  return {
    name: 'keel-licences',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'licences.json', source: JSON.stringify({ generatedAt: new Date().toISOString(), packages: collectLicences() }) });
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const p of collectLicences()) console.log(`${p.name}@${p.version}\t${p.licence}\t${p.texts.length ? p.texts.map((t) => t.file).join(',') : 'no licence file'}`);
}
