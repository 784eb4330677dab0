/**
 * Why a file could not be opened, in the words every file the user names gets (an export, a mapping, a plan):
 * `no such file`, `permission denied`, `is a folder`, never Node's `ENOENT: no such file or directory, open '…'`.
 */
export function fileErrorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return error instanceof Error ? error.message : String(error);
}
