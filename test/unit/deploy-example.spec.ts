/**
 * deploy (issue 14: several instances with Redis) stays consistent with the package: its flow
 * uses only node types that exist, every store-using node names the flow's hrflow-store (mode redis), no
 * secret is in the flow, its credentials file or the compose file, and the compose file, settings.js,
 * nginx.conf and the env file templates agree with each other.
 * Read as files: Docker is not needed (the compose file is parsed with js-yaml, a dev dependency).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as yaml from 'js-yaml';
import { repoRoot } from '../helpers/fixtures';

const DEPLOY = path.join(repoRoot, 'deploy');
const read = (name: string) => fs.readFileSync(path.join(DEPLOY, name), 'utf8');

type FlowNode = Record<string, unknown> & { id: string; type: string };
type Service = Record<string, unknown> & { volumes?: string[]; environment?: Record<string, string>; env_file?: string[] };

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
const packageTypes = Object.keys(pkg['node-red'].nodes);
/** Push node types: hrflow-<vendor> beside an hrflow-<vendor>-config. */
const pushTypes = packageTypes.filter((t) => packageTypes.includes(`${t}-config`));
/** The node types that take a `store` property (issue 14). */
const storeUsers = new Set([...pushTypes, 'hrflow-profiles', 'hrflow-webhook']);

