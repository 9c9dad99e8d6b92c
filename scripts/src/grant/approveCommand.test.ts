import { MASK_NAMES } from '@cdo-hub/gateway';
import { APPROVE_HELP, MASKS_IN_HELP } from './approveCommand';

describe('hub grant approve --help', () => {
  it('lists every mask the gateway knows, each once in the help text', () => {
    expect([...MASKS_IN_HELP].sort()).toEqual([...MASK_NAMES].sort());
    for (const mask of MASKS_IN_HELP)
      expect(APPROVE_HELP).toMatch(new RegExp(`(^|[\\s,])${mask.replace(/[()]/g, '\\$&')}[\\s,(]`, 'm'));
  });
});
