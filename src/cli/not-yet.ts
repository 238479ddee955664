// Commands of the runc contract whose implementation has not landed yet. They parse
// their flags (so --help works) and then refuse clearly instead of pretending.

import { RuntError } from '../errors'

function notYet(command: string) {
  return (): number => {
    throw new RuntError(`runt ${command} is not implemented yet`)
  }
}

export const exec = notYet('exec')
