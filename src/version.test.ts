import { isCompatibleVersion, PLUGIN_VERSION } from './version';

describe('isCompatibleVersion', () => {
  it('accepts patch differences and rejects other 0.x minors and other majors', () => {
    expect(isCompatibleVersion('0.1.7', '0.1.0')).toBe(true);
    expect(isCompatibleVersion('0.2.0', '0.1.0')).toBe(false);
    expect(isCompatibleVersion('1.4.0', '1.0.2')).toBe(true);
    expect(isCompatibleVersion('2.0.0', '1.0.2')).toBe(false);
    expect(isCompatibleVersion('garbage', '1.0.0')).toBe(false);
  });

  it('knows its own version from package.json', () => {
    expect(PLUGIN_VERSION).toBe(require('../package.json').version);
  });
});
