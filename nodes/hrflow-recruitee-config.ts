import type { NodeAPI } from 'node-red';
import { recruitee } from '../src/vendors/recruitee';
import { registerVendorConfig } from './lib/vendor-config';

export = (RED: NodeAPI): void => registerVendorConfig(RED, recruitee);
