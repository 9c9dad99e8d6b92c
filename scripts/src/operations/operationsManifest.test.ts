import { DEFAULT_OPERATIONS_FILE, loadOperationManifest } from '@cdo-hub/gateway';
import { readFileSync } from 'node:fs';
import { renderOperationsManifest } from './operationsManifest';

describe('the persisted-operations manifest (schema/operations/manifest.json)', () => {
  it('is up to date with schema/examples (`npm run hub -- operations manifest` regenerates it)', () => {
    expect(readFileSync(DEFAULT_OPERATIONS_FILE, 'utf8')).toBe(renderOperationsManifest());
  });

  it('loads, every id being the SHA-256 of its body', () => {
    expect(loadOperationManifest(DEFAULT_OPERATIONS_FILE).operations.length).toBeGreaterThanOrEqual(4);
  });
});
