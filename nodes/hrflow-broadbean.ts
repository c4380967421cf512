import type { NodeAPI } from 'node-red';
import { broadbean } from '../src/vendors/broadbean';
import { registerPushNode } from './lib/push-node';

export = (RED: NodeAPI): void => registerPushNode(RED, broadbean);
