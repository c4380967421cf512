import { createSandbox, type Sandbox } from '../../src/sandbox';

export const SOURCE_KEY = '5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9';
export const KEYS = {
  full: '9a8b7c6d5e4f30211203a4b5c6d7e8f9a0b1c2d3',
  minimal: '1111222233334444555566667777888899990000',
  edge: 'abcdefabcdefabcdefabcdefabcdefabcdef0001',
};

/** The sandbox's clock, as an offset from the real one (a test sets it; 0 again before each test). */
export const sandboxClock = { offsetMs: 0 };

/** One sandbox for a whole test file: started in `before`, reset before each test, closed in `after`. */
export function useSandbox(): { readonly sb: Sandbox } {
  const holder: { sb?: Sandbox } = {};
  before(async () => {
    holder.sb = await createSandbox({ port: 0, quiet: true, now: () => Date.now() + sandboxClock.offsetMs });
  });
  beforeEach(() => {
    sandboxClock.offsetMs = 0;
    holder.sb?.reset();
  });
  after(async () => {
    await holder.sb?.close();
  });
  return {
    get sb() {
      if (!holder.sb) throw new Error('sandbox not started');
      return holder.sb;
    },
  };
}
