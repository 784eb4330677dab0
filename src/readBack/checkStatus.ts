/**
 * What verify can say of one record, in the order its counts are shown. A module of its own so that printing a
 * verify summary does not load the reading and mapping it summarises (every command's start-up would pay for it).
 */
export const checkStatuses = ['ok', 'missing', 'differs', 'not imported', 'not checked'] as const;
export type CheckStatus = (typeof checkStatuses)[number];
