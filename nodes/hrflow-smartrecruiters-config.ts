import type { NodeAPI } from 'node-red';
import { smartrecruiters } from '../src/vendors/smartrecruiters';
import { registerVendorConfig } from './lib/vendor-config';

export = (RED: NodeAPI): void => registerVendorConfig(RED, smartrecruiters);
