/**
 * Runs user JavaScript (logics and formats) the way Node-RED's Function node does: compiled once
 * in a separate `vm` context with a small set of globals, synchronous part bounded by a timeout.
 * The timeout needs a watchdog thread per call (about 0.1 ms): it is armed only for code that can
 * run for ever or for very long (a loop, a function or arrow that may loop, eval / Function,
 * Atomics.wait, a regular expression that may backtrack); straight-line code always ends soon,
 * so it runs without one.
 * This is isolation from mistakes, not a security boundary against hostile code (neither is the
 * Function node's): only people who can edit flows can write this code.
 */
import vm from 'node:vm';

export interface SandboxOptions {
  /** Milliseconds the synchronous part of one call may run (default 1000; 0: no limit). */
  timeoutMs?: number;
  /** Where `console.log/warn/error` go. */
  log?: (level: 'log' | 'warn' | 'error', message: string) => void;
  /** `env.get(name)` inside user code. */
  env?: (name: string) => unknown;
}

export class UserCodeError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'UserCodeError';
  }
}

function format(args: unknown[]): string {
  return args
    .map((a) => {
      if (typeof a === 'string') return a;
      try {
        return JSON.stringify(a);
      } catch {
        return String(a);
      }
    })
    .join(' ');
}

/** Tokens of code that may never end; code without any of them always terminates. */
const MAY_LOOP = new RegExp(
  [
    // loops, functions, ways to run code from a string, blocking waits
    '\\b(?:for|while|do|function|class|eval|Function|constructor|Atomics|setTimeout|setInterval|import)\\b',
    '=>',
    // regular expressions, from a literal or from a string
    '\\b(?:RegExp|match|matchAll|replace|replaceAll|search|split)\\b',
    '(?<![/*])/(?![/*])', // a slash that does not open or close a comment: a regex literal (or a division)
  ].join('|'),
);

/** Whether running `body` may not terminate on its own (conservative: comments and strings count too). */
export function mayLoop(body: string): boolean {
  return MAY_LOOP.test(body);
}

/** A user function body compiled once: `new UserFunction("check", "return profile;", ["profile", "msg"])`. */
export class UserFunction {
  private readonly context: vm.Context;
  private readonly timeoutMs: number;
  private readonly invoke: vm.Script;
  /** runInContext options: with a timeout (a watchdog) only when the body may loop. */
  private readonly runOptions: vm.RunningScriptOptions;
  /** Whether calls run under the timeout watchdog. */
  readonly guarded: boolean;

  constructor(readonly name: string, body: string, params: string[], options: SandboxOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    const log = options.log ?? (() => undefined);
    this.context = vm.createContext({
      console: {
        log: (...a: unknown[]) => log('log', format(a)),
        info: (...a: unknown[]) => log('log', format(a)),
        warn: (...a: unknown[]) => log('warn', format(a)),
        error: (...a: unknown[]) => log('error', format(a)),
      },
      env: { get: (n: string) => options.env?.(n) },
      __args: [] as unknown[],
      __fn: undefined as unknown,
    });
    const source = `__fn = (async function ${safeIdentifier(name)}(${params.join(', ')}) {\n${body}\n});`;
    try {
      new vm.Script(source, { filename: `${name}.js` }).runInContext(this.context, this.timeoutMs > 0 ? { timeout: this.timeoutMs } : {});
    } catch (err) {
      throw new UserCodeError(`${name}: ${(err as Error)?.message ?? String(err)}`, err);
    }
    this.invoke = new vm.Script('__fn.apply(null, __args)', { filename: `${name}.js` });
    this.guarded = this.timeoutMs > 0 && mayLoop(body);
    this.runOptions = this.guarded ? { timeout: this.timeoutMs } : {};
  }

  async call(...args: unknown[]): Promise<unknown> {
    this.context.__args = args;
    try {
      const pending = this.invoke.runInContext(this.context, this.runOptions) as Promise<unknown>;
      return await pending;
    } catch (err) {
      const message = err && typeof err === 'object' && 'message' in err ? String((err as Error).message) : String(err);
      throw new UserCodeError(`${this.name}: ${message}`, err);
    } finally {
      this.context.__args = [];
    }
  }
}

function safeIdentifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[A-Za-z_$]/.test(id) ? id : `_${id}`;
}
