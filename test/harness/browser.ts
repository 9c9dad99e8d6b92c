import { chromium, type Browser } from 'playwright-core';
import { bundledBrowser, bundledBrowserSupported, defaultCacheRoot, systemBrowser } from '../provision/requirements';

/**
 * The browser the e2e tests drive: CHROMIUM_BIN when set (a path), else the system's Chromium or
 * Chrome, else the Chromium shipped in the npm package @sparticuz/chromium (TEST_BROWSER=bundled
 * forces that one). Never a silent skip: with none of them this throws, naming what to install.
 */
export async function browserExecutable(): Promise<{ path: string; bundled: boolean }> {
  if (process.env.CHROMIUM_BIN) return { path: process.env.CHROMIUM_BIN, bundled: false };
  const system = process.env.TEST_BROWSER === 'bundled' ? undefined : systemBrowser();
  if (system) return { path: system, bundled: false };
  if (!bundledBrowserSupported())
    throw new Error(
      'no browser found: install Chromium or Chrome (Debian/Ubuntu: apt-get install chromium; macOS: brew install --cask chromium)',
    );
  return { path: await bundledBrowser(defaultCacheRoot()), bundled: true };
}

/** Launches that browser headless; the flags keep Chromium's own background traffic (updates, sync) off this closed network. */
export async function launchBrowser(): Promise<Browser> {
  const { path, bundled } = await browserExecutable();
  const quiet = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ];
  // The npm-shipped build has no GPU stack of its own: it renders through the SwiftShader it ships.
  const software = bundled ? ['--use-gl=angle', '--use-angle=swiftshader', '--in-process-gpu'] : [];
  return chromium.launch({ executablePath: path, args: [...quiet, ...software] });
}
