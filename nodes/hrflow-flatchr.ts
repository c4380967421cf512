import type { NodeAPI } from 'node-red';
import { flatchr } from '../src/vendors/flatchr';
import { registerPushNode } from './lib/push-node';

export = (RED: NodeAPI): void => registerPushNode(RED, flatchr);
