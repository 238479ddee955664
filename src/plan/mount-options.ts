// Mount options of config.json, parsed the way mount(8) and runc read them:
// each option is a mount(2) flag (set or cleared), a propagation change, a
// recursive mount_setattr(2) attribute, a runtime extension, or fs-specific data.

/** MS_* flags of mount(2) (include/uapi/linux/mount.h). */
export const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  SYNCHRONOUS: 0x10,
  REMOUNT: 0x20,
  MANDLOCK: 0x40,
  DIRSYNC: 0x80,
  NOSYMFOLLOW: 0x100,
  NOATIME: 0x400,
  NODIRATIME: 0x800,
  BIND: 0x1000,
  MOVE: 0x2000,
  REC: 0x4000,
  SILENT: 0x8000,
  UNBINDABLE: 0x20000,
  PRIVATE: 0x40000,
  SLAVE: 0x80000,
  SHARED: 0x100000,
  RELATIME: 0x200000,
  I_VERSION: 0x800000,
  STRICTATIME: 0x1000000,
  LAZYTIME: 0x2000000,
} as const

/** MOUNT_ATTR_* bits of mount_setattr(2). The atime values share one 3-bit field. */
export const MOUNT_ATTR = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  ATIME_FIELD: 0x70, // MOUNT_ATTR__ATIME
  RELATIME: 0x0,
  NOATIME: 0x10,
  STRICTATIME: 0x20,
  NODIRATIME: 0x80,
  NOSYMFOLLOW: 0x200000,
} as const

/** Option name -> [clears the flag?, MS_* flag]. */
const FLAG_OPTIONS: Readonly<Record<string, readonly [boolean, number]>> = {
  ro: [false, MS.RDONLY], rw: [true, MS.RDONLY],
  nosuid: [false, MS.NOSUID], suid: [true, MS.NOSUID],
  nodev: [false, MS.NODEV], dev: [true, MS.NODEV],
  noexec: [false, MS.NOEXEC], exec: [true, MS.NOEXEC],
  sync: [false, MS.SYNCHRONOUS], async: [true, MS.SYNCHRONOUS],
  dirsync: [false, MS.DIRSYNC],
  remount: [false, MS.REMOUNT],
  mand: [false, MS.MANDLOCK], nomand: [true, MS.MANDLOCK],
  noatime: [false, MS.NOATIME], atime: [true, MS.NOATIME],
  nodiratime: [false, MS.NODIRATIME], diratime: [true, MS.NODIRATIME],
  relatime: [false, MS.RELATIME], norelatime: [true, MS.RELATIME],
  strictatime: [false, MS.STRICTATIME], nostrictatime: [true, MS.STRICTATIME],
  bind: [false, MS.BIND], rbind: [false, MS.BIND | MS.REC],
  silent: [false, MS.SILENT], loud: [true, MS.SILENT],
  iversion: [false, MS.I_VERSION], noiversion: [true, MS.I_VERSION],
  lazytime: [false, MS.LAZYTIME], nolazytime: [true, MS.LAZYTIME],
  nosymfollow: [false, MS.NOSYMFOLLOW], symfollow: [true, MS.NOSYMFOLLOW],
}

/** Propagation names (options, and linux.rootfsPropagation) -> MS_* flags. */
export const PROPAGATION_OPTIONS: Readonly<Record<string, number>> = {
  private: MS.PRIVATE, rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED, rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE, rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE, runbindable: MS.UNBINDABLE | MS.REC,
}

/** Recursive attribute name -> [clears the attribute?, MOUNT_ATTR_* bits]. */
const REC_ATTR_OPTIONS: Readonly<Record<string, readonly [boolean, number]>> = {
  rro: [false, MOUNT_ATTR.RDONLY], rrw: [true, MOUNT_ATTR.RDONLY],
  rnosuid: [false, MOUNT_ATTR.NOSUID], rsuid: [true, MOUNT_ATTR.NOSUID],
  rnodev: [false, MOUNT_ATTR.NODEV], rdev: [true, MOUNT_ATTR.NODEV],
  rnoexec: [false, MOUNT_ATTR.NOEXEC], rexec: [true, MOUNT_ATTR.NOEXEC],
  rnodiratime: [false, MOUNT_ATTR.NODIRATIME], rdiratime: [true, MOUNT_ATTR.NODIRATIME],
  rnosymfollow: [false, MOUNT_ATTR.NOSYMFOLLOW], rsymfollow: [true, MOUNT_ATTR.NOSYMFOLLOW],
}

