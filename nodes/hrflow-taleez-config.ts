import type { NodeAPI } from 'node-red';
import { taleez, TALEEZ_DEFAULT_BASE_URL, type TaleezConfig } from '../src/vendors/taleez';
import { registerVendorConfig } from './lib/vendor-config';

export = function (RED: NodeAPI): void {
  registerVendorConfig<TaleezConfig>(RED, taleez, {
    credentials: { x_taleez_api_secret: { type: 'password' } },
    read: (def, creds) => ({
      x_taleez_api_secret: creds.x_taleez_api_secret ?? '',
      base_url: String(def.base_url || TALEEZ_DEFAULT_BASE_URL).trim(),
    }),
  });
};
