/**
 * Node-RED's httpNode (the app `http in` and `hrflow-webhook` nodes add routes to) served on a real HTTP
 * server on 127.0.0.1. node-red-node-test-helper creates a new httpNode app at each `helper.load()` and
 * serves none: this server hands each request to the app of the flows loaded last.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { helper } from './red';

/** The httpNode app of the flows loaded last. */
export function httpNodeApp(): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const util = (helper as { _registryUtil?: { createNodeApi(node: object): { httpNode: unknown } } })._registryUtil;
  if (!util) throw new Error('this node-red-node-test-helper exposes no registry util: cannot reach httpNode');
  return util.createNodeApi({ id: 'http-node-test' }).httpNode as (req: http.IncomingMessage, res: http.ServerResponse) => void;
}

/** Start a server (in `before`), close it (in `after`); `url` is its base URL. */
export function useHttpNode(): { readonly url: string } {
  const holder: { server?: http.Server; url?: string } = {};
  before(async () => {
    const server = http.createServer((req, res) => {
      try {
        httpNodeApp()(req, res);
      } catch (err) {
        res.statusCode = 500;
        res.end(String(err));
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    holder.server = server;
    holder.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    const server = holder.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    get url() {
      if (!holder.url) throw new Error('httpNode server not started');
      return holder.url;
    },
  };
}