/**
 * Recursive atime options pick one value of the 3-bit atime field. The kernel
 * only accepts a change of it with the whole field in attr_clr, so every one of
 * them clears the field and sets its value; the "clear" forms fall back to the
 * kernel default, relatime (as runc ends up doing).
 */
const REC_ATIME_OPTIONS: Readonly<Record<string, number>> = {
  rrelatime: MOUNT_ATTR.RELATIME,
  rnoatime: MOUNT_ATTR.NOATIME,
  rstrictatime: MOUNT_ATTR.STRICTATIME,
  rnorelatime: MOUNT_ATTR.RELATIME,
  ratime: MOUNT_ATTR.RELATIME,
  rnostrictatime: MOUNT_ATTR.RELATIME,
}

export interface ParsedMountOptions {
  /** MS_* flags to pass to mount(2) */
  flags: number
  /** MS_* flags an option explicitly cleared (rw, suid, dev, ...) */
  clearedFlags: number
  /** MS_* propagation changes, in option order */
  propagation: number[]
  recAttrSet: number
  recAttrClr: number
  /** options that are not flags, joined with "," */
  data: string
  /** "tmpcopyup": copy the directory's old content into the new tmpfs */
  tmpcopyup: boolean
  /** "idmap" / "ridmap" was asked for */
  idmap: 'idmap' | 'ridmap' | null
}

/** Parse a mount's options in order; a later option overrides an earlier one. */
export function parseMountOptions(options: readonly string[] = []): ParsedMountOptions {
  const parsed: ParsedMountOptions = {
    flags: 0, clearedFlags: 0, propagation: [], recAttrSet: 0, recAttrClr: 0, data: '', tmpcopyup: false, idmap: null,
  }
  const data: string[] = []
  for (const option of options) {
    const flag = FLAG_OPTIONS[option]
    const recAttr = REC_ATTR_OPTIONS[option]
    const atime = REC_ATIME_OPTIONS[option]
    if (flag) {
      const [clear, bits] = flag
      if (clear) {
        parsed.flags &= ~bits
        parsed.clearedFlags |= bits
      } else {
        parsed.flags |= bits
        parsed.clearedFlags &= ~bits
      }
    } else if (option in PROPAGATION_OPTIONS) {
      parsed.propagation.push(PROPAGATION_OPTIONS[option])
    } else if (recAttr) {
      const [clear, bits] = recAttr
      if (clear) {
        parsed.recAttrClr |= bits
        parsed.recAttrSet &= ~bits
      } else {
        parsed.recAttrSet |= bits
        parsed.recAttrClr &= ~bits
      }
    } else if (atime !== undefined) {
      parsed.recAttrClr |= MOUNT_ATTR.ATIME_FIELD
      parsed.recAttrSet = (parsed.recAttrSet & ~MOUNT_ATTR.ATIME_FIELD) | atime
    } else if (option === 'tmpcopyup') {
      parsed.tmpcopyup = true
    } else if (option === 'idmap' || option === 'ridmap') {
      parsed.idmap = option
    } else if (option === 'defaults') {
      // mount(8) spells "no options" this way; it is not fs data
    } else {
      data.push(option)
    }
  }
  parsed.data = data.join(',')
  return parsed
}

/** Every mount option runt carries out (for `runt features`). */
export const MOUNT_OPTION_NAMES: readonly string[] = [
  'tmpcopyup', 'idmap', 'ridmap',
  ...Object.keys(FLAG_OPTIONS),
  ...Object.keys(PROPAGATION_OPTIONS),
  ...Object.keys(REC_ATTR_OPTIONS),
  ...Object.keys(REC_ATIME_OPTIONS),
]
