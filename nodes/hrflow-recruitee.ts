import type { NodeAPI } from 'node-red';
import { recruitee } from '../src/vendors/recruitee';
import { registerPushNode } from './lib/push-node';

export = (RED: NodeAPI): void => registerPushNode(RED, recruitee);
