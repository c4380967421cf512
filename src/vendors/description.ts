/**
 * What the editor needs to know about a node, declared once beside the code that uses it.
 *
 * At build time, `nodes/editor/generate` turns each description into the node's editor HTML (the
 * `registerType` definition, the edit template, the validators, Test connection and pickers), its
 * message catalogues (`en-US` and `fr`) and the shared sections of its help (inputs, outputs,
 * Advanced, credentials, the error table). Only what is truly vendor-specific (the help's details) is
 * written by hand, in `nodes/help/<lang>/<type>.html`.
 *
 * Plain data only (no functions): it is read by the build script and, for the admin endpoints and the
 * runtime, by the nodes.
 */
import { ErrorCodes, type ErrorCode } from '../core/errors';
import type { HttpClient } from '../core/http';

/** A text in each language the editor ships: English (`en-US`) and French (`fr`). May hold simple HTML. */
export interface Text {
  en: string;
  fr: string;
}

/** How a field is edited (and checked in the editor). */
export type FieldInput =
  /** free text */
  | 'text'
  /** a secret: a password input, stored as a `password` credential */
  | 'password'
  /** an http(s) URL (`${ENV_VAR}` accepted) */
  | 'url'
  /** one id (`pattern` says which ids are valid) */
  | 'id'
  /** ids separated by commas (each must match `pattern`) */
  | 'ids'
  /** a whole number >= 0 (blank: `default`) */
  | 'int'
  /** an e-mail address */
  | 'email'
  /** true / false */
  | 'checkbox'
  /** one of `options` */
  | 'select';

export interface FieldDescription {
  /** Property or credential name: a public interface (users' flows store it). Never rename. */
  name: string;
  input: FieldInput;
  /**
   * Account fields only: stored as a credential (encrypted, never exported with the flow). Password
   * inputs are `password` credentials, others `text` credentials.
   */
  credential?: boolean;
  /** The value a new node starts with (and the runtime's value when the flow has none). */
  default?: string | number | boolean;
  /** The editor flags the field when it is empty. Never set together with `msg`. */
  required?: boolean;
  /**
   * The `msg` property that overrides this field at run time (`msg.job_id`...). Such a field may be
   * left empty in the panel: the editor shows a hint, not an error.
   */
  msg?: string;
  /** For `id`, `ids` and `text`: what one value must match (a JavaScript RegExp source, anchored by the editor). */
  pattern?: string;
  /** For `select`: the choices. */
  options?: { value: string; label: Text }[];
  /** Font Awesome 4 icon name, without `fa-` ("key", "briefcase"...). */
  icon: string;
  label: Text;
  placeholder?: Text;
  /** Shown under the field in the dialog (HTML). */
  tip?: Text;
  /** What the field is, for the help (Inputs for `msg` fields, Details for account fields). HTML. */
  help?: Text;
  /** The type shown in the help ("string", "number | string", "array | string"). */
  helpType?: string;
  /**
   * A picker next to the field lists the account's items (`GET /hrflow-connectors/jobs/:type?list=<name>`)
   * and fills the field (`ids` fields: adds to it). The name is a key of the vendor module's `lists`.
   */
  picker?: string;
  /**
   * `checkbox` params only: when ticked, this account field must be set (the editor flags the checkbox
   * when the selected account leaves it empty). Flatchr's `lookup_id` needs the account's `company`.
   */
  requiresAccountField?: string;
  /**
   * `checkbox` params only: when ticked, the push creates nothing (a dry run: Flatchr's `test_mode`), so the
   * push ledger neither looks the push up nor records it.
   */
  dryRun?: boolean;
}

/** An item a picker offers (a job, an offer, a vacancy, a pool). */
export interface PickItem {
  /** What the field gets: the id the push node takes (for Flatchr, the vacancy slug). */
  id: string;
  title: string;
  /** The vendor's status ("PUBLISHED", "draft"...), when it has one. */
  status?: string;
}

/** What a vendor module's Test connection and lists get: the account and a client bound to its API. */
export interface AccountContext<Config> {
  http: HttpClient;
  config: Config;
}

/** The result of a Test connection. */
export interface TestResult {
  /** Short, secret-free: what was read ("3 jobs", "company 12 reachable"...). */
  detail: string;
  /** True when no request could be made and only what can be checked offline was checked (Broadbean). */
  offline?: boolean;
}

/**
 * The error codes every push node can raise (checks before sending, transport, a create whose answer
 * was lost, a stop). A vendor's `errors` lists these and its own (PARTIAL_PUSH for multi-step pushes).
 */
export const PUSH_ERRORS: readonly ErrorCode[] = [
  ErrorCodes.AUTH_FAILED,
  ErrorCodes.NOT_FOUND,
  ErrorCodes.INVALID_PROFILE,
  ErrorCodes.INVALID_CONFIG,
  ErrorCodes.INVALID_INPUT,
  ErrorCodes.VENDOR_REJECTED,
  ErrorCodes.RATE_LIMITED,
  ErrorCodes.VENDOR_UNAVAILABLE,
  ErrorCodes.NETWORK_ERROR,
  ErrorCodes.TIMEOUT,
  ErrorCodes.OUTCOME_UNKNOWN,
  ErrorCodes.ABORTED,
  ErrorCodes.ALREADY_PUSHED,
  ErrorCodes.UNSUPPORTED,
  ErrorCodes.NOT_PUSHED,
  ErrorCodes.STORE_UNAVAILABLE,
];

/** A config node holding an account (a vendor's `hrflow-<id>-config`, or `hrflow-api`). */
export interface AccountDescription {
  /** Node colour. */
  color: string;
  /** The API reference, linked from the help. */
  docsUrl: string;
  fields: FieldDescription[];
  /** What Test connection does with this account (shown in the dialog and the help). */
  test: Text;
  /**
   * The property an unnamed account is labelled by ("Broadbean <client_id>"); default: the first required
   * id or text property.
   */
  labelField?: string;
}

/** A vendor's push node and its account. */
export interface VendorDescription {
  /** Node colour in the palette. */
  color: string;
  /** The vendor's API reference, linked from the help. */
  docsUrl: string;
  /** The account config node (`hrflow-<id>-config`). */
  account: AccountDescription;
  /** The push node's own parameters (name, account and the Advanced block are common to every push node). */
  params: FieldDescription[];
  /** Every error code the push node can raise: its help's error table lists exactly these. */
  errors: ErrorCode[];
  /** What each list of `lists` holds, for the picker's title ("Jobs", "Talent pools"). */
  lists?: Record<string, Text>;
  /** The output's label in the editor ("Taleez candidate"). */
  outputLabel: Text;
  /**
   * What on_duplicate `update` sends to the vendor (which fields, which request), for the help; absent: the vendor
   * has no update (UNSUPPORTED). HTML. Declared beside the module's `update`.
   */
  update?: Text;
  /** What msg.action = "archive" does at the vendor (archive or delete, which request); absent: UNSUPPORTED. HTML. */
  archive?: Text;
}
