// The text of `runt --version`: the package version and commit the build defined.

declare const RUNT_VERSION: string
declare const RUNT_COMMIT: string

export function versionText(): string {
  const version = typeof RUNT_VERSION === 'string' ? RUNT_VERSION : 'dev'
  const commit = typeof RUNT_COMMIT === 'string' ? RUNT_COMMIT : 'unknown'
  return `runt version ${version}\ncommit: ${commit}\nspec: 1.3.0\n`
}
