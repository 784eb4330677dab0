/**
 * Whether this Node.js is new enough for the package, checked by bin/hire-import.js before it loads anything that
 * needs a newer one. Written in syntax that old Node versions parse, since it runs on them.
 */

/**
 * The message for a Node.js older than the `engines.node` floor (">=X.Y.Z"), or undefined when it is new enough
 * or the range has another shape (then nothing is refused).
 */
export function nodeTooOld(current: string, range: string): string | undefined {
  const floor = /^>=\s*v?(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  const version = /^v?(\d+)\.(\d+)\.(\d+)/.exec(current);
  if (!floor || !version) return undefined;
  for (let part = 1; part <= 3; part++) {
    const have = Number(version[part]);
    const need = Number(floor[part]);
    if (have > need) return undefined;
    if (have < need) {
      return `needs Node.js ${floor.slice(1).join('.')} or newer, and this is Node.js ${current}: ` +
        'install a current LTS release (https://nodejs.org, or nvm install --lts) and run it again';
    }
  }
  return undefined;
}
