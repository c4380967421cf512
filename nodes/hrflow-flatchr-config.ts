import type { NodeAPI } from 'node-red';
import { flatchr, FLATCHR_DEFAULT_BASE_URL, FLATCHR_DEFAULT_CAREERS_URL, type FlatchrConfig } from '../src/vendors/flatchr';
import { registerVendorConfig } from './lib/vendor-config';

export = function (RED: NodeAPI): void {
  registerVendorConfig<FlatchrConfig>(RED, flatchr, {
    credentials: { auth: { type: 'password' } },
    read: (def, creds) => ({
      auth: creds.auth ?? '',
      company: String(def.company ?? '').trim(),
      careers_url: String(def.careers_url || FLATCHR_DEFAULT_CAREERS_URL).trim(),
      base_url: String(def.base_url || FLATCHR_DEFAULT_BASE_URL).trim(),
    }),
  });
};
