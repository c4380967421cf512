import type { NodeAPI } from 'node-red';
import { broadbean } from '../src/vendors/broadbean';
import { registerVendorConfig } from './lib/vendor-config';

export = (RED: NodeAPI): void => registerVendorConfig(RED, broadbean);
