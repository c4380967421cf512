import type { NodeAPI } from 'node-red';
import { recruitee, RECRUITEE_ENDPOINTS, type RecruiteeConfig } from '../src/vendors/recruitee';
import { registerVendorConfig } from './lib/vendor-config';

export = function (RED: NodeAPI): void {
  registerVendorConfig<RecruiteeConfig>(RED, recruitee, {
    credentials: { api_token: { type: 'password' } },
    read: (def, creds) => ({
      api_token: creds.api_token ?? '',
      company_id: String(def.company_id ?? '').trim(),
      recruitee_endpoint: String(def.recruitee_endpoint || RECRUITEE_ENDPOINTS.production).trim(),
    }),
  });
};
