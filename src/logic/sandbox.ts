/**
 * Runs user JavaScript (logics and formats) the way Node-RED's Function node does: compiled once
 * in a separate `vm` context with a small set of globals, bounded by a timeout. The context runs its
 * own promise jobs before each call returns (`microtaskMode: 'afterEvaluate'`), so an async body is
 * bounded too, and a promise that has not settled by then never will (the context has no timers or
 * I/O): it is an error, not a message left hanging.
 * The timeout needs a watchdog thread per call (about 0.1 ms): it is armed only for code that can
 * run for long: a loop, a function or arrow, a call (a built-in can be made to run for ever), `new`,
 * `**`, a BigInt or a template literal, eval / Function, a regular expression. Code with none of these
 * (property reads, comparisons, assignments, `if`, `return`) always ends soon and runs without one.
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

/** Tokens of code that may run for long or for ever; code without any of them always ends soon. */
const MAY_LOOP = new RegExp(
  [
    // loops, functions, ways to run code from a string, blocking waits, constructors
    '\\b(?:for|while|do|function|class|eval|Function|constructor|Atomics|setTimeout|setInterval|import|new)\\b',
    '=>',
    // regular expressions, from a literal or from a string
    '\\b(?:RegExp|match|matchAll|replace|replaceAll|search|split)\\b',
    '(?<![/*])/(?![/*])', // a slash that does not open or close a comment: a regex literal (or a division)
    '\\*\\*', // exponentiation (BigInt powers can take for ever)
    '\\b\\d+n\\b', // BigInt literals
    '`', // template literals (a tagged one is a call)
  ].join('|'),
);

/** A call: a name, `)`, `]` or `?.` then `(`. Any call may reach a built-in that runs for long. */
const CALL = /(?:[\w$)\]]|\?\.)\s*\(/;
/** The parentheses of statements and operators, which are not calls. */
const KEYWORD_PAREN = /\b(?:if|return|typeof|void|delete|in|instanceof|case|else|switch|throw|await|of)\s*\(/g;

/** Whether running `body` may not end soon on its own (conservative: comments and strings count too). */
export function mayLoop(body: string): boolean {
  return MAY_LOOP.test(body) || CALL.test(body.replace(KEYWORD_PAREN, ' ('));
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
    this.context = vm.createContext(
      {
        console: {
          log: (...a: unknown[]) => log('log', format(a)),
          info: (...a: unknown[]) => log('log', format(a)),
          warn: (...a: unknown[]) => log('warn', format(a)),
          error: (...a: unknown[]) => log('error', format(a)),
        },
        env: { get: (n: string) => options.env?.(n) },
        __args: [] as unknown[],
        __fn: undefined as unknown,
        __outcome: undefined as unknown,
      },
      { microtaskMode: 'afterEvaluate' },
    );
    const source = `__fn = (async function ${safeIdentifier(name)}(${params.join(', ')}) {\n${body}\n});`;
    try {
      new vm.Script(source, { filename: `${name}.js` }).runInContext(this.context, this.timeoutMs > 0 ? { timeout: this.timeoutMs } : {});
    } catch (err) {
      throw new UserCodeError(`${name}: ${(err as Error)?.message ?? String(err)}`, err);
    }
    // The promise is settled inside the context (its jobs run before runInContext returns): only its
    // outcome crosses over, never a promise of the other realm.
    this.invoke = new vm.Script(
      '__outcome = undefined; __fn.apply(null, __args).then((v) => { __outcome = { ok: true, v }; }, (e) => { __outcome = { ok: false, e }; });',
      { filename: `${name}.js` },
    );
    this.guarded = this.timeoutMs > 0 && mayLoop(body);
    this.runOptions = this.guarded ? { timeout: this.timeoutMs } : {};
  }

  async call(...args: unknown[]): Promise<unknown> {
    this.context.__args = args;
    let outcome: { ok: boolean; v?: unknown; e?: unknown } | undefined;
    try {
      this.invoke.runInContext(this.context, this.runOptions);
      outcome = this.context.__outcome as typeof outcome;
    } catch (err) {
      outcome = { ok: false, e: err };
    } finally {
      this.context.__args = [];
      this.context.__outcome = undefined;
    }
    if (!outcome) throw new UserCodeError(`${this.name}: returned a promise that never settles (nothing can resolve it later)`);
    if (outcome.ok) return outcome.v;
    const err = outcome.e;
    const message = err && typeof err === 'object' && 'message' in err ? String((err as Error).message) : String(err);
    throw new UserCodeError(`${this.name}: ${message}`, err);
  }
}

/** The function's name in stack traces: the logic's name made an identifier, never a keyword (`_new`). */
function safeIdentifier(name: string): string {
  return `_${name.replace(/[^A-Za-z0-9_$]/g, '_')}`;
}