/** Node-RED's core node types, as its core nodes register them, plus the editor's built-ins. */
function coreTypes(): Set<string> {
  const core = path.join(path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [repoRoot] })), 'core');
  const types = new Set(['tab', 'subflow', 'group']);
  for (const dir of fs.readdirSync(core)) {
    const sub = path.join(core, dir);
    if (!fs.statSync(sub).isDirectory()) continue;
    for (const f of fs.readdirSync(sub).filter((n) => n.endsWith('.js'))) {
      for (const m of fs.readFileSync(path.join(sub, f), 'utf8').matchAll(/registerType\(\s*["']([\w-]+)["']/g)) types.add(m[1]);
    }
  }
  return types;
}

/** The credential names the runtime registers for `type` (its compiled module, run against a stub RED). */
function runtimeCredentials(type: string): string[] {
  let credentials: Record<string, unknown> | undefined;
  const noop = () => undefined;
  const RED = {
    // No httpAdmin: the modules register their admin routes only when there is one.
    nodes: { registerType: (t: string, _c: unknown, o?: { credentials?: Record<string, unknown> }) => void (t === type && (credentials = o?.credentials)), createNode: noop, getNode: () => null },
    settings: {},
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(repoRoot, pkg['node-red'].nodes[type]));
  (typeof mod === 'function' ? mod : mod.default)(RED);
  return Object.keys(credentials ?? {});
}

/** A compose service with its `<<` merge keys applied (js-yaml keeps them as keys). */
function merged(service: Record<string, unknown>): Service {
  const base = service['<<'];
  const bases = Array.isArray(base) ? base : base ? [base] : [];
  const out: Record<string, unknown> = {};
  for (const b of bases) Object.assign(out, merged(b as Record<string, unknown>));
  for (const [k, v] of Object.entries(service)) if (k !== '<<') out[k] = v;
  return out as Service;
}

/** The text of the block that starts after a `{` at `start`, up to its matching `}`. */
function block(text: string, start: number): string {
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(start, i);
  }
  throw new Error('unbalanced braces');
}

/** `NAME` of each `${NAME}` in a text. */
const envRefs = (text: string) => [...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
/** The variable names an env file template declares. */
const envNames = (file: string) => read(file).split('\n').filter((l) => /^\w+=/.test(l)).map((l) => l.slice(0, l.indexOf('=')));

describe('deploy (several instances with Redis)', () => {
  const flow = JSON.parse(read('flows.json')) as FlowNode[];
  const stores = flow.filter((n) => n.type === 'hrflow-store');
  const creds = JSON.parse(read('flows_cred.refs')) as Record<string, Record<string, unknown>>;
  const composeText = read('compose.yaml');
  const compose = yaml.load(composeText) as { services: Record<string, Record<string, unknown>>; volumes?: Record<string, unknown> };
  const services = Object.fromEntries(Object.entries(compose.services).map(([k, v]) => [k, merged(v)]));
  const nodeReds = Object.keys(services).filter((k) => /^node-red-\d+$/.test(k));

  describe('flows.json', () => {
    it('is a flow: an array of nodes with unique ids, wired to nodes of the file', () => {
      assert.ok(Array.isArray(flow) && flow.length > 0);
      const ids = flow.map((n) => n.id);
      assert.equal(new Set(ids).size, ids.length);
      for (const n of flow) for (const port of (n.wires as string[][] | undefined) ?? []) for (const to of port) assert.ok(ids.includes(to), `${n.id} wires to ${to}`);
    });

    it('uses only node types this package registers (package.json node-red.nodes) or Node-RED core types', () => {
      const core = coreTypes();
      assert.ok(core.has('debug') && core.has('catch'), 'found the core node types');
      for (const n of flow) assert.ok(packageTypes.includes(n.type) || core.has(n.type), `${n.id}: ${n.type} is registered`);
    });

    it('wires hrflow-webhook → hrflow-profile → hrflow-smartrecruiters', () => {
      const one = (type: string) => {
        const found = flow.filter((n) => n.type === type);
        assert.equal(found.length, 1, `one ${type}`);
        return found[0];
      };
      const [webhook, profile, push] = [one('hrflow-webhook'), one('hrflow-profile'), one('hrflow-smartrecruiters')];
      assert.ok((webhook.wires as string[][])[0].includes(profile.id));
      assert.ok((profile.wires as string[][])[0].includes(push.id));
    });

    it('has one hrflow-store, mode redis, and no password in the flow', () => {
      assert.equal(stores.length, 1);
      const [store] = stores;
      assert.equal(store.mode, 'redis');
      assert.match(String(store.url), /^rediss?:\/\/[^/@:]+(:\d+)?(\/\d+)?$/, 'a URL without user or password');
      assert.ok(!('password' in store), 'no password property');
      for (const n of flow) {
        const c = n.credentials as Record<string, unknown> | undefined;
        assert.ok(c === undefined || Object.values(c).every((v) => v === '' || v == null), `${n.id}: no credentials in the flow`);
      }
    });

    it("every webhook, hrflow-profiles and push node names the store in `store`, and every `store` names it", () => {
      const users = flow.filter((n) => storeUsers.has(n.type));
      assert.ok(users.some((n) => n.type === 'hrflow-webhook') && users.some((n) => pushTypes.includes(n.type)), 'a webhook and a push node');
      for (const n of users) assert.equal(n.store, stores[0].id, `${n.id} (${n.type}).store`);
      for (const n of flow.filter((x) => 'store' in x)) assert.equal(n.store, stores[0].id, `${n.id}.store`);
    });
  });

  describe('flows_cred.refs (the credentials file of every instance)', () => {
    it("holds only ${NAME} references, for the flow's nodes and the credentials their types register", () => {
      for (const [id, values] of Object.entries(creds)) {
        const node = flow.find((n) => n.id === id);
        assert.ok(node, `${id} is a node of flows.json`);
        const names = runtimeCredentials(node.type);
        for (const [name, v] of Object.entries(values)) {
          assert.ok(names.includes(name), `${node.type} registers the credential ${name} (it has ${names.join(', ')})`);
          assert.match(String(v), /^\$\{\w+\}$/, `${id}.${name} is an environment variable reference`);
        }
      }
      assert.deepEqual(Object.keys(creds[stores[0].id] ?? {}), ['password'], "the store's password comes from the environment");
    });

    it('every variable it and the flow name is in an env file template the instances read, and those files are git-ignored', () => {
      const envFiles = services[nodeReds[0]].env_file ?? [];
      const declared = new Set(envFiles.flatMap((f) => envNames(`${f}.example`)));
      for (const name of [...envRefs(read('flows_cred.refs')), ...envRefs(read('flows.json'))]) assert.ok(declared.has(name), `${name} is in ${envFiles.join(' or ')}`);
      const ignored = read('.gitignore').split('\n').map((l) => l.trim());
      for (const f of envFiles) {
        assert.ok(ignored.includes(f), `${f} is git-ignored`);
        const assignments = read(`${f}.example`).split('\n').filter((l) => /^\w+=/.test(l));
        assert.ok(assignments.length > 0 && assignments.every((l) => l.endsWith('=')), `${f}.example declares variables, without values`);
      }
    });
  });

  describe('compose.yaml', () => {
    it('runs Redis durable and never evicting, with a volume and a healthcheck', () => {
      assert.match(composeText, /--appendonly yes/);
      assert.match(composeText, /--appendfsync always/);
      assert.match(composeText, /--maxmemory-policy noeviction/);
      const redis = services.redis;
      assert.match(String(redis.image), /^redis:7/);
      assert.ok(redis.volumes?.some((v) => /^[\w-]+:\/data$/.test(v) && compose.volumes && v.split(':')[0] in compose.volumes), 'a named volume on /data');
      assert.ok(redis.healthcheck, 'a healthcheck');
    });

    it('contains no literal password', () => {
      assert.doesNotMatch(composeText, /requirepass\s+["']?[^"'\s$%]/, 'requirepass takes a variable');
      // NAME: value, NAME=value (a list item, a flow mapping, a shell line), but not ${NAME:-} nor NAME="$OTHER".
      assert.doesNotMatch(composeText, /(?:^|[\s{,"'-])\w*(?:PASSWORD|SECRET|TOKEN|AUTH)\w*["']?\s*[:=](?!-)\s*\\?["']?[^\s"'$\\]/im, 'no secret variable is given a value');
      for (const [name, s] of Object.entries(services)) {
        const env = Array.isArray(s.environment) ? Object.fromEntries((s.environment as string[]).map((e) => e.split(/=(.*)/s))) : (s.environment ?? {});
        for (const key of Object.keys(env)) assert.doesNotMatch(key, /PASSWORD|SECRET|TOKEN|AUTH/i, `${name}: ${key} comes from an env file`);
      }
      assert.doesNotMatch(composeText, /rediss?:\/\/[^\s@/]*:[^\s@/]+@/, 'no password in a URL');
      assert.doesNotMatch(composeText, /redis-cli[^\n]*\s-a\s/, 'no redis-cli -a <password>');
      const redisEnv = services.redis.env_file ?? [];
      assert.ok(redisEnv.some((f) => envNames(`${f}.example`).includes('REDIS_PASSWORD')), 'Redis reads REDIS_PASSWORD from an env file');
    });

    it('runs three Node-RED instances of the image, each with its own /data, the same flows, settings and instance ids of their own', () => {
      assert.equal(nodeReds.length, 3);
      assert.match(read('Dockerfile'), /^FROM nodered\/node-red:4\.1\s*$/m);
      const mounts = (s: Service) => new Map((s.volumes ?? []).map((v) => [v.split(':')[1], v.split(':')[0]]));
      const dataVolumes = new Set<string>();
      const ids = new Set<string>();
      for (const name of nodeReds) {
        const s = services[name];
        assert.equal(s.build, '.', `${name} is built from the Dockerfile`);
        const m = mounts(s);
        const data = m.get('/data');
        assert.ok(data && compose.volumes && data in compose.volumes, `${name}: a named volume on /data`);
        dataVolumes.add(data);
        assert.equal(m.get('/data/flows.json'), './flows.json', `${name} runs flows.json`);
        assert.equal(m.get('/data/flows_cred.json'), './flows_cred.refs', `${name} reads flows_cred.refs`);
        assert.equal(m.get('/data/settings.js'), './settings.js', `${name} uses settings.js`);
        ids.add(String(s.environment?.HRFLOW_INSTANCE_ID ?? ''));
      }
      assert.equal(dataVolumes.size, 3, 'one /data volume each');
      assert.equal(ids.size, 3, 'a different HRFLOW_INSTANCE_ID each');
      assert.ok(![...ids].includes(''), 'HRFLOW_INSTANCE_ID set');
    });

    it('publishes only nginx, which sends the webhook path, and nothing else, to the three instances', () => {
      for (const [name, s] of Object.entries(services)) if (name !== 'nginx') assert.equal(s.ports, undefined, `${name} publishes no port`);
      assert.ok(Array.isArray(services.nginx.ports) && services.nginx.ports.length === 1);
      const conf = read('nginx.conf');
      const upstream = [...conf.matchAll(/^\s*server\s+([\w-]+):1880\b/gm)].map((m) => m[1]);
      assert.deepEqual(upstream.sort(), [...nodeReds].sort());
      const webhook = flow.find((n) => n.type === 'hrflow-webhook');
      const locations = [...conf.matchAll(/location\s+(=\s+)?(\S+)\s*\{/g)].map((m) => ({ exact: !!m[1], path: m[2], body: block(conf, m.index + m[0].length) }));
      const proxied = locations.filter((l) => /proxy_pass/.test(l.body));
      assert.deepEqual(proxied.map((l) => [l.exact, l.path]), [[true, webhook?.path]], 'only the exact webhook path is proxied');
      assert.ok(locations.some((l) => l.path === '/' && /return 404/.test(l.body)), 'everything else answers 404');
    });
  });

  describe('settings.js', () => {
    it('takes hrflowInstanceId from HRFLOW_INSTANCE_ID, the flows file the compose file mounts, and unencrypted credentials', () => {
      const file = path.join(DEPLOY, 'settings.js');
      const before = process.env.HRFLOW_INSTANCE_ID;
      process.env.HRFLOW_INSTANCE_ID = 'node-red-test';
      try {
        delete require.cache[require.resolve(file)];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const settings = require(file) as Record<string, unknown>;
        assert.equal(settings.hrflowInstanceId, 'node-red-test');
        assert.equal(settings.flowFile, 'flows.json', 'the flows file /data/flows.json');
        // flows_cred.json holds ${NAME} references only (checked above): nothing to encrypt, and a read-only mount.
        assert.equal(settings.credentialSecret, false);
        assert.equal(settings.disableEditor, true, 'the flow is the mounted file');
      } finally {
        if (before === undefined) delete process.env.HRFLOW_INSTANCE_ID;
        else process.env.HRFLOW_INSTANCE_ID = before;
        delete require.cache[require.resolve(file)];
      }
    });
  });
});
