import type { Node } from 'node-red';
import type { HrflowClient, HrflowClientOptions } from '../../src/hrflow/client';

/** The runtime shape of an hrflow-api config node. */
export interface HrflowApiNode extends Node {
  /** A client for this account. The credentials stay inside it. */
  client(options?: HrflowClientOptions): HrflowClient;
}
