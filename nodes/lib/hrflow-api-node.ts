import type { Node } from 'node-red';
import type { HrflowClient, HrflowClientOptions, HrflowCredentials } from '../../src/hrflow/client';

/** The runtime shape of an hrflow-api config node. */
export interface HrflowApiNode extends Node {
  /** The account (credentials included): never put it on a msg. */
  account(): HrflowCredentials;
  /** A client for this account. The credentials stay inside it. */
  client(options?: HrflowClientOptions): HrflowClient;
}
