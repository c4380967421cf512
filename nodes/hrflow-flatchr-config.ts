import type { NodeAPI } from 'node-red';
import { flatchr } from '../src/vendors/flatchr';
import { registerVendorConfig } from './lib/vendor-config';

export = (RED: NodeAPI): void => registerVendorConfig(RED, flatchr);
