import type { NodeAPI } from 'node-red';
import { smartrecruiters, SMARTRECRUITERS_DEFAULT_BASE_URL, type SmartRecruitersConfig } from '../src/vendors/smartrecruiters';
import { registerVendorConfig } from './lib/vendor-config';

export = function (RED: NodeAPI): void {
  registerVendorConfig<SmartRecruitersConfig>(RED, smartrecruiters, {
    credentials: { x_smart_token: { type: 'password' } },
    read: (def, creds) => ({
      x_smart_token: creds.x_smart_token ?? '',
      base_url: String(def.base_url || SMARTRECRUITERS_DEFAULT_BASE_URL).trim(),
    }),
  });
};
