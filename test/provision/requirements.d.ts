/** Types of requirements.js (plain CommonJS, run by `npm test` before anything is built). */
export interface Machine {
  redisServer: string | undefined;
  promtool: string | undefined;
  kubectl: string | undefined;
  systemBrowser: string | undefined;
  bundledBrowserSupported: boolean;
  libraries: Set<string>;
  canInstall: boolean;
}
export interface ProvisioningPlan {
  install: string[];
  missing: string[];
}
export const BUNDLED_BROWSER_LIBRARIES: { file: string; debianPackage: string }[];
export function defaultCacheRoot(): string;
export function onPath(command: string, path?: string): string | undefined;
export function systemBrowser(path?: string): string | undefined;
export function bundledBrowser(cacheRoot: string): Promise<string>;
export function bundledBrowserSupported(platform?: string, arch?: string): boolean;
export function planProvisioning(machine: Machine): ProvisioningPlan;
export function inspectMachine(): Machine;
export function provision(
  inspect?: () => Machine,
  install?: (packages: string[]) => void,
  cacheRoot?: string,
): Promise<number>;
