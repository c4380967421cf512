import type { NodeAPI } from 'node-red';
import { taleez } from '../src/vendors/taleez';
import { registerVendorConfig } from './lib/vendor-config';

export = (RED: NodeAPI): void => registerVendorConfig(RED, taleez);
