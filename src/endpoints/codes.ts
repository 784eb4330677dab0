/**
 * Feishu's error codes: the one table of what each code hire-import knows means, read by the client (how to treat
 * an answer: src/send/answer.ts) and by the sandbox (what to answer). A code not listed is a refusal of the record.
 * Each code's `msg` is the text Feishu sends with it (the sandbox answers it); `fix`, for a whole-app refusal, says
 * what the user must change before a rerun.
 */

/** What a code means for the request that got it. */
export type CodeKind =
  /** Over the rate limit: wait the reset and send again. */
  | 'rateLimit'
  /** The token was refused: renew it once and send again. */
  | 'token'
  /** The server's own trouble: back off and send again. */
  | 'transient'
  /** The record's body is wrong: final for the record. */
  | 'parameter'
  /** A look-up key (a mobile number) is malformed: the record is invalid, never "no match". */
  | 'badKey'
  /** The app itself may not call the API: every request would fail the same way, so the run stops. */
  | 'app';

export interface FeishuCode {
  code: number;
  kind: CodeKind;
  /** The HTTP status Feishu answers it with. */
  status: number;
  msg: string;
  /** For `app`: what was refused, in a few words (the exit code's meaning lists them). */
  what?: string;
  /** For `app`: what to fix, as the message that stops the run ends. */
  fix?: string;
}

export const feishuCodes = {
  rateLimited: { code: 99991400, kind: 'rateLimit', status: 429, msg: 'request trigger frequency limit' },
  tokenMissing: { code: 99991661, kind: 'token', status: 400, msg: 'Missing access token for authorization. Please make a request with token attached.' },
  tokenInvalid: { code: 99991663, kind: 'token', status: 400, msg: 'Invalid access token for authorization.' },
  tokenIllegal: { code: 99991665, kind: 'token', status: 400, msg: 'tenant_access_token 非法' },
  tokenFormat: { code: 99991671, kind: 'token', status: 400, msg: 'Invalid access token format.' },
  systemError: { code: 1002001, kind: 'transient', status: 500, msg: '系统错误' },
  parameterError: { code: 1002002, kind: 'parameter', status: 400, msg: '参数错误' },
  badMobile: { code: 1002009, kind: 'badKey', status: 400, msg: '手机号格式错误' },
  missingPermission: {
    code: 99991672,
    kind: 'app',
    status: 400,
    what: "a permission the app lacks",
    msg: 'Access denied. One of the following scopes is required.',
    fix: 'grant the permission in the developer console, publish a version that includes it, and run again',
  },
  ipDenied: {
    code: 99991401,
    kind: 'app',
    status: 400,
    what: "this machine's IP not on the app's allow-list",
    msg: 'IP access denied: the request IP is not in the app allow-list.',
    fix: "add this machine's public IP address to the app's IP allow-list (developer console, Security settings), or run from an allowed machine, and run again",
  },
  quotaUsedUp: {
    code: 99991403,
    kind: 'app',
    status: 400,
    what: "the app's monthly API quota used up",
    msg: "This month's API call quota has been used up.",
    fix: "the app's monthly API quota is used up: raise it (upgrade the tenant's plan) or wait for next month, then run again to continue",
  },
  appNotInUse: {
    code: 99991662,
    kind: 'app',
    status: 400,
    what: "the app not in use in the tenant",
    msg: 'The app is not in use in this tenant.',
    fix: 'install the app in this tenant (or have the admin enable it) and run again',
  },
  appUnavailable: {
    code: 99991673,
    kind: 'app',
    status: 400,
    what: "the app not authorized or disabled",
    msg: 'The app is not authorized or has been disabled.',
    fix: 'have the tenant admin authorize (or re-enable) the app, and run again',
  },
  tokenLacksPermission: {
    code: 99991676,
    kind: 'app',
    status: 400,
    what: "a token without the permission",
    msg: 'The token has no permission for this API.',
    fix: "grant the permission the API needs, publish a version that includes it, and run again (a token issued before the grant lacks it until it is renewed)",
  },
} as const satisfies Record<string, FeishuCode>;

export type FeishuCodeName = keyof typeof feishuCodes;

const byCode = new Map<number, FeishuCode>(Object.values(feishuCodes).map((entry) => [entry.code, entry]));

/** The table's entry for `code`; undefined for a code it does not list. */
export function feishuCode(code: number | string): FeishuCode | undefined {
  return typeof code === 'number' ? byCode.get(code) : undefined;
}

/** The whole-app refusals, in the table's order (for --help and the README). */
export const appRefusals: readonly FeishuCode[] = Object.values(feishuCodes).filter((entry) => entry.kind === 'app');
