/** The Feishu Open Platform paths hire-import calls; the sandbox serves the same ones. */
export const tokenPath = '/open-apis/auth/v3/tenant_access_token/internal';
export const assessmentsPath = '/open-apis/hire/v1/external_interview_assessments';
