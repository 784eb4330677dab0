/** One in-process sandbox per test, with the test credentials and no rate limit unless asked; closed after each test. */
import { afterEach } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { credentials } from './cli.js';

export function sandboxSession(): { start(options?: SandboxOptions): Promise<Sandbox>; current(): Sandbox } {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });
  return {
    start: async (options = {}) => (sandbox = await startSandbox({ ...credentials, rateLimit: 0, ...options })),
    current: () => {
      if (!sandbox) throw new Error('no sandbox started in this test');
      return sandbox;
    },
  };
}
