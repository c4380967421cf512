'use strict';
/** The sandbox in its own process, driven over IPC by bench/lib/sandbox.js. */
const { dist } = require('./common');
const { ops, describe } = require('./sandbox');
const { createSandbox } = require(dist('src', 'sandbox'));

async function main() {
  const sb = await createSandbox(JSON.parse(process.argv[2] || '{}'));
  const o = ops(sb);
  process.on('message', async (m) => {
    try {
      if (m.cmd === 'close') {
        await sb.close();
        process.send({ type: 'reply', id: m.id, value: true }, () => process.disconnect());
        return;
      }
      const value = await o[m.cmd](m.arg);
      process.send({ type: 'reply', id: m.id, value: value === undefined ? null : value });
    } catch (err) {
      process.send({ type: 'reply', id: m.id, error: String((err && err.stack) || err) });
    }
  });
  process.on('disconnect', () => sb.close().finally(() => process.exit(0)));
  process.send({ type: 'ready', info: describe(sb) });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
