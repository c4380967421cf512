import type { NodeAPI } from 'node-red';
import { broadbean, BROADBEAN_DEFAULT_BASE_URL, type BroadbeanConfig } from '../src/vendors/broadbean';
import { registerVendorConfig } from './lib/vendor-config';

export = function (RED: NodeAPI): void {
  registerVendorConfig<BroadbeanConfig>(RED, broadbean, {
    credentials: { secret_key: { type: 'password' } },
    read: (def, creds) => ({
      secret_key: creds.secret_key ?? '',
      source_id: String(def.source_id ?? '').trim(),
      client_id: String(def.client_id ?? '').trim(),
      base_url: String(def.base_url || BROADBEAN_DEFAULT_BASE_URL).trim(),
    }),
  });
};
