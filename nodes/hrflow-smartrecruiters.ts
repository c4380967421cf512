import type { NodeAPI } from 'node-red';
import { smartrecruiters } from '../src/vendors/smartrecruiters';
import { registerPushNode } from './lib/push-node';

export = (RED: NodeAPI): void => registerPushNode(RED, smartrecruiters);
