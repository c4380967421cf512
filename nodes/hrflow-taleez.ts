import type { NodeAPI } from 'node-red';
import { taleez } from '../src/vendors/taleez';
import { registerPushNode } from './lib/push-node';

export = (RED: NodeAPI): void => registerPushNode(RED, taleez);
